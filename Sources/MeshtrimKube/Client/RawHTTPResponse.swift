import Foundation

/// A complete HTTP/1.1 response read from raw bytes (what comes back through a port-forward).
struct RawHTTPResponse: Sendable {
    /// The status code.
    var status: Int
    /// Header values by lowercased name (the last one wins).
    var headers: [String: String]
    /// The body, de-chunked.
    var body: Data

    /// Parses head and body; `Transfer-Encoding: chunked`, `Content-Length` and read-until-close are handled.
    ///
    /// - Returns: `nil` when the bytes are not an HTTP response or the body is incomplete.
    static func parse(_ bytes: [UInt8]) -> RawHTTPResponse? {
        parse(bytes, from: 0)?.response
    }

    /// Responses to pipelined requests, in order (the last one may be read until close).
    static func parseAll(_ bytes: [UInt8]) -> [RawHTTPResponse] {
        var responses: [RawHTTPResponse] = []
        var position = 0
        while position < bytes.count, let (response, end) = parse(bytes, from: position) {
            responses.append(response)
            position = end
        }
        return responses
    }

    /// One response starting at `start`, and where it ends.
    static func parse(_ bytes: [UInt8], from start: Int) -> (response: RawHTTPResponse, end: Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = index(of: separator, in: bytes, from: start) else { return nil }
        let head = String(decoding: bytes[start..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyStart = headEnd + separator.count
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let (body, end) = dechunk(bytes, from: bodyStart) else { return nil }
            return (RawHTTPResponse(status: status, headers: headers, body: body), end)
        }
        if let lengthText = headers["content-length"], let length = Int(lengthText) {
            guard bytes.count - bodyStart >= length else { return nil }
            return (RawHTTPResponse(status: status, headers: headers, body: Data(bytes[bodyStart..<(bodyStart + length)])), bodyStart + length)
        }
        return (RawHTTPResponse(status: status, headers: headers, body: Data(bytes[bodyStart...])), bytes.count)
    }

    private static func dechunk(_ bytes: [UInt8], from start: Int) -> (Data, Int)? {
        var body = Data()
        var position = start
        let lineEnd: [UInt8] = [13, 10]
        while true {
            guard let end = index(of: lineEnd, in: bytes, from: position) else { return nil }
            let sizeText = String(decoding: bytes[position..<end], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            position = end + 2
            if size == 0 {
                // The trailer section ends with an empty line.
                guard let trailerEnd = index(of: [13, 10, 13, 10], in: bytes, from: end) else { return (body, bytes.count) }
                return (body, trailerEnd + 4)
            }
            guard position + size <= bytes.count else { return nil }
            body.append(contentsOf: bytes[position..<(position + size)])
            position += size + 2
        }
    }

    static func index(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var position = start
        while position <= haystack.count - needle.count {
            if haystack[position] == needle[0], Array(haystack[position..<(position + needle.count)]) == needle { return position }
            position += 1
        }
        return nil
    }
}
