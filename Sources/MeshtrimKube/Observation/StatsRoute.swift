/// How many sidecars are read at once on each way to them.
public struct ObservationConcurrency: Sendable, Hashable {
    /// Pod-proxy reads at once (each a small request on the client's shared connections).
    public var podProxy: Int
    /// Port-forwards at once (each its own TLS connection, WebSocket and kubelet stream).
    public var portForward: Int

    /// Makes limits (each at least 1).
    public init(podProxy: Int = 16, portForward: Int = 8) {
        self.podProxy = max(1, podProxy)
        self.portForward = max(1, portForward)
    }
}

/// Which way the observer reads Envoy stats, decided from the first reads (issue #16 item 1).
///
/// The pod proxy needs the API server to reach pod IPs; security groups that allow only 443/10250 from the control
/// plane, overlay networks it has no route into, private GKE clusters without the extra firewall rule and
/// default-deny NetworkPolicies close it. A port-forward goes through the kubelet instead. Until one pod-proxy read
/// succeeded, each sidecar whose pod-proxy read fails the network way (refused, timed out, `dial tcp … i/o timeout`)
/// is read by port-forward at once, and after ``threshold`` identical failures the rest of the run goes by
/// port-forward, with one note saying why. When the port-forward fails for the first sidecars too (or is not
/// permitted), the run stops asking: every sidecar left fails at once with one reason, instead of each waiting for
/// its timeout.
public struct StatsRoute: Sendable {
    /// Where the decision stands.
    public enum State: Sendable, Hashable {
        /// No pod-proxy read has succeeded yet, and not enough have failed alike.
        case probing
        /// A pod-proxy read succeeded: the pod network is open to the API server.
        case podProxy
        /// The pod proxy failed alike for the first sidecars: the rest go by port-forward.
        case portForward
        /// Neither way reaches the sidecars: nothing more is asked.
        case stopped
    }

    /// Where the decision stands.
    public private(set) var state = State.probing
    /// Why the run changed its way or stopped, once (for the notes).
    public private(set) var note: String?
    /// What every sidecar left fails with once stopped.
    public private(set) var stopError: KubeError?
    /// Identical failures that decide.
    public let threshold: Int
    /// Whether a port-forward may be tried (RBAC).
    public let portForwardPermitted: Bool
    private var proxyFailures: [String: (count: Int, first: KubeError)] = [:]
    private var forwardFailures: [String: (count: Int, first: KubeError)] = [:]
    private var forwardWorked = false

    /// Whether a port-forward read has succeeded (until then port-forwards get the probe's short time limit).
    public var portForwardWorked: Bool { forwardWorked }

    /// A route that decides after `threshold` identical failures (at least 1). Without `pods/proxy` (but with
    /// `pods/portforward`) every read goes by port-forward from the start.
    public init(threshold: Int = 3, portForwardPermitted: Bool, podProxyPermitted: Bool = true) {
        self.threshold = max(1, threshold)
        self.portForwardPermitted = portForwardPermitted
        if !podProxyPermitted, portForwardPermitted {
            state = .portForward
            note = "memory and cluster counts: by port-forward :15090 — pods/proxy not permitted"
        }
    }

    /// The way to try first for the next sidecar (`nil`: stopped).
    public var firstPath: StatsPath? {
        switch state {
        case .probing, .podProxy: return .podProxy
        case .portForward: return .portForward
        case .stopped: return nil
        }
    }

    /// Whether a sidecar whose pod-proxy read failed with `error` is tried by port-forward next.
    public func fallsBack(after error: KubeError) -> Bool {
        portForwardPermitted && state != .stopped && Self.signature(of: error) != nil
    }

    /// Takes one read's outcome into account.
    public mutating func record(_ path: StatsPath, failure error: KubeError?) {
        guard state != .stopped else { return }
        guard let error else {
            if path == .podProxy, state == .probing { state = .podProxy }
            if path == .portForward { forwardWorked = true }
            return
        }
        guard let signature = Self.signature(of: error) else { return }
        switch path {
        case .podProxy:
            guard state == .probing else { return }
            let entry = proxyFailures[signature].map { ($0.count + 1, $0.first) } ?? (1, error)
            proxyFailures[signature] = entry
            guard entry.0 >= threshold else { return }
            if let forward = forwardFailedAlike {
                stop(proxy: entry.1, forward: forward)
            } else if portForwardPermitted {
                state = .portForward
                note = "memory and cluster counts: by port-forward :15090 — the API server cannot reach pod IPs: firewall or NetworkPolicy? "
                    + "(the pod proxy failed alike for the first \(threshold) sidecars: \(Self.detail(entry.1)))"
            } else {
                stop(proxy: entry.1, forward: nil)
            }
        case .portForward:
            guard !forwardWorked else { return }
            let entry = forwardFailures[signature].map { ($0.count + 1, $0.first) } ?? (1, error)
            forwardFailures[signature] = entry
            if entry.0 >= threshold, state == .portForward {
                stop(proxy: proxyFailures.values.max { $0.count < $1.count }?.first, forward: entry.1)
            }
        }
    }

    /// Forgets a stop (the person asked again); the way chosen stays.
    public mutating func retry() {
        guard state == .stopped else { return }
        state = .probing
        stopError = nil
        proxyFailures = [:]
        forwardFailures = [:]
    }

    private var forwardFailedAlike: KubeError? {
        guard !forwardWorked else { return nil }
        return forwardFailures.values.first { $0.count >= threshold }?.first
    }

    private mutating func stop(proxy: KubeError?, forward: KubeError?) {
        state = .stopped
        var reason = "sidecars not read: the API server reached none of the first \(threshold) sidecars"
        if let proxy { reason += " through the pod proxy (\(Self.detail(proxy)))" }
        if let forward {
            reason += (proxy == nil ? " through" : " nor through") + " a port-forward (\(Self.detail(forward)))"
            // A refusal on the port-forward's error channel comes from the kubelet: it was reached, the pod was not.
            reason += forward.kind == .portForward
                ? "; stopped asking — the kubelet answered but nothing listens on :15090 in those pods (Envoy not running?)"
                : "; stopped asking — is the control plane cut off from the nodes' kubelets (:10250) as well as from pod IPs?"
        } else {
            reason += "; stopped asking — the API server cannot reach pod IPs (firewall or NetworkPolicy?) and pods/portforward is not permitted"
        }
        note = reason
        stopError = KubeError((proxy ?? forward)?.kind ?? .unreachable, statusCode: (proxy ?? forward)?.statusCode, reason)
    }

    /// The server's own words when the message holds them (`error trying to reach service: dial tcp …`), else the
    /// message.
    static func detail(_ error: KubeError) -> String {
        for marker in ["error trying to reach service", "error dialing backend", "error forwarding port", "proxy error"] {
            guard let range = error.message.range(of: marker) else { continue }
            var text = String(error.message[range.lowerBound...])
            while text.hasSuffix(")") && text.filter({ $0 == ")" }).count > text.filter({ $0 == "(" }).count { text.removeLast() }
            return (error.statusCode.map { "\($0) " } ?? "") + text
        }
        return error.message
    }

    /// How a read failed when the failure says the network path is closed (`nil`: a pod's own trouble, e.g. a bad
    /// answer, or a refusal by RBAC, which says nothing about the network).
    ///
    /// The shapes are those of a real API server: the pod proxy answers 503 `error trying to reach service: dial tcp
    /// IP:PORT: i/o timeout` (or `connect: connection refused`, `no route to host`); a konnectivity or egress proxy
    /// says `proxy error … while dialing`; a port-forward whose kubelet cannot be dialed fails with `error dialing
    /// backend: …`; a client-side timeout has kind `timeout`.
    public static func signature(of error: KubeError) -> String? {
        switch error.kind {
        case .forbidden, .unauthorized, .cancelled, .configuration, .credentials, .notFound, .badResponse, .tls, .expired:
            return nil
        default:
            break
        }
        let message = error.message.lowercased()
        for shape in ["i/o timeout", "connection refused", "no route to host", "network is unreachable", "error dialing backend", "while dialing"]
        where message.contains(shape) {
            return shape
        }
        switch error.kind {
        case .timeout: return "timeout"
        case .unreachable: return "unreachable \(error.statusCode.map(String.init) ?? "")"
        case .portForward: return "port-forward closed"
        default: return nil
        }
    }
}
