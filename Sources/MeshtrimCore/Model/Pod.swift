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
    /// Whether an `istio-proxy` runs in the pod (as a container or a native-sidecar init container).
    public var hasSidecar: Bool
    /// The proxy image tag, e.g. `1.31.0`, when known.
    public var proxyVersion: String?
    /// Container ports by name, used to resolve named Service target ports.
    public var namedPorts: [String: Int]
    /// The pod IP, when known.
    public var podIP: String?

    /// Makes a pod.
    public init(
        meta: ObjectMeta, phase: String = "Running", readyContainers: Int = 2, totalContainers: Int = 2,
        hasSidecar: Bool = true, proxyVersion: String? = nil, namedPorts: [String: Int] = [:], podIP: String? = nil
    ) {
        self.meta = meta
        self.phase = phase
        self.readyContainers = readyContainers
        self.totalContainers = totalContainers
        self.hasSidecar = hasSidecar
        self.proxyVersion = proxyVersion
        self.namedPorts = namedPorts
        self.podIP = podIP
    }

    /// The pod's name.
    public var name: String { meta.name }
    /// The pod's namespace.
    public var namespace: String { meta.namespace }
    /// The pod's labels.
    public var labels: [String: String] { meta.labels }
    /// `ready/total`, as kubectl prints it.
    public var readyText: String { "\(readyContainers)/\(totalContainers)" }
}
