/// Istio's outbound traffic policy: what happens to traffic for hosts outside the registry.
public enum OutboundTrafficPolicy: String, Codable, Hashable, Sendable, CaseIterable {
    /// Unknown destinations pass through (via `PassthroughCluster`).
    case allowAny = "ALLOW_ANY"
    /// Unknown destinations are blocked (via `BlackHoleCluster`).
    case registryOnly = "REGISTRY_ONLY"
}

/// A port on a Sidecar listener (`egress[].port`, `ingress[].port`).
public struct SidecarPort: Codable, Hashable, Sendable {
    /// The port number; 0 means "no port".
    public var number: Int
    /// `HTTP`, `TCP`, `HTTP_PROXY`, …; empty when not given.
    public var `protocol`: String
    /// The port's name; empty when not given.
    public var name: String

    /// Makes a listener port.
    public init(number: Int, protocol: String = "", name: String = "") {
        self.number = number
        self.protocol = `protocol`
        self.name = name
    }
}

/// One `egress` listener of a Sidecar: an optional port and the hosts it imports.
public struct SidecarEgressListener: Codable, Hashable, Sendable {
    /// The listener's port; `nil` for the catch-all listener.
    public var port: SidecarPort?
    /// `namespace/dnsName` entries.
    public var hosts: [String]

    /// Makes an egress listener.
    public init(port: SidecarPort? = nil, hosts: [String]) {
        self.port = port
        self.hosts = hosts
    }
}

/// An Istio `Sidecar` resource: which workloads it selects and which egress hosts they may see.
public struct Sidecar: Codable, Hashable, Sendable {
    /// The object's metadata.
    public var meta: ObjectMeta
    /// `spec.workloadSelector.labels`; `nil` means the whole namespace.
    public var workloadSelector: LabelSelector?
    /// `spec.egress`; empty means `*/*`.
    public var egress: [SidecarEgressListener]
    /// `spec.ingress[].port`, which replace the inbound clusters derived from Services.
    public var ingressPorts: [SidecarPort]
    /// `spec.outboundTrafficPolicy.mode`; `nil` means the mesh's.
    public var outboundTrafficPolicy: OutboundTrafficPolicy?

    /// Makes a Sidecar.
    public init(
        meta: ObjectMeta, workloadSelector: LabelSelector? = nil, egress: [SidecarEgressListener] = [],
        ingressPorts: [SidecarPort] = [], outboundTrafficPolicy: OutboundTrafficPolicy? = nil
    ) {
        self.meta = meta
        self.workloadSelector = workloadSelector
        self.egress = egress
        self.ingressPorts = ingressPorts
        self.outboundTrafficPolicy = outboundTrafficPolicy
    }

    /// Every egress host of every listener, in order, without duplicates.
    public var allEgressHosts: [String] {
        var seen = Set<String>()
        return egress.flatMap(\.hosts).filter { seen.insert($0).inserted }
    }
}
