import Foundation

/// Istio's outbound traffic policy: what happens to traffic for hosts outside the registry.
public enum OutboundTrafficPolicy: String, Codable, Hashable, Sendable, CaseIterable {
    /// Unknown destinations pass through (via `PassthroughCluster`).
    case allowAny = "ALLOW_ANY"
    /// Unknown destinations are blocked (via `BlackHoleCluster`).
    case registryOnly = "REGISTRY_ONLY"
    /// Like ALLOW_ANY, but unknown HTTP and TLS destinations go through a dynamic forward proxy cluster
    /// (`AllowAnyDynamicDNSCluster`) that resolves them by name. Istio 1.31, mesh config only: the webhook rejects
    /// it in a Sidecar, and it reaches every sidecar whose Sidecar sets no policy of its own.
    case allowAnyDynamicDNS = "ALLOW_ANY_DYNAMIC_DNS"
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
    /// The whole object as it was read (from a file, a snapshot or the cluster), members in their order; `nil` when
    /// meshtrim made the Sidecar itself. An edit of this Sidecar starts from it, so that every field meshtrim does not
    /// model (ingress listeners, `bind`, `captureMode`, connection pools, labels, annotations, unknown fields) is
    /// written back unchanged.
    public var original: OrderedJSON?

    /// Makes a Sidecar.
    public init(
        meta: ObjectMeta, workloadSelector: LabelSelector? = nil, egress: [SidecarEgressListener] = [],
        ingressPorts: [SidecarPort] = [], outboundTrafficPolicy: OutboundTrafficPolicy? = nil, original: OrderedJSON? = nil
    ) {
        self.meta = meta
        self.workloadSelector = workloadSelector
        self.egress = egress
        self.ingressPorts = ingressPorts
        self.outboundTrafficPolicy = outboundTrafficPolicy
        self.original = original
    }

    private enum CodingKeys: String, CodingKey {
        case meta, workloadSelector, egress, ingressPorts, outboundTrafficPolicy, original
    }

    /// Decodes a Sidecar; `original` is JSON text inside a string, so its member order survives `JSONDecoder`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        meta = try container.decode(ObjectMeta.self, forKey: .meta)
        workloadSelector = try container.decodeIfPresent(LabelSelector.self, forKey: .workloadSelector)
        egress = try container.decodeIfPresent([SidecarEgressListener].self, forKey: .egress) ?? []
        ingressPorts = try container.decodeIfPresent([SidecarPort].self, forKey: .ingressPorts) ?? []
        outboundTrafficPolicy = try container.decodeIfPresent(OutboundTrafficPolicy.self, forKey: .outboundTrafficPolicy)
        if let text = try container.decodeIfPresent(String.self, forKey: .original) {
            do {
                original = try OrderedJSON(parsing: Data(text.utf8))
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .original, in: container, debugDescription: "original is not a JSON object: \(error)")
            }
        }
    }

    /// Encodes the Sidecar; `original` as its JSON text (see ``init(from:)``).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(meta, forKey: .meta)
        try container.encodeIfPresent(workloadSelector, forKey: .workloadSelector)
        try container.encode(egress, forKey: .egress)
        try container.encode(ingressPorts, forKey: .ingressPorts)
        try container.encodeIfPresent(outboundTrafficPolicy, forKey: .outboundTrafficPolicy)
        try container.encodeIfPresent(original?.formatted(indent: ""), forKey: .original)
    }

    /// The egress listener that meshtrim edits: the first one without a port (the catch-all), else the first one;
    /// `nil` when there is none.
    public var defaultEgressListenerIndex: Int? {
        egress.firstIndex { $0.port == nil } ?? (egress.isEmpty ? nil : 0)
    }

    /// The hosts of ``defaultEgressListenerIndex``'s listener (empty without egress): what the editor starts from.
    public var defaultEgressHosts: [String] {
        defaultEgressListenerIndex.map { egress[$0].hosts } ?? []
    }

    /// Every egress host of every listener, in order, without duplicates.
    public var allEgressHosts: [String] {
        var seen = Set<String>()
        return egress.flatMap(\.hosts).filter { seen.insert($0).inserted }
    }
}
