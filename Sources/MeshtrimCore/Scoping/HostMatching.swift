/// Istio's hostname matching rules (`pkg/config/host/name.go`), on plain strings.
///
/// A wildcard is a name starting with `*` (`*`, `*.example.com`); only the left-most label may be one.
public enum HostMatching {
    /// Whether `host` is a wildcard name.
    @inlinable
    public static func isWildcard(_ host: String) -> Bool { host.utf8.first == UInt8(ascii: "*") }

    /// Istio's `SubsetOf`: whether every name `host` stands for is also covered by `pattern`.
    ///
    /// An exact pattern never covers a wildcard host (`en.wikipedia.org` does not cover `*.wikipedia.org`), and
    /// `*.a.com` does not cover `a.com`.
    public static func isSubset(_ host: String, of pattern: String) -> Bool {
        let hostWildcard = isWildcard(host)
        let patternWildcard = isWildcard(pattern)
        if hostWildcard {
            guard patternWildcard, host.utf8.count >= pattern.utf8.count else { return false }
            return host.utf8.dropFirst().elementsEqualSuffix(pattern.utf8.dropFirst())
        }
        if patternWildcard {
            return host.utf8.elementsEqualSuffix(pattern.utf8.dropFirst())
        }
        return host == pattern
    }

    /// Istio's `Matches`: whether the two names overlap in either direction (used for VirtualService hosts).
    public static func matches(_ lhs: String, _ rhs: String) -> Bool {
        let lhsWildcard = isWildcard(lhs)
        let rhsWildcard = isWildcard(rhs)
        if lhsWildcard && rhsWildcard {
            if lhs.utf8.count < rhs.utf8.count { return rhs.utf8.dropFirst().elementsEqualSuffix(lhs.utf8.dropFirst()) }
            return lhs.utf8.dropFirst().elementsEqualSuffix(rhs.utf8.dropFirst())
        }
        if lhsWildcard { return rhs.utf8.elementsEqualSuffix(lhs.utf8.dropFirst()) }
        if rhsWildcard { return lhs.utf8.elementsEqualSuffix(rhs.utf8.dropFirst()) }
        return lhs == rhs
    }

    /// Istio's `ResolveShortnameToFQDN`: `reviews` in namespace `default` becomes
    /// `reviews.default.svc.cluster.local`; names with a dot, `*` and IP addresses stay as they are.
    public static func resolveShortName(_ host: String, namespace: String, domainSuffix: String) -> String {
        if host == "*" || host.contains(".") || host.contains(":") { return host }
        var result = host
        if !namespace.isEmpty { result += ".\(namespace)" }
        if !domainSuffix.isEmpty { result += ".svc.\(domainSuffix)" }
        return result
    }
}

extension Collection where Element == UInt8 {
    /// Whether `suffix` ends this collection (byte comparison; the empty suffix always does).
    @usableFromInline
    func elementsEqualSuffix<Suffix: Collection>(_ suffix: Suffix) -> Bool where Suffix.Element == UInt8 {
        guard suffix.count <= count else { return false }
        return self.dropFirst(count - suffix.count).elementsEqual(suffix)
    }
}
