#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thing wrong with (error) or worth knowing about (warning) a Sidecar, and where it is.
public struct SidecarProblem: Hashable, Sendable, CustomStringConvertible {
    /// Whether Istio would reject the Sidecar or only warn.
    public enum Severity: String, Hashable, Sendable {
        /// The webhook rejects the Sidecar (`kubectl apply` fails).
        case error
        /// Accepted, but probably not what was meant.
        case warning
    }

    /// Whose rule found the problem.
    public enum Origin: String, Hashable, Sendable {
        /// Istio's validating webhook (messages are Istio's text).
        case istio
        /// meshtrim's own check (behaviour Istio accepts silently, or a version difference).
        case meshtrim
    }

    /// Where in the Sidecar the problem is.
    public enum Location: Hashable, Sendable, CustomStringConvertible {
        /// The Sidecar as a whole.
        case sidecar
        /// `spec.workloadSelector`.
        case workloadSelector
        /// `spec.egress[index]`.
        case egressListener(Int)
        /// `spec.egress[listener].hosts[index]`, with the host text.
        case egressHost(listener: Int, index: Int, host: String)
        /// `spec.ingress[index]`.
        case ingressListener(Int)
        /// `spec.outboundTrafficPolicy`.
        case outboundTrafficPolicy

        /// The YAML path, e.g. `spec.egress[0].hosts[1] "bookinfo/reviews"`; empty for the whole Sidecar.
        public var description: String {
            switch self {
            case .sidecar: return ""
            case .workloadSelector: return "spec.workloadSelector"
            case .egressListener(let index): return "spec.egress[\(index)]"
            case .egressHost(let listener, let index, let host):
                return "spec.egress[\(listener)].hosts[\(index)] \(goQuoted(host))"
            case .ingressListener(let index): return "spec.ingress[\(index)]"
            case .outboundTrafficPolicy: return "spec.outboundTrafficPolicy"
            }
        }
    }

    /// Error or warning.
    public var severity: Severity
    /// What is wrong (Istio's wording for Istio's rules).
    public var message: String
    /// Where.
    public var location: Location
    /// What to do about it, when meshtrim can say.
    public var hint: String?
    /// Whose rule it is.
    public var origin: Origin

    /// Makes a problem.
    public init(
        _ severity: Severity, _ message: String, at location: Location = .sidecar, hint: String? = nil, origin: Origin = .istio
    ) {
        self.severity = severity
        self.message = message
        self.location = location
        self.hint = hint
        self.origin = origin
    }

    /// `error: spec.egress[0].hosts[1] "x": message (hint)`.
    public var description: String {
        var text = severity.rawValue + ": "
        let place = location.description
        if !place.isEmpty { text += place + ": " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Istio's validating-webhook rules for `Sidecar` (`ValidateSidecar`), plus meshtrim's warnings about
/// Sidecars that Istio accepts but that do not do what people expect.
///
/// Version-aware where Istio changed: `~` namespace exclusions are only understood from 1.31 on.
public struct SidecarValidator: Sendable {
    /// Fields of a Sidecar manifest that the ``Sidecar`` model does not keep but the webhook checks.
    public struct Details: Hashable, Sendable {
        /// `spec.outboundTrafficPolicy.mode` as written; `""` when the object is present without `mode`; `nil` when absent.
        public var outboundTrafficPolicyMode: String?
        /// Whether `spec.outboundTrafficPolicy.egressProxy` is set.
        public var hasEgressProxy: Bool
        /// `spec.egress[i].bind`, by listener index.
        public var egressBinds: [Int: String]
        /// `spec.egress[i].captureMode`, by listener index.
        public var egressCaptureModes: [Int: String]
        /// Whether `spec.inboundConnectionPool` is set.
        public var hasInboundConnectionPool: Bool
        /// For each entry of ``Sidecar/egress``, its index in `spec.egress` (empty: the same index).
        public var egressListenerIndices: [Int]
        /// For each entry of ``Sidecar/ingressPorts``, its index in `spec.ingress` (empty: the same index).
        public var ingressListenerIndices: [Int]
        /// How many `spec.ingress` entries there were, including ones without a port (`nil`: as many as ports).
        public var ingressListenerCount: Int?

        /// Makes details; all empty by default (a Sidecar built in code).
        public init(
            outboundTrafficPolicyMode: String? = nil, hasEgressProxy: Bool = false, egressBinds: [Int: String] = [:],
            egressCaptureModes: [Int: String] = [:], hasInboundConnectionPool: Bool = false,
            egressListenerIndices: [Int] = [], ingressListenerIndices: [Int] = [], ingressListenerCount: Int? = nil
        ) {
            self.outboundTrafficPolicyMode = outboundTrafficPolicyMode
            self.hasEgressProxy = hasEgressProxy
            self.egressBinds = egressBinds
            self.egressCaptureModes = egressCaptureModes
            self.hasInboundConnectionPool = hasInboundConnectionPool
            self.egressListenerIndices = egressListenerIndices
            self.ingressListenerIndices = ingressListenerIndices
            self.ingressListenerCount = ingressListenerCount
        }
    }

    /// The Istio version whose rules apply.
    public var version: IstioVersion

    /// Makes a validator for `version`.
    public init(version: IstioVersion = .defaultVersion) {
        self.version = version
    }

    /// Every problem with `sidecar`: Istio's errors and warnings first (in Istio's order), then meshtrim's warnings.
    public func validate(_ sidecar: Sidecar, details: Details = Details()) -> [SidecarProblem] {
        var problems: [SidecarProblem] = []
        validateWorkloadSelector(sidecar.workloadSelector, into: &problems)
        let ingressCount = details.ingressListenerCount ?? sidecar.ingressPorts.count
        if sidecar.egress.isEmpty && ingressCount == 0 && sidecar.outboundTrafficPolicy == nil
            && details.outboundTrafficPolicyMode == nil && !details.hasInboundConnectionPool
        {
            problems.append(SidecarProblem(.error, "sidecar: empty configuration provided"))
        } else {
            validateIngress(sidecar.ingressPorts, details: details, into: &problems)
            validateEgress(sidecar, details: details, into: &problems)
            validateOutboundTrafficPolicy(sidecar.outboundTrafficPolicy, details: details, into: &problems)
        }
        if sidecar.egress.isEmpty {
            let whom = sidecar.workloadSelector == nil ? "the workloads of this namespace" : "the selected workloads"
            problems.append(
                SidecarProblem(
                    .warning,
                    "no egress listeners: Istio gives \(whom) egress */* (every service in the mesh); "
                        + "it does not fall back to the root namespace's Sidecar (istio/istio#59376)",
                    hint: "add spec.egress with the hosts they need, e.g. ./* and istio-system/*", origin: .meshtrim))
        }
        return problems
    }

    // MARK: workloadSelector

    private func validateWorkloadSelector(_ selector: LabelSelector?, into problems: inout [SidecarProblem]) {
        guard let selector else { return }
        for (key, value) in selector.matchLabels.sorted(by: { $0.key < $1.key }) {
            let pair = goQuoted("\(key)=\(value)")
            if key.isEmpty {
                problems.append(SidecarProblem(.error, "empty key is not supported in selector: \(pair)", at: .workloadSelector))
            }
            if key.contains("*") || value.contains("*") {
                problems.append(SidecarProblem(.error, "wildcard is not supported in selector: \(pair)", at: .workloadSelector))
            }
        }
        if selector.matchLabels.isEmpty {
            problems.append(
                SidecarProblem(
                    .warning, "sidecar: workload selector specified without labels, will be applied to all services in namespace",
                    at: .workloadSelector))
        }
    }

    // MARK: ingress

    private func validateIngress(_ ports: [SidecarPort], details: Details, into problems: inout [SidecarProblem]) {
        var seen = Set<Int>()
        for (position, port) in ports.enumerated() {
            let index = position < details.ingressListenerIndices.count ? details.ingressListenerIndices[position] : position
            let location = SidecarProblem.Location.ingressListener(index)
            if !port.name.isEmpty && !DNSLabel.isValid(port.name.utf8) {
                problems.append(SidecarProblem(.error, "invalid port name: \(port.name)", at: location))
            }
            if let problem = Self.protocolProblem(port.protocol) {
                problems.append(SidecarProblem(.error, problem, at: location))
            }
            if let problem = Self.portNumberProblem(port.number) {
                problems.append(SidecarProblem(.error, problem, at: location))
            }
            if !seen.insert(port.number).inserted {
                problems.append(SidecarProblem(.error, "sidecar: ports on IP bound listeners must be unique", at: location))
            }
        }
    }

    // MARK: egress

    private func validateEgress(_ sidecar: Sidecar, details: Details, into problems: inout [SidecarProblem]) {
        var ports = Set<Int>()
        var socketPaths = Set<String>()
        var catchAllFound = false
        for (index, listener) in sidecar.egress.enumerated() {
            let sourceIndex = index < details.egressListenerIndices.count ? details.egressListenerIndices[index] : index
            let location = SidecarProblem.Location.egressListener(sourceIndex)
            if let port = listener.port {
                let bind = details.egressBinds[index] ?? ""
                validateEgressPort(
                    port, bind: bind, captureMode: details.egressCaptureModes[index] ?? "", at: location, into: &problems)
                if port.number == 0 {
                    if !socketPaths.insert(bind).inserted {
                        problems.append(
                            SidecarProblem(
                                .error, "sidecar: unix domain socket values for listeners must be unique", at: location))
                    }
                } else if !ports.insert(port.number).inserted {
                    problems.append(SidecarProblem(.error, "sidecar: ports on IP bound listeners must be unique", at: location))
                }
            } else if catchAllFound {
                // Istio stops checking this listener here, hosts included.
                problems.append(
                    SidecarProblem(.error, "sidecar: egress can have only one listener with empty port", at: location))
                continue
            } else if index == sidecar.egress.count - 1 {
                catchAllFound = true
            } else {
                problems.append(
                    SidecarProblem(
                        .error, "sidecar: the egress listener with empty port should be the last listener in the list",
                        at: location))
            }
            if listener.hosts.isEmpty {
                problems.append(SidecarProblem(.error, "sidecar: egress listener must contain at least one host", at: location))
            } else {
                validateHosts(listener.hosts, listener: sourceIndex, namespace: sidecar.meta.namespace, into: &problems)
            }
        }
    }

    private func validateEgressPort(
        _ port: SidecarPort, bind: String, captureMode: String, at location: SidecarProblem.Location,
        into problems: inout [SidecarProblem]
    ) {
        if !port.name.isEmpty && !DNSLabel.isValid(port.name.utf8) {
            problems.append(SidecarProblem(.error, "invalid port name: \(port.name)", at: location))
        }
        if let problem = Self.protocolProblem(port.protocol) { problems.append(SidecarProblem(.error, problem, at: location)) }
        let unixPrefix = "unix://"
        if port.number == 0 {
            if bind.hasPrefix(unixPrefix) {
                if let problem = Self.unixAddressProblem(String(bind.dropFirst(unixPrefix.count))) {
                    problems.append(SidecarProblem(.error, problem, at: location))
                }
            } else {
                problems.append(
                    SidecarProblem(
                        .error, "sidecar: ports with 0 value must have a unix domain socket bind address", at: location))
            }
            if !captureMode.isEmpty && captureMode != "DEFAULT" && captureMode != "NONE" {
                problems.append(
                    SidecarProblem(
                        .error, "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners", at: location))
            }
        } else {
            if let problem = Self.portNumberProblem(port.number) {
                problems.append(SidecarProblem(.error, problem, at: location))
            }
            if !bind.isEmpty && !Self.isIPAddress(bind) {
                problems.append(SidecarProblem(.error, "\(bind) is not a valid IP", at: location))
            }
        }
    }

    /// Per-host checks, Istio's duplicate-host warnings, and meshtrim's `~` warnings for one listener.
    private func validateHosts(_ hosts: [String], listener: Int, namespace: String, into problems: inout [SidecarProblem]) {
        var byNamespace: [String: Set<String>] = [:]
        var hasImports = false
        var exclusionOfEverything: Int?
        for (index, text) in hosts.enumerated() {
            let location = SidecarProblem.Location.egressHost(listener: listener, index: index, host: text)
            let parsed = EgressHost.parse(text, version: version)
            let exclusion = (try? parsed.get())?.isExclusion ?? false
            // Istio's duplicate check (namespace "." counted as the Sidecar's namespace). From 1.31 exclusions
            // are left out: `*/*` plus `~ns1/*` is the documented way to import all but ns1.
            if !exclusion, let slash = text.firstIndex(of: "/") {
                var key = String(text[..<slash])
                let dnsName = String(text[text.index(after: slash)...])
                if key == "." { key = namespace }
                let existing = byNamespace[key, default: []]
                let duplicate = dnsName == "*" ? !existing.isEmpty : existing.contains(dnsName) || existing.contains("*")
                if duplicate {
                    problems.append(SidecarProblem(.warning, "duplicated egress host: \(text)", at: location))
                }
                byNamespace[key, default: []].insert(dnsName)
            }
            switch parsed {
            case .failure:
                for problem in EgressHost.problems(in: text, version: version) {
                    problems.append(SidecarProblem(.error, problem.message, at: location, hint: problem.hint))
                }
            case .success(let host):
                if host.isExclusion {
                    if host.namespace == .any && host.dnsName == .all { exclusionOfEverything = index }
                } else {
                    hasImports = true
                }
                if host.namespace == .named("~") && host.dnsName != .all {
                    problems.append(
                        SidecarProblem(
                            .warning,
                            "before Istio 1.31 \"~\" is an ordinary namespace name that matches no namespace, so this host imports nothing",
                            at: location, hint: "exclusions (~/host) need Istio 1.31 or later", origin: .meshtrim))
                }
            }
        }
        if byNamespace["*"]?.contains("*") == true && byNamespace.count != 1 {
            problems.append(
                SidecarProblem(
                    .warning, "`*/*` host select all resources, no other hosts can be added", at: .egressListener(listener)))
        }
        if let index = exclusionOfEverything, hasImports {
            problems.append(
                SidecarProblem(
                    .warning, "excludes every host, so the other hosts of this listener import nothing",
                    at: .egressHost(listener: listener, index: index, host: hosts[index]),
                    hint: "remove it, or exclude only what is not needed (e.g. ~ns1/*)", origin: .meshtrim))
        } else if !hasImports && exclusionOfEverything == nil && hosts.contains(where: { Self.isValidExclusion($0, version) }) {
            problems.append(
                SidecarProblem(
                    .warning, "this listener has only exclusions (~…), so it imports nothing",
                    at: .egressListener(listener), hint: "exclusions subtract from other hosts, e.g. */* plus ~ns1/*",
                    origin: .meshtrim))
        }
    }

    private static func isValidExclusion(_ text: String, _ version: IstioVersion) -> Bool {
        (try? EgressHost.parse(text, version: version).get())?.isExclusion ?? false
    }

    // MARK: outboundTrafficPolicy

    private func validateOutboundTrafficPolicy(
        _ policy: OutboundTrafficPolicy?, details: Details, into problems: inout [SidecarProblem]
    ) {
        // An outboundTrafficPolicy object without `mode` is REGISTRY_ONLY: the proto enum's zero value.
        let mode = details.outboundTrafficPolicyMode ?? policy?.rawValue
        guard let mode else { return }
        switch mode {
        case "", OutboundTrafficPolicy.allowAny.rawValue, OutboundTrafficPolicy.registryOnly.rawValue:
            break
        case "ALLOW_ANY_DYNAMIC_DNS":
            problems.append(
                SidecarProblem(
                    .error, "sidecar: outboundTrafficPolicy mode ALLOW_ANY_DYNAMIC_DNS is not supported in a Sidecar",
                    at: .outboundTrafficPolicy, hint: "set it mesh-wide in meshConfig.outboundTrafficPolicy (Istio 1.31+)",
                    origin: .meshtrim))
        default:
            problems.append(
                SidecarProblem(
                    .error, "unsupported outboundTrafficPolicy mode \(goQuoted(mode))", at: .outboundTrafficPolicy,
                    hint: "use ALLOW_ANY or REGISTRY_ONLY", origin: .meshtrim))
        }
        if details.hasEgressProxy && mode != OutboundTrafficPolicy.allowAny.rawValue {
            problems.append(
                SidecarProblem(
                    .error, "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode",
                    at: .outboundTrafficPolicy))
        }
    }

    // MARK: Field checks (Istio's messages)

    private static let protocols: Set<String> = [
        "tcp", "udp", "grpc", "grpc-web", "http", "http_proxy", "http2", "https", "tls", "mongo", "redis", "mysql",
    ]

    static func protocolProblem(_ name: String) -> String? {
        if name.isEmpty || protocols.contains(name.lowercased()) { return nil }
        return "unsupported protocol: \(name)"
    }

    static func portNumberProblem(_ number: Int) -> String? {
        (1...65535).contains(number) ? nil : "port number \(number) must be in the range 1..65535"
    }

    static func unixAddressProblem(_ path: String) -> String? {
        if path.isEmpty { return "unix address must not be empty" }
        if path.hasPrefix("@") { return nil }
        if !path.hasPrefix("/") || path.hasSuffix("/") { return "\(path) is not an absolute path to a file" }
        return nil
    }

    static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        if text.contains(":") {
            let address =
                text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
            return inet_pton(AF_INET6, address, &buffer) == 1
        }
        return inet_pton(AF_INET, text, &buffer) == 1
    }
}
