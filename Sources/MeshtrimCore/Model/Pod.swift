/// What kind of Envoy runs in a pod: a sidecar next to a workload, or a gateway (router) proxy.
///
/// Istio applies Sidecar resources to sidecars only: a gateway always has the default scope and no inbound
/// clusters, so meshtrim shows its numbers but leaves it out of every Sidecar impact and recommendation.
public enum ProxyKind: String, Codable, Hashable, Sendable {
    /// A sidecar proxy (`istio-proxy` next to the application, `proxy sidecar`).
    case sidecar
    /// A gateway proxy (`proxy router`: ingress, egress, east-west or Gateway API gateways).
    case gateway

    /// The kind that a pod's labels and annotations give away, as istiod and istioctl read them: an
    /// `istio: …gateway` label (`ingressgateway`, `egressgateway`, `eastwestgateway`), a
    /// `gateway.networking.k8s.io/gateway-name` or `istio.io/gateway-name` label, or the injection template
    /// annotation `inject.istio.io/templates: gateway`.
    public static func inferred(labels: [String: String], annotations: [String: String]) -> ProxyKind {
        if let istio = labels["istio"], istio.hasSuffix("gateway") { return .gateway }
        if labels["gateway.networking.k8s.io/gateway-name"] != nil || labels["istio.io/gateway-name"] != nil { return .gateway }
        let templates = annotations["inject.istio.io/templates"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if templates?.contains("gateway") == true { return .gateway }
        return .sidecar
    }
}

/// A pod as far as sidecar scoping cares: its labels, its ports and its `istio-proxy`.
public struct Pod: Codable, Hashable, Sendable {
    /// The pod's metadata (labels select Sidecars and Services).
    public var meta: ObjectMeta
    /// `Running`, `Pending`, … as reported by the API.
    public var phase: String
    /// Containers ready out of all containers, e.g. (2, 2).
    public var readyContainers: Int
    /// The number of containers (native sidecars included).
    public var totalContainers: Int
    /// Whether an `istio-proxy` runs in the pod (as a container or a native-sidecar init container), sidecar or
    /// gateway alike (see ``proxyKind``).
    public var hasSidecar: Bool
    /// Whether that proxy is a sidecar or a gateway.
    public var proxyKind: ProxyKind
    /// The proxy image tag, e.g. `1.31.0`, when known.
    public var proxyVersion: String?
    /// Container ports by name, used to resolve named Service target ports.
    public var namedPorts: [String: Int]
    /// The pod IP, when known.
    public var podIP: String?

    /// Makes a pod; without `proxyKind`, the kind is inferred from the labels and annotations
    /// (``ProxyKind/inferred(labels:annotations:)``).
    public init(
        meta: ObjectMeta, phase: String = "Running", readyContainers: Int = 2, totalContainers: Int = 2,
        hasSidecar: Bool = true, proxyKind: ProxyKind? = nil, proxyVersion: String? = nil, namedPorts: [String: Int] = [:],
        podIP: String? = nil
    ) {
        self.meta = meta
        self.phase = phase
        self.readyContainers = readyContainers
        self.totalContainers = totalContainers
        self.hasSidecar = hasSidecar
        self.proxyKind = proxyKind ?? ProxyKind.inferred(labels: meta.labels, annotations: meta.annotations)
        self.proxyVersion = proxyVersion
        self.namedPorts = namedPorts
        self.podIP = podIP
    }

    /// The members a snapshot holds (`proxy` for ``proxyKind``, written for gateways only), for the snapshot's fast
    /// reader too (``SnapshotArrayDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case meta, phase, readyContainers, totalContainers, hasSidecar, proxy, proxyVersion, namedPorts, podIP
    }

    /// Decodes a pod; snapshots written before ``proxyKind`` existed infer it from the labels.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            meta: try container.decode(ObjectMeta.self, forKey: .meta), phase: try container.decode(String.self, forKey: .phase),
            readyContainers: try container.decode(Int.self, forKey: .readyContainers),
            totalContainers: try container.decode(Int.self, forKey: .totalContainers),
            hasSidecar: try container.decode(Bool.self, forKey: .hasSidecar),
            proxyKind: try container.decodeIfPresent(ProxyKind.self, forKey: .proxy),
            proxyVersion: try container.decodeIfPresent(String.self, forKey: .proxyVersion),
            namedPorts: try container.decode([String: Int].self, forKey: .namedPorts),
            podIP: try container.decodeIfPresent(String.self, forKey: .podIP))
    }

    /// Encodes a pod; `proxy` is written only for gateways, so sidecar pods encode as before.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(meta, forKey: .meta)
        try container.encode(phase, forKey: .phase)
        try container.encode(readyContainers, forKey: .readyContainers)
        try container.encode(totalContainers, forKey: .totalContainers)
        try container.encode(hasSidecar, forKey: .hasSidecar)
        if proxyKind == .gateway { try container.encode(proxyKind, forKey: .proxy) }
        try container.encodeIfPresent(proxyVersion, forKey: .proxyVersion)
        try container.encode(namedPorts, forKey: .namedPorts)
        try container.encodeIfPresent(podIP, forKey: .podIP)
    }

    /// The pod's name.
    public var name: String { meta.name }
    /// The pod's namespace.
    public var namespace: String { meta.namespace }
    /// The pod's labels.
    public var labels: [String: String] { meta.labels }
    /// `ready/total`, as kubectl prints it.
    public var readyText: String { "\(readyContainers)/\(totalContainers)" }
    /// Whether the pod runs a gateway proxy, which Sidecar resources never apply to.
    public var isGateway: Bool { hasSidecar && proxyKind == .gateway }
    /// Whether the pod runs a sidecar proxy: the pods a Sidecar resource can trim.
    public var hasSidecarProxy: Bool { hasSidecar && proxyKind == .sidecar }
}
