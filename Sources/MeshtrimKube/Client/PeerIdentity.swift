import Foundation
import NIOSSL

#if canImport(Glibc)
    import Glibc
#endif

/// The name check of a server certificate as Go's crypto/tls does it for kubectl: an IP server must be among the
/// certificate's IP SANs; a name must match one of its DNS SANs (a `*.` wildcard covers one leftmost label), never an
/// IP SAN and never the common name.
enum PeerIdentity {
    /// Whether `certificate` is valid for `name` (a host name or an IP address).
    static func matches(_ certificate: NIOSSLCertificate, name: String) -> Bool {
        let sans = certificate._subjectAlternativeNames()
        if let address = addressBytes(name) {
            return sans.contains { $0.nameType == .ipAddress && Array($0.contents) == address }
        }
        let wanted = name.lowercased().hasSuffix(".") ? String(name.lowercased().dropLast()) : name.lowercased()
        return sans.contains { san in
            guard san.nameType == .dnsName else { return false }
            let pattern = String(decoding: Array(san.contents), as: UTF8.self).lowercased()
            return matches(pattern: pattern, host: wanted)
        }
    }

    /// `*.example.com` matches `a.example.com`, not `example.com` or `a.b.example.com`.
    static func matches(pattern: String, host: String) -> Bool {
        guard pattern.hasPrefix("*.") else { return pattern == host }
        guard let dot = host.firstIndex(of: "."), host.startIndex != dot else { return false }
        return host[dot...] == pattern.dropFirst()
    }

    /// The certificate's SANs, for messages (`DNS:localhost`, `IP:127.0.0.1`).
    static func names(_ certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { san in
            let bytes = Array(san.contents)
            if san.nameType == .dnsName { return "DNS:" + String(decoding: bytes, as: UTF8.self) }
            if san.nameType == .ipAddress { return "IP:" + (text(ofAddress: bytes) ?? "?") }
            return nil
        }
    }

    /// Whether `host` is an IPv4 or IPv6 literal.
    static func isIPAddress(_ host: String) -> Bool { addressBytes(host) != nil }

    /// The 4 or 16 bytes of an IP literal; `nil` for a name.
    static func addressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func text(ofAddress bytes: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        return ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }
}
