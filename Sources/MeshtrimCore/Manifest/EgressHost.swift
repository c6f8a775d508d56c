/// One parsed Sidecar egress host, `namespace/dnsName` (e.g. `./*`, `istio-system/*`, `*/*.example.com`, `~ns1/*`).
///
/// Istio's validating webhook and istiod read these strings with slightly different rules; ``parse(_:version:)``
/// follows the webhook (what `kubectl apply` accepts) and ``init(runtime:version:)`` follows istiod (what a stored
/// Sidecar means). Both are allocation-light so the scope engine can parse every host of every Sidecar cheaply.
public struct EgressHost: Hashable, Sendable, CustomStringConvertible {
    /// Which namespaces an egress host selects.
    public enum Namespace: Hashable, Sendable {
        /// `*`: every namespace.
        case any
        /// `.`: the namespace of the proxy (also when written in the root namespace's Sidecar).
        case current
        /// A namespace by name.
        case named(String)
    }

    /// Which hostnames an egress host selects within its namespaces.
    public enum DNSName: Hashable, Sendable {
        /// `*`: every hostname.
        case all
        /// `*<suffix>`: hostnames ending in `suffix`; for a valid host the suffix starts with a dot (`.example.com`).
        case wildcard(suffix: String)
        /// One exact hostname, e.g. `reviews.bookinfo.svc.cluster.local`.
        case exact(String)
    }

    /// The namespaces selected (or excluded, see ``isExclusion``).
    public var namespace: Namespace
    /// The hostnames selected (or excluded).
    public var dnsName: DNSName
    /// Whether this host subtracts from what the listener imports (`~ns/x`, `~*/x`, `~/x`; Istio 1.31+).
    public var isExclusion: Bool

    /// Makes an egress host.
    public init(namespace: Namespace, dnsName: DNSName, isExclusion: Bool = false) {
        self.namespace = namespace
        self.dnsName = dnsName
        self.isExclusion = isExclusion
    }

    /// The host as it is written in a Sidecar; bare `~` stands for "exclude from every namespace".
    public var description: String {
        let namespaceText: String
        switch (namespace, isExclusion) {
        case (.any, true): namespaceText = "~"
        case (.any, false): namespaceText = "*"
        case (.current, _): namespaceText = isExclusion ? "~." : "."
        case (.named(let name), _): namespaceText = isExclusion ? "~" + name : name
        }
        return namespaceText + "/" + dnsNameText
    }

    /// The `dnsName` part as written (`*`, `*.example.com`, `reviews.bookinfo.svc.cluster.local`).
    public var dnsNameText: String {
        switch dnsName {
        case .all: return "*"
        case .wildcard(let suffix): return "*" + suffix
        case .exact(let name): return name
        }
    }

    /// The namespace key istiod files this host under: `*`, the proxy's namespace for `.`, or the name.
    public func namespaceKey(proxyNamespace: String) -> String {
        switch namespace {
        case .any: return "*"
        case .current: return proxyNamespace
        case .named(let name): return name
        }
    }

    /// Whether the `dnsName` part selects a service registered under `hostname` (Istio's `host.Name.SubsetOf`).
    ///
    /// `*` selects everything; `*.a.com` selects `b.a.com` but not `a.com`; an exact name never selects a
    /// wildcard service (`*/en.wikipedia.org` does not import the ServiceEntry host `*.wikipedia.org`). The same
    /// ``HostMatching/isSubset(_:of:)`` the scope engine uses; namespaces and exclusions are ``ListenerHosts``'s part.
    public func selects(hostname: String) -> Bool {
        HostMatching.isSubset(hostname, of: dnsNameText)
    }

    // MARK: Parsing

    /// Parses `text` the way Istio's validating webhook does, returning the host or the first problem.
    ///
    /// `~` namespaces are exclusions from 1.31 on; before, `~` alone is an ordinary (never existing) namespace name
    /// and `~ns` is rejected. Use ``problems(in:version:)`` to get every problem the webhook would list.
    public static func parse(_ text: String, version: IstioVersion = .defaultVersion) -> Result<EgressHost, EgressHostProblem> {
        var problems: [EgressHostProblem] = []
        let host = analyze(text, version: version, problems: &problems)
        if let host, problems.isEmpty { return .success(host) }
        return .failure(problems.first ?? .notNamespaceSlashDNSName)
    }

    /// Every problem Istio's webhook reports for `text` (empty when the host is valid), without duplicates.
    public static func problems(in text: String, version: IstioVersion = .defaultVersion) -> [EgressHostProblem] {
        var problems: [EgressHostProblem] = []
        _ = analyze(text, version: version, problems: &problems)
        return problems
    }

    /// Reads `text` the way istiod does when it builds a proxy's scope, without the webhook's checks.
    ///
    /// Returns `nil` only for entries istiod skips (not exactly one `/`). Short names and partial wildcards are
    /// kept as istiod keeps them: `ns/reviews` is exact `reviews`, `ns/*foo.com` is a wildcard with suffix `foo.com`.
    public init?(runtime text: String, version: IstioVersion = .defaultVersion) {
        guard let slash = text.utf8.firstIndex(of: UInt8(ascii: "/")),
            !text.utf8[text.utf8.index(after: slash)...].contains(UInt8(ascii: "/"))
        else { return nil }
        let namespaceText = text[..<slash]
        let dnsText = text[text.utf8.index(after: slash)...]
        var exclusion = false
        var body = namespaceText
        if version.supportsExclusions, body.utf8.first == UInt8(ascii: "~") {
            exclusion = true
            body = body.dropFirst()
        }
        let namespace: Namespace
        if body == "*" || (exclusion && body.isEmpty) {
            namespace = .any
        } else if body == "." {
            namespace = .current
        } else {
            namespace = .named(String(body))
        }
        self.init(namespace: namespace, dnsName: Self.dnsName(dnsText), isExclusion: exclusion)
    }

    private static func dnsName(_ text: Substring) -> DNSName {
        if text == "*" { return .all }
        if text.utf8.first == UInt8(ascii: "*") { return .wildcard(suffix: String(text.dropFirst())) }
        return .exact(String(text))
    }

    /// The webhook's checks (`ValidateNamespaceSlashWildcardHostname` for sidecars), in Istio's order.
    private static func analyze(_ text: String, version: IstioVersion, problems: inout [EgressHostProblem]) -> EgressHost? {
        func report(_ problem: EgressHostProblem) {
            if !problems.contains(problem) { problems.append(problem) }
        }
        let utf8 = text.utf8
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else {
            report(.notNamespaceSlashDNSName)
            return nil
        }
        let namespaceText = text[..<slash]
        let dnsText = text[utf8.index(after: slash)...]
        if namespaceText.isEmpty || dnsText.isEmpty {
            report(.emptyNamespaceOrDNSName)
            // Istio 1.31 stops at this error (`/foo.com` is one error); before, the namespace and dnsName checks
            // ran on the empty part too (a second error).
            if version.supportsExclusions { return nil }
        }

        var namespace: Namespace?
        var exclusion = false
        switch namespaceText {
        case "*": namespace = .any
        case ".": namespace = .current
        case "~":
            if version.supportsExclusions {
                namespace = .any
                exclusion = true
            } else {
                namespace = .named("~")
            }
        default:
            if namespaceText.utf8.first == UInt8(ascii: "~"), version.supportsExclusions {
                let target = namespaceText.dropFirst()
                if target == "*" {
                    namespace = .any
                } else if DNSLabel.isValid(target.utf8) {
                    namespace = .named(String(target))
                }
                exclusion = true
            } else if DNSLabel.isValid(namespaceText.utf8) {
                namespace = .named(String(namespaceText))
            }
            if namespace == nil {
                let looksLikeExclusion = namespaceText.utf8.first == UInt8(ascii: "~") && !version.supportsExclusions
                report(.invalidNamespace(String(namespaceText), needsExclusionSupport: looksLikeExclusion))
            }
        }

        // validateSidecarOrGatewayHostnamePart: short name, wildcard domain, partial wildcard.
        if dnsText != "*" && !dnsText.utf8.contains(UInt8(ascii: ".")) { report(.shortName(String(dnsText))) }
        if let problem = DNSLabel.wildcardDomainProblem(dnsText) { report(problem) }
        if dnsText.utf8.contains(UInt8(ascii: "*")) && dnsText.utf8.count != 1 && !dnsText.hasPrefix("*.") {
            report(.partialWildcard(String(dnsText)))
        }
        guard problems.isEmpty, let namespace else { return nil }
        return EgressHost(namespace: namespace, dnsName: dnsName(dnsText), isExclusion: exclusion)
    }
}

/// Why Istio's webhook rejects an egress host; ``message`` is Istio's own text, ``hint`` says what to write instead.
public enum EgressHostProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// No `/` at all.
    case notNamespaceSlashDNSName
    /// `/x` or `ns/`.
    case emptyNamespaceOrDNSName
    /// The namespace part is not `*`, `.`, `~…` (1.31+) or a DNS-1123 label; the flag says it starts with `~`.
    case invalidNamespace(String, needsExclusionSupport: Bool)
    /// A dnsName without a dot that is not `*`, e.g. `bookinfo/reviews`.
    case shortName(String)
    /// An empty dnsName.
    case emptyDomain
    /// A dnsName longer than 255 bytes.
    case domainTooLong(String)
    /// A label of `domain` is not a DNS-1123 label (`*` allowed only left-most).
    case invalidLabel(domain: String, label: String)
    /// The last label of `domain` is a number.
    case numericTopLevelDomain(domain: String, label: String)
    /// A `*` that is not the whole left-most label, e.g. `*foo.com`.
    case partialWildcard(String)

    /// Istio's message for this problem, word for word.
    public var message: String {
        switch self {
        case .notNamespaceSlashDNSName: return "host must be of form namespace/dnsName"
        case .emptyNamespaceOrDNSName: return "config namespace and dnsName in host entry cannot be empty"
        case .invalidNamespace(let namespace, _): return "invalid namespace value \(goQuoted(namespace)) in sidecar"
        case .shortName: return "short names (non FQDN) are not allowed"
        case .emptyDomain: return "empty domain name not allowed"
        case .domainTooLong(let domain): return "domain name \(goQuoted(domain)) too long (max 255)"
        case .invalidLabel(let domain, let label):
            return "domain name \(goQuoted(domain)) invalid (label \(goQuoted(label)) invalid)"
        case .numericTopLevelDomain(let domain, let label):
            return "domain name \(goQuoted(domain)) invalid (top level domain \(goQuoted(label)) cannot be all-numeric)"
        case .partialWildcard(let domain): return "partial wildcard \(goQuoted(domain)) not allowed"
        }
    }

    /// What to write instead, when meshtrim can say.
    public var hint: String? {
        switch self {
        case .notNamespaceSlashDNSName:
            return "write namespace/dnsName, e.g. ./* or istio-system/* or */api.example.com"
        case .invalidNamespace(_, let needsExclusionSupport) where needsExclusionSupport:
            return "namespace exclusions (~ns/…) need Istio 1.31 or later; before that only ~/* (import nothing) is accepted"
        case .shortName(let name):
            return "use the full hostname (e.g. \(name).NAMESPACE.svc.cluster.local) or NAMESPACE/*"
        case .partialWildcard:
            return "a wildcard must be a whole left-most label: *.example.com"
        default:
            return nil
        }
    }

    /// The message, followed by the hint when there is one.
    public var description: String {
        guard let hint else { return message }
        return "\(message) (\(hint))"
    }
}

/// Go's `%q` for the ASCII strings Istio quotes: double quotes with backslash escapes.
func goQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

/// DNS-1123 label and domain checks exactly as Istio's `labels` and `agent` validation packages apply them.
enum DNSLabel {
    /// `[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?`, at most 63 bytes (Istio accepts upper case).
    static func isValid<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, bytes.count <= 63, isAlphanumeric(first) else { return false }
        var last = first
        for byte in bytes {
            guard isAlphanumeric(byte) || byte == UInt8(ascii: "-") else { return false }
            last = byte
        }
        return isAlphanumeric(last)
    }

    /// `*`, a label, or a label prefixed with `*` or `*-` (Istio's `IsWildcardDNS1123Label`).
    static func isValidWildcard(_ label: Substring) -> Bool {
        let bytes = label.utf8
        guard bytes.count <= 63 else { return false }
        if label == "*" || isValid(bytes) { return true }
        guard bytes.first == UInt8(ascii: "*") else { return false }
        let afterStar = bytes.dropFirst()
        if isValid(afterStar) { return true }
        return afterStar.first == UInt8(ascii: "-") && isValid(afterStar.dropFirst())
    }

    /// Istio's `ValidateWildcardDomain`: length, left-most (wildcard) label, then the rest as DNS labels.
    static func wildcardDomainProblem(_ domain: Substring) -> EgressHostProblem? {
        if domain.utf8.count > 255 { return .domainTooLong(String(domain)) }
        if domain.isEmpty { return .emptyDomain }
        guard let dot = domain.utf8.firstIndex(of: UInt8(ascii: ".")) else {
            return isValidWildcard(domain) ? nil : .invalidLabel(domain: String(domain), label: String(domain))
        }
        let first = domain[..<dot]
        guard isValidWildcard(first) else { return .invalidLabel(domain: String(domain), label: String(first)) }
        return labelsProblem(domain[domain.utf8.index(after: dot)...])
    }

    /// Istio's `ValidateDNS1123Labels`: no all-numeric top-level label; every label valid; a trailing dot allowed.
    static func labelsProblem(_ domain: Substring) -> EgressHostProblem? {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if let top = labels.last, Int(top) != nil {
            return .numericTopLevelDomain(domain: String(domain), label: String(top))
        }
        for (index, label) in labels.enumerated() {
            if index == labels.count - 1 && label.isEmpty { return nil }
            if !isValid(label.utf8) { return .invalidLabel(domain: String(domain), label: String(label)) }
        }
        return nil
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
