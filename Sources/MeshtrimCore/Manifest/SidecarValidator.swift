#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// Codes of meshtrim's own rules (Istio's rules have none); docs/validation.md explains each.
    public enum Code {
        /// A Sidecar without egress: its workloads import `*/*` (istio/istio#59376); the safety checks' MT0003.
        public static let noEgress = SafetyFinding.Code.workloadSidecarWithoutEgress
        /// A `~` namespace before Istio 1.31 (an ordinary name that matches nothing).
        public static let exclusionBeforeSupport = "MT0101"
        /// `~/*` next to imports in one listener: it cancels them.
        public static let exclusionOfEverything = "MT0102"
        /// A listener with only exclusions imports nothing.
        public static let onlyExclusions = "MT0103"
        /// An `outboundTrafficPolicy.mode` a Sidecar cannot have (`ALLOW_ANY_DYNAMIC_DNS`, or unknown).
        public static let unsupportedOutboundMode = "MT0104"
        /// A field of the wrong type or an unknown enum value (Istio's decoder rejects the object).
        public static let malformedField = "MT0105"
    }

    /// The Istio version whose rules apply.
    public var version: IstioVersion

    /// Makes a validator for `version`.
    public init(version: IstioVersion = .defaultVersion) {
        self.version = version
    }

    /// Every problem of a Sidecar read from a manifest: the reader's (a field of the wrong shape is meshtrim's MT0105),
    /// then ``validate(_:details:spec:)``'s.
    public func validate(_ document: SidecarDocument, spec: JSONValue?) -> [SidecarProblem] {
        let read = document.problems.map { problem in
            guard problem.origin == .meshtrim, problem.code == nil else { return problem }
            var coded = problem
            coded.code = Code.malformedField
            return coded
        }
        return read + validate(document.sidecar, details: document.details, spec: spec)
    }

    /// Every problem with `sidecar`: Istio's errors and warnings first (in Istio's order), then meshtrim's warnings.
    ///
    /// - Parameter spec: the Sidecar's `spec` as written, when there is one (``SidecarDocument/spec``):
    ///   the rules for what the ``Sidecar`` model does not carry (ingress `bind`, `defaultEndpoint`, `tls`,
    ///   `connectionPool`, `targetPort`, `inboundConnectionPool`, `outboundTrafficPolicy.egressProxy`) run on it.
    ///   Without it the ingress ports are checked from the model alone.
    public func validate(_ sidecar: Sidecar, details: Details = Details(), spec: JSONValue? = nil) -> [SidecarProblem] {
        var problems: [SidecarProblem] = []
        // Istio's validateMetadata wraps every validator: these annotations reject the object before anything else.
        if sidecar.meta.annotations["istio.io/dry-run"] != nil {
            return [
                SidecarProblem(
                    .error, "\(sidecar.meta.namespace)/\(sidecar.meta.name) has unsupported annotation istio.io/dry-run, "
                        + "please remove the annotation")
            ]
        }
        if sidecar.meta.annotations["internal.istio.io/webhook-always-reject"] != nil {
            return [SidecarProblem(.error, "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting")]
        }
        validateWorkloadSelector(sidecar.workloadSelector, into: &problems)
        // ValidateAlphaWorkloadSelector's errors end the validation (`return nil, err`): nothing else is reported.
        if problems.contains(where: { $0.severity == .error }) { return problems.filter { $0.severity == .error } }
        let ingressCount = details.ingressListenerCount ?? sidecar.ingressPorts.count
        if sidecar.egress.isEmpty && ingressCount == 0 && sidecar.outboundTrafficPolicy == nil
            && details.outboundTrafficPolicyMode == nil && !details.hasInboundConnectionPool
        {
            problems.append(SidecarProblem(.error, "sidecar: empty configuration provided"))
        } else {
            if let spec {
                problems += SidecarIngressValidator.problems(in: spec)
                problems += ConnectionPoolValidator.problems(spec["inboundConnectionPool"]).map {
                    SidecarProblem($0.severity, $0.message, at: .inboundConnectionPool, origin: $0.origin, code: $0.code)
                }
                problems += Self.egressTargetPortProblems(in: spec)
            } else {
                validateIngress(sidecar.ingressPorts, details: details, into: &problems)
            }
            validateEgress(sidecar, details: details, into: &problems)
            validateOutboundTrafficPolicy(
                sidecar.outboundTrafficPolicy, details: details, egressProxy: spec?.value(at: "outboundTrafficPolicy.egressProxy"),
                into: &problems)
        }
        if sidecar.egress.isEmpty {
            let whom = sidecar.workloadSelector == nil ? "the workloads of this namespace" : "the selected workloads"
            problems.append(
                SidecarProblem(
                    .warning,
                    "no egress listeners: Istio gives \(whom) egress */* (every service in the mesh); "
                        + "it does not fall back to the root namespace's Sidecar (istio/istio#59376)",
                    hint: "add spec.egress with the hosts they need, e.g. ./* and istio-system/*", code: Code.noEgress))
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
                            at: location, hint: "exclusions (~/host) need Istio 1.31 or later", code: Code.exclusionBeforeSupport))
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
                    hint: "remove it, or exclude only what is not needed (e.g. ~ns1/*)", code: Code.exclusionOfEverything))
        } else if !hasImports && exclusionOfEverything == nil && hosts.contains(where: { Self.isValidExclusion($0, version) }) {
            problems.append(
                SidecarProblem(
                    .warning, "this listener has only exclusions (~…), so it imports nothing",
                    at: .egressListener(listener), hint: "exclusions subtract from other hosts, e.g. */* plus ~ns1/*",
                    code: Code.onlyExclusions))
        }
    }

    private static func isValidExclusion(_ text: String, _ version: IstioVersion) -> Bool {
        (try? EgressHost.parse(text, version: version).get())?.isExclusion ?? false
    }

    // MARK: outboundTrafficPolicy

    private func validateOutboundTrafficPolicy(
        _ policy: OutboundTrafficPolicy?, details: Details, egressProxy: JSONValue?, into problems: inout [SidecarProblem]
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
                    code: Code.unsupportedOutboundMode))
        default:
            problems.append(
                SidecarProblem(
                    .error, "unsupported outboundTrafficPolicy mode \(goQuoted(mode))", at: .outboundTrafficPolicy,
                    hint: "use ALLOW_ANY or REGISTRY_ONLY", code: Code.unsupportedOutboundMode))
        }
        guard details.hasEgressProxy || egressProxy.map({ $0 != .null }) == true else { return }
        if mode != OutboundTrafficPolicy.allowAny.rawValue {
            problems.append(
                SidecarProblem(
                    .error, "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode",
                    at: .outboundTrafficPolicy))
            return
        }
        if let egressProxy {
            problems += Self.egressProxyProblems(egressProxy).map { SidecarProblem(.error, $0, at: .outboundTrafficPolicy) }
        }
    }

    /// Istio's `validateSidecarOutboundTrafficPolicy` after the mode check: an FQDN host, a port, then
    /// `validateDestination` (host not `*`, a wildcard domain; subset a DNS label; port in range).
    static func egressProxyProblems(_ proxy: JSONValue) -> [String] {
        let host = proxy["host"]?.stringValue ?? ""
        var messages: [String] = []
        if let problem = DNSLabel.fqdnProblem(Substring(host)) { messages.append(problem.message) }
        guard let port = proxy["port"], port != .null else {
            messages.append("sidecar: egress_proxy port must be non-nil")
            return messages
        }
        if host == "*" {
            messages.append("invalid destination host *")
        } else if let problem = DNSLabel.wildcardDomainProblem(Substring(host)) {
            messages.append(problem.message)
        }
        if let subset = proxy["subset"]?.stringValue, !subset.isEmpty, !DNSLabel.isValid(subset.utf8) {
            messages.append("subset name is invalid: \(subset)")
        }
        if let problem = portNumberProblem(port["number"]?.intValue ?? 0) { messages.append(problem) }
        return messages
    }

    /// `targetPort has no impact on Sidecars` for egress listeners (the ``Sidecar`` model has no `targetPort`).
    static func egressTargetPortProblems(in spec: JSONValue) -> [SidecarProblem] {
        guard let egress = spec["egress"]?.arrayValue else { return [] }
        return egress.enumerated().compactMap { index, listener in
            guard let targetPort = listener["port"]?["targetPort"]?.intValue, targetPort > 0 else { return nil }
            return SidecarProblem(.error, "targetPort has no impact on Sidecars", at: .egressListener(index))
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
