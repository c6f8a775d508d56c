/// The figures meshtrim reads from a sidecar's Prometheus stats (`:15090/stats/prometheus` or pilot-agent's merged
/// `:15020/stats/prometheus`): Envoy memory, the active cluster count, and where the sidecar sent traffic.
///
/// Names follow Envoy's Prometheus naming (`server.memory_allocated` → `envoy_server_memory_allocated`) and Istio's
/// standard metrics (`istio_requests_total`, `istio_tcp_connections_opened_total`), which Istio's default stats
/// matcher always exports.
public struct EnvoyStats: Hashable, Sendable {
    /// `envoy_server_memory_allocated`, bytes.
    public var memoryAllocatedBytes: Int?
    /// `envoy_server_memory_heap_size`, bytes.
    public var memoryHeapSizeBytes: Int?
    /// `envoy_server_memory_physical_size`, bytes.
    public var memoryPhysicalSizeBytes: Int?
    /// `envoy_cluster_manager_active_clusters` (dynamic plus static).
    public var activeClusters: Int?
    /// `envoy_cluster_manager_warming_clusters`.
    public var warmingClusters: Int?
    /// `envoy_server_uptime`, seconds: how long the proxy's counters have been counting.
    public var uptimeSeconds: Int?
    /// Traffic this sidecar sent (`reporter="source"`), summed per destination service and namespace, sorted by
    /// host then namespace.
    public var destinations: [ObservedDestination]

    /// The metric names this type reads; pass to ``PrometheusText/init(parsing:where:)`` to skip everything else.
    public static let metricNames: Set<String> = [
        "envoy_server_memory_allocated", "envoy_server_memory_heap_size", "envoy_server_memory_physical_size",
        "envoy_cluster_manager_active_clusters", "envoy_cluster_manager_warming_clusters", "istio_requests_total",
        "istio_tcp_connections_opened_total", "envoy_server_uptime",
    ]

    /// Reads the figures from parsed exposition text.
    public init(_ text: PrometheusText) {
        self.init(samples: text.samples)
    }

    /// Parses exposition text, reading only the metrics this type needs.
    public init(prometheusText: String) {
        self.init(PrometheusText(parsing: prometheusText, where: { Self.metricNames.contains($0) }))
    }

    /// Reads the figures from samples. A gauge that appears more than once takes its first unlabelled sample.
    public init(samples: [PrometheusSample]) {
        var unlabelled: [String: Int] = [:]
        var labelled: [String: Int] = [:]
        var totals: [DestinationKey: Double] = [:]
        var serviceNames: [DestinationKey: String] = [:]
        for sample in samples {
            switch sample.name {
            case "istio_requests_total", "istio_tcp_connections_opened_total":
                guard sample[label: "reporter"] == "source", let host = sample[label: "destination_service"],
                    !host.isEmpty, sample.value.isFinite
                else { continue }
                let namespace = sample[label: "destination_service_namespace"].flatMap { $0.isEmpty ? nil : $0 }
                let key = DestinationKey(host: host, namespace: namespace)
                totals[key, default: 0] += sample.value
                if serviceNames[key] == nil, let name = sample[label: "destination_service_name"],
                    ObservedDestination.unknownServiceNames.contains(name)
                {
                    serviceNames[key] = name
                }
            default:
                guard Self.metricNames.contains(sample.name), let value = sample.integerValue else { continue }
                if sample.labels.isEmpty {
                    if unlabelled[sample.name] == nil { unlabelled[sample.name] = value }
                } else if labelled[sample.name] == nil {
                    labelled[sample.name] = value
                }
            }
        }
        let gauges = unlabelled.merging(labelled) { first, _ in first }
        memoryAllocatedBytes = gauges["envoy_server_memory_allocated"]
        memoryHeapSizeBytes = gauges["envoy_server_memory_heap_size"]
        memoryPhysicalSizeBytes = gauges["envoy_server_memory_physical_size"]
        activeClusters = gauges["envoy_cluster_manager_active_clusters"]
        warmingClusters = gauges["envoy_cluster_manager_warming_clusters"]
        uptimeSeconds = gauges["envoy_server_uptime"]
        destinations = totals
            .map { key, total in
                ObservedDestination(
                    host: key.host, namespace: key.namespace, requests: PrometheusSample.integer(total) ?? 0,
                    serviceName: serviceNames[key])
            }
            .sorted { lhs, rhs in
                if lhs.host != rhs.host { return lhs.host < rhs.host }
                return (lhs.namespace ?? "") < (rhs.namespace ?? "")
            }
    }

    /// Copies the figures into an observation, leaving fields this text didn't have untouched.
    public func apply(to observation: inout ProxyObservation) {
        observation.envoyAllocatedBytes = memoryAllocatedBytes ?? observation.envoyAllocatedBytes
        observation.envoyHeapBytes = memoryHeapSizeBytes ?? observation.envoyHeapBytes
        observation.envoyPhysicalBytes = memoryPhysicalSizeBytes ?? observation.envoyPhysicalBytes
        observation.activeClusters = activeClusters ?? observation.activeClusters
        if let uptimeSeconds, let capturedAt = observation.capturedAt {
            observation.proxyStartedAt = capturedAt.addingTimeInterval(-Double(uptimeSeconds))
        }
        if !destinations.isEmpty { observation.destinations = destinations }
    }

    private struct DestinationKey: Hashable {
        var host: String
        var namespace: String?
    }
}
