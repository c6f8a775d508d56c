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
    /// The destination service name (`destination_service_name`) when it says more than the host: Istio reports
    /// `PassthroughCluster` or `BlackHoleCluster` for traffic to hosts outside its registry.
    public var serviceName: String?
    /// When traffic to this destination was last counted, when known (a Prometheus query's end, a capture time).
    public var lastSeen: Date?

    /// The `destination_service_name` values Istio uses for traffic that matched no service in its registry.
    public static let unknownServiceNames: Set<String> = ["PassthroughCluster", "BlackHoleCluster", "InboundPassthroughCluster"]

    /// Makes an observed destination.
    public init(
        host: String, namespace: String? = nil, port: Int? = nil, requests: Int, serviceName: String? = nil,
        lastSeen: Date? = nil
    ) {
        self.host = host
        self.namespace = namespace
        self.port = port
        self.requests = requests
        self.serviceName = serviceName
        self.lastSeen = lastSeen
    }

    /// Whether Istio itself reported this traffic as leaving through a catch-all cluster (no registry service):
    /// `destination_service_name` is `PassthroughCluster`/`BlackHoleCluster`, or the namespace is `unknown`.
    public var isReportedUnknown: Bool {
        serviceName.map(Self.unknownServiceNames.contains) == true || namespace == "unknown"
            || Self.unknownServiceNames.contains(host)
    }

    /// The members a snapshot holds, for the snapshot's fast reader (``SnapshotArrayDecoder``), which reads each of
    /// them and leaves a file holding one it does not read to `JSONDecoder`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, namespace, port, requests, serviceName, lastSeen
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
    /// When the proxy started (capture time minus Envoy's `server.uptime`), when known: its traffic counters count
    /// from then, so this says how much history ``destinations`` covers.
    public var proxyStartedAt: Date?

    /// Makes an observation.
    public init(
        namespace: String, pod: String, envoyAllocatedBytes: Int? = nil, envoyHeapBytes: Int? = nil,
        envoyPhysicalBytes: Int? = nil, workingSetBytes: Int? = nil, activeClusters: Int? = nil,
        clusterNames: [String]? = nil, destinations: [ObservedDestination] = [], capturedAt: Date? = nil,
        source: String = "snapshot", proxyStartedAt: Date? = nil
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
        self.proxyStartedAt = proxyStartedAt
    }

    /// The members a snapshot holds, for the snapshot's fast reader (``SnapshotArrayDecoder``), which reads each of
    /// them and leaves a file holding one it does not read to `JSONDecoder`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case namespace, pod, envoyAllocatedBytes, envoyHeapBytes, envoyPhysicalBytes, workingSetBytes, activeClusters, clusterNames,
            destinations, capturedAt, source, proxyStartedAt
    }
}
