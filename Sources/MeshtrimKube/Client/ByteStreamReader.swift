import NIOCore

/// Reads a byte stream (NIO inbound buffers) by delimiter or by count, for the HTTP and WebSocket parsing of a
/// port-forward.
struct ByteStreamReader {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()
    /// Whether the stream has ended.
    private(set) var isFinished = false
    /// Bytes read from the stream so far.
    private(set) var bytesRead = 0

    init(_ stream: NIOAsyncChannelInboundStream<ByteBuffer>) {
        iterator = stream.makeAsyncIterator()
    }

    /// Reads more into the buffer; false at the end of the stream.
    private mutating func fill() async throws -> Bool {
        guard !isFinished else { return false }
        guard var next = try await iterator.next() else {
            isFinished = true
            return false
        }
        bytesRead += next.readableBytes
        buffer.writeBuffer(&next)
        return true
    }

    /// The bytes up to and including `delimiter`; `nil` if the stream ends first (or `limit` is exceeded).
    mutating func read(through delimiter: [UInt8], limit: Int = 64 * 1024) async throws -> [UInt8]? {
        while true {
            let view = buffer.readableBytesView
            if let range = Self.firstRange(of: delimiter, in: view) {
                let length = range.upperBound - view.startIndex
                return buffer.readBytes(length: length)
            }
            if buffer.readableBytes > limit { return nil }
            guard try await fill() else { return nil }
        }
    }

    /// Exactly `count` bytes; `nil` if the stream ends first.
    mutating func read(count: Int) async throws -> [UInt8]? {
        while buffer.readableBytes < count {
            guard try await fill() else { return nil }
        }
        return buffer.readBytes(length: count)
    }

    /// What is buffered, else the next buffer from the stream; `nil` at its end (for relaying a stream as it comes).
    mutating func next() async throws -> ByteBuffer? {
        if buffer.readableBytes == 0, try await !fill() { return nil }
        let chunk = buffer
        buffer = ByteBuffer()
        return chunk
    }

    /// Everything until the end of the stream.
    mutating func readToEnd(limit: Int) async throws -> [UInt8] {
        while try await fill() {
            if buffer.readableBytes > limit { break }
        }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    private static func firstRange(of needle: [UInt8], in haystack: ByteBufferView) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == needle[0] {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index..<(index + needle.count) }
            }
            index += 1
        }
        return nil
    }
}
