/// Go's `net.SplitHostPort` and `strconv.Atoi`, with their error texts, which Istio's Sidecar messages embed
/// (`defaultEndpoint`).
enum GoAddress {
    /// A Go error's text.
    struct Failure: Error, Equatable {
        /// What Go's `Error()` returns.
        let message: String
    }

    /// `host:port`, `[v6host]:port` or `:port` split as `net.SplitHostPort` does (no validation of either part).
    static func splitHostPort(_ text: String) -> Result<(host: String, port: String), Failure> {
        func failure(_ why: String) -> Result<(host: String, port: String), Failure> {
            .failure(Failure(message: "address \(text): \(why)"))
        }
        let bytes = Array(text.utf8)
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return failure("missing port in address") }
        var hostStart = 0
        var hostEnd = colon
        var openSearchStart = 0
        var closeSearchStart = 0
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return failure("missing ']' in address") }
            if close + 1 == bytes.count { return failure("missing port in address") }
            if close + 1 != colon {
                return failure(bytes[close + 1] == UInt8(ascii: ":") ? "too many colons in address" : "missing port in address")
            }
            hostStart = 1
            hostEnd = close
            openSearchStart = 1
            closeSearchStart = close + 1
        } else if bytes[..<colon].contains(UInt8(ascii: ":")) {
            return failure("too many colons in address")
        }
        if bytes[openSearchStart...].contains(UInt8(ascii: "[")) { return failure("unexpected '[' in address") }
        if bytes[closeSearchStart...].contains(UInt8(ascii: "]")) { return failure("unexpected ']' in address") }
        let host = String(decoding: bytes[hostStart..<hostEnd], as: UTF8.self)
        let port = String(decoding: bytes[(colon + 1)...], as: UTF8.self)
        return .success((host, port))
    }

    /// A decimal integer with an optional sign, as `strconv.Atoi` reads it (64-bit).
    static func atoi(_ text: String) -> Result<Int, Failure> {
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(Failure(message: "strconv.Atoi: parsing \(goQuoted(text)): invalid syntax"))
        }
        guard let value = Int(text) else {
            return .failure(Failure(message: "strconv.Atoi: parsing \(goQuoted(text)): value out of range"))
        }
        return .success(value)
    }
}

extension DNSLabel {
    /// Istio's `agent.ValidateFQDN`: length, then every label a DNS-1123 label (no wildcard), a trailing dot allowed.
    static func fqdnProblem(_ domain: Substring) -> EgressHostProblem? {
        if domain.utf8.count > 255 { return .domainTooLong(String(domain)) }
        if domain.isEmpty { return .emptyDomain }
        return labelsProblem(domain)
    }
}
