import Foundation

/// Traffic a sidecar was seen sending to one destination service (`reporter="source"` metrics).
public struct ObservedDestination: Codable, Hashable, Sendable {
    /// The destination service hostname (`destination_service`), e.g. `reviews.default.svc.cluster.local`.
    public var host: String
    /// The destination service namespace (`destination_service_namespace`), when known.
    public var namespace: String?
    /// The destination port, when known.
    public var port: Int?
    /// Requests (HTTP/gRPC) or connections (TCP) counted.
    public var requests: Int

    /// Makes an observed destination.
    public init(host: String, namespace: String? = nil, port: Int? = nil, requests: Int) {
        self.host = host
        self.namespace = namespace
        self.port = port
        self.requests = requests
    }
}

/// What was measured on one sidecar, and when and how.
public struct ProxyObservation: Codable, Hashable, Sendable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// Envoy `server.memory_allocated`, bytes.
    public var envoyAllocatedBytes: Int?
    /// Envoy `server.memory_heap_size`, bytes.
    public var envoyHeapBytes: Int?
    /// Envoy `server.memory_physical_size`, bytes.
    public var envoyPhysicalBytes: Int?
    /// The `istio-proxy` container's working set, bytes (metrics.k8s.io).
    public var workingSetBytes: Int?
    /// Envoy `cluster_manager.active_clusters`.
    public var activeClusters: Int?
    /// The actual cluster names, when they were fetched.
    public var clusterNames: [String]?
    /// Destinations with observed traffic.
    public var destinations: [ObservedDestination]
    /// When the observation was made.
    public var capturedAt: Date?
    /// How it was read (`pod proxy :15090`, `snapshot`, `port-forward :15000`, …).
    public var source: String

    /// Makes an observation.
    public init(
        namespace: String, pod: String, envoyAllocatedBytes: Int? = nil, envoyHeapBytes: Int? = nil,
        envoyPhysicalBytes: Int? = nil, workingSetBytes: Int? = nil, activeClusters: Int? = nil,
        clusterNames: [String]? = nil, destinations: [ObservedDestination] = [], capturedAt: Date? = nil,
        source: String = "snapshot"
    ) {
        self.namespace = namespace
        self.pod = pod
        self.envoyAllocatedBytes = envoyAllocatedBytes
        self.envoyHeapBytes = envoyHeapBytes
        self.envoyPhysicalBytes = envoyPhysicalBytes
        self.workingSetBytes = workingSetBytes
        self.activeClusters = activeClusters
        self.clusterNames = clusterNames
        self.destinations = destinations
        self.capturedAt = capturedAt
        self.source = source
    }
}
