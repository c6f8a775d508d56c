import Foundation
import Synchronization

/// Faults the lab injects on request, for reliability tests of clients (`--fault …`).
///
/// - `latency=300ms`: every API answer is delayed by this much.
/// - `error-rate=0.2`: this fraction of API requests fails with 503 (`Retry-After: 1`) or 500, at random.
/// - `truncate-rate=0.1`: this fraction of answers is cut off half-way and the connection closed.
/// - `slow-envoy` or `slow-envoy=3s`: pod-proxy and port-forward answers wait this long (default 3 s) and Sidecar
///   changes reach the Envoys this much later, like an overloaded sidecar and a slow istiod push.
/// - `forbid=VERB:RESOURCE` (repeatable): RBAC denies every user that verb on that plural resource (`patch:sidecars`,
///   `*:sidecars`, `create:selfsubjectaccessreviews`), in SelfSubjectAccessReviews and in the requests themselves
///   (403), like a cluster whose RBAC is tighter than the kubeconfig suggests.
/// - `pod-network=unreachable` or `pod-network=refused`: the API server cannot reach pod IPs (a firewall, security
///   group or NetworkPolicy): every pod-proxy request is answered as a real API server answers it, 503
///   `error trying to reach service: dial tcp IP:PORT: i/o timeout` (after 500 ms; a real server waits for its 30 s
///   dial timeout) or `…: connect: connection refused` (at once). Port-forward (through the kubelet) still works.
/// - `port-forward=linger` or `port-forward=linger=2s`: after the pod side of a port-forward has closed, the stream
///   stays open this long (default 1 s) unless the client closes it, as container runtimes do; each session's
///   end is logged (`lab: port-forward NS/POD closed by the client|lab …`).
/// - `fail-first=N:METHOD:RESOURCE`, `truncate-first=N:METHOD:RESOURCE`, `garble-first=N:METHOD:RESOURCE`
///   (repeatable): deterministic faults for tests, see ``Rule``.
public struct LabFaults: Sendable, Hashable {
    /// A deterministic fault: the first ``count`` requests that match ``method`` and ``resource`` get it, the rest
    /// are served normally (so a test knows exactly how many tries fail).
    public struct Rule: Sendable, Hashable {
        /// What happens to a matching request.
        public enum Kind: String, Sendable, Hashable {
            /// 503 ServiceUnavailable with `Retry-After: 1`, before the API sees the request (nothing changes).
            case fail = "fail-first"
            /// The API handles the request (a write takes effect), then the answer is cut off half-way and the
            /// connection closed: the client cannot know whether it worked.
            case truncate = "truncate-first"
            /// The API handles the request, then answers with a complete response whose body is only the first half
            /// of the real one (not valid JSON).
            case garble = "garble-first"
        }

        /// What happens.
        public var kind: Kind
        /// How many matching requests get it.
        public var count: Int
        /// `GET`, `POST`, `PATCH`, `PUT`, `DELETE`, `*` (any), `dry-run` (any request with `dryRun=All`) or `write`
        /// (any other request that is not a GET).
        public var method: String
        /// The plural resource the path names (`pods`, `sidecars`, `namespaces`, `selfsubjectaccessreviews`;
        /// `pods` for `…/pods/NAME/proxy/…` too), or `*`.
        public var resource: String

        /// Whether a request matches.
        func matches(method requestMethod: String, resource requestResource: String, isDryRun: Bool) -> Bool {
            guard resource == "*" || resource == requestResource else { return false }
            switch method {
            case "*": return true
            case "DRY-RUN": return isDryRun
            case "WRITE": return requestMethod != "GET" && !isDryRun
            default: return method == requestMethod
            }
        }
    }

    /// How often each rule was used, shared by every copy of the faults (one server).
    private final class Usage: Sendable {
        let counts = Mutex<[Int: Int]>([:])
    }


    /// Added to every API answer.
    public var latency: Duration = .zero
    /// Fraction of requests that fail.
    public var errorRate: Double = 0
    /// Fraction of answers that are truncated.
    public var truncateRate: Double = 0
    /// Delay of the sidecar paths, when the Envoys are slow.
    public var slowEnvoy: Duration = .zero
    /// `verb:resource` pairs RBAC denies every user (`*` for any verb).
    public var forbidden: Set<String> = []
    /// How the pod network fails for the API server's pod proxy (`nil`: it works).
    public var podNetwork: PodNetworkFault?
    /// How long a port-forward stream stays open after the pod side closed (zero: it closes at once).
    public var portForwardLinger: Duration = .zero
    /// Deterministic faults, in the order given; the first rule with tries left takes a request.
    public var rules: [Rule] = []
    private let usage = Usage()

    /// No faults.
    public init() {}

    /// Whether any fault is on.
    public var isEmpty: Bool { self == LabFaults() }

    /// Equal when the same faults are configured (how often rules were used does not count).
    public static func == (left: LabFaults, right: LabFaults) -> Bool {
        left.latency == right.latency && left.errorRate == right.errorRate && left.truncateRate == right.truncateRate
            && left.slowEnvoy == right.slowEnvoy && left.forbidden == right.forbidden && left.rules == right.rules
            && left.podNetwork == right.podNetwork && left.portForwardLinger == right.portForwardLinger
    }

    /// Hashes the configured faults.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(latency)
        hasher.combine(errorRate)
        hasher.combine(truncateRate)
        hasher.combine(slowEnvoy)
        hasher.combine(forbidden)
        hasher.combine(rules)
        hasher.combine(podNetwork)
        hasher.combine(portForwardLinger)
    }

    /// The deterministic fault for a request, if a rule with tries left matches it (the try is counted).
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the request path (`/api/v1/namespaces/shop/pods`).
    ///   - isDryRun: whether the request has `dryRun=All`.
    public func injection(method: String, path: String, isDryRun: Bool) -> Rule.Kind? {
        guard !rules.isEmpty else { return nil }
        let resource = Self.resource(of: path)
        return usage.counts.withLock { counts -> Rule.Kind? in
            for (index, rule) in rules.enumerated()
            where counts[index, default: 0] < rule.count && rule.matches(method: method.uppercased(), resource: resource, isDryRun: isDryRun) {
                counts[index, default: 0] += 1
                return rule.kind
            }
            return nil
        }
    }

    /// The plural resource a path names: `/api/v1/namespaces/shop/pods/x/proxy/stats` → `pods`,
    /// `/api/v1/namespaces` → `namespaces`, `/version` → `version`.
    static func resource(of path: String) -> String {
        var segments = path.split(separator: "/").map(String.init)
        if segments.first == "api" { segments.removeFirst(min(2, segments.count)) }
        if segments.first == "apis" { segments.removeFirst(min(3, segments.count)) }
        if segments.first == "namespaces", segments.count >= 3 { return segments[2] }
        return segments.first ?? ""
    }

    /// Parses `--fault` values.
    ///
    /// - Throws: ``LabError`` naming the value and the accepted forms.
    public static func parse(_ specifications: [String]) throws -> LabFaults {
        var faults = LabFaults()
        for specification in specifications {
            let parts = specification.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let name = parts[0]
            let value = parts.count > 1 ? parts[1] : nil
            switch name {
            case "latency":
                faults.latency = try duration(value, in: specification)
            case "error-rate":
                faults.errorRate = try rate(value, in: specification)
            case "truncate-rate":
                faults.truncateRate = try rate(value, in: specification)
            case "slow-envoy":
                faults.slowEnvoy = try value.map { try duration($0, in: specification) } ?? .seconds(3)
            case "forbid":
                let parts = (value ?? "").split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw LabError("fault \"\(specification)\" needs VERB:RESOURCE, e.g. forbid=patch:sidecars or forbid=*:sidecars")
                }
                faults.forbidden.insert(parts.joined(separator: ":"))
            case "pod-network":
                guard let value, let fault = PodNetworkFault(rawValue: value) else {
                    throw LabError("fault \"\(specification)\" needs pod-network=unreachable or pod-network=refused")
                }
                faults.podNetwork = fault
            case "port-forward":
                let parts = (value ?? "").split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.first == "linger" else {
                    throw LabError("fault \"\(specification)\" needs port-forward=linger or port-forward=linger=2s")
                }
                faults.portForwardLinger = parts.count > 1 ? try duration(parts[1], in: specification) : .seconds(1)
            case Rule.Kind.fail.rawValue, Rule.Kind.truncate.rawValue, Rule.Kind.garble.rawValue:
                let parts = (value ?? "").split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                let methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "*", "DRY-RUN", "WRITE"]
                guard parts.count == 3, let count = Int(parts[0]), count >= 0, methods.contains(parts[1].uppercased()), !parts[2].isEmpty,
                    let kind = Rule.Kind(rawValue: name)
                else {
                    throw LabError(
                        "fault \"\(specification)\" needs N:METHOD:RESOURCE, e.g. \(name)=2:GET:pods or \(name)=1:dry-run:sidecars "
                            + "(METHOD: GET, POST, PATCH, PUT, DELETE, *, dry-run or write)")
                }
                faults.rules.append(Rule(kind: kind, count: count, method: parts[1].uppercased(), resource: parts[2].lowercased()))
            default:
                throw LabError(
                    "unknown fault \"\(specification)\"; use latency=300ms, error-rate=0.2, truncate-rate=0.1, slow-envoy[=3s], "
                        + "pod-network=unreachable|refused, port-forward=linger[=1s], forbid=VERB:RESOURCE, fail-first=N:METHOD:RESOURCE, truncate-first=… or garble-first=…")
            }
        }
        return faults
    }

    /// Parses `300ms`, `2s`, `1.5s`, `1m`.
    static func duration(_ text: String?, in specification: String) throws -> Duration {
        guard let text, !text.isEmpty else { throw LabError("fault \"\(specification)\" needs a duration, e.g. 300ms or 2s") }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number >= 0 {
                return .milliseconds(Int64((number * scale * 1000).rounded()))
            }
        }
        throw LabError("fault \"\(specification)\": \"\(text)\" is not a duration; use e.g. 300ms, 2s or 1m")
    }

    private static func rate(_ text: String?, in specification: String) throws -> Double {
        guard let text, let value = Double(text), (0...1).contains(value) else {
            throw LabError("fault \"\(specification)\" needs a rate between 0 and 1, e.g. error-rate=0.2")
        }
        return value
    }
}

/// How the API server fails to reach pod IPs (the lab's `pod-network=` fault).
public enum PodNetworkFault: String, Sendable, Hashable {
    /// Packets are dropped: the dial times out (`i/o timeout`).
    case unreachable
    /// Connections are rejected (`connect: connection refused`).
    case refused

    /// The Status a real API server answers a pod-proxy request with, for a pod at `ip`, port `port`.
    func status(ip: String, port: Int) -> KubernetesStatus {
        let cause = self == .unreachable ? "i/o timeout" : "connect: connection refused"
        return KubernetesStatus(
            code: 503, reason: "ServiceUnavailable", message: "error trying to reach service: dial tcp \(ip):\(port): \(cause)")
    }

    /// How long the answer takes (a real server waits for its 30 s dial timeout; the lab shortens it).
    var delay: Duration { self == .unreachable ? .milliseconds(500) : .zero }
}
