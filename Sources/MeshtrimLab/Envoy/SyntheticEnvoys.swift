import Foundation
import MeshtrimCore
import Synchronization

/// Synthetic sidecars (`meshtrim lab --synthetic-envoy`): what each pod's Envoy would report, computed instead of
/// run, so that a mesh of 50,000 sidecars can be observed on one machine (issue #17 goal 3).
///
/// Nothing here is measured. A pod's `cluster_manager.active_clusters` is the scope engine's prediction for that pod
/// as ``MeshAnalysis`` counts it (the figure `meshtrim report` predicts), recomputed when Sidecars change, as an
/// istiod push would change a real Envoy's; `server.memory_allocated` is ``MemoryModel/measured`` for that count,
/// with heap and physical size above it as on a real Envoy; the admin `config_dump` lists the engine's cluster names
/// for the pod. It stands in for load and scale tests of meshtrim's live paths, never for evidence about Envoy.
public final class SyntheticEnvoys: Sendable {
    /// One synthetic Envoy's memory and cluster figures.
    public struct Figures: Sendable, Hashable {
        /// `cluster_manager.active_clusters`: the prediction for the pod.
        public var activeClusters: Int
        /// `server.memory_allocated`: the measured model's estimate for ``activeClusters``.
        public var allocatedBytes: Int
        /// `server.memory_heap_size` (a fifth above the allocation, as Envoy's heap typically runs).
        public var heapBytes: Int
        /// `server.memory_physical_size` (what the process holds; the PodMetrics working set adds pilot-agent).
        public var physicalBytes: Int

        /// The figures of an Envoy with `clusters` clusters under `model`.
        public init(clusters: Int, model: MemoryModel = .measured) {
            activeClusters = clusters
            allocatedBytes = model.estimatedBytes(clusters: clusters)
            heapBytes = allocatedBytes + allocatedBytes / 5
            physicalBytes = heapBytes + heapBytes / 20
        }
    }

    private struct State: Sendable {
        var inventory: MeshInventory
        var engine: ScopeEngine
        /// Predicted clusters by `namespace/pod`, for pods with a sidecar.
        var clusters: [String: Int]
    }

    private let state: Mutex<State>
    private let pods: [String: Pod]

    /// Computes every pod's figures for the inventory's Sidecars (a ``MeshAnalysis`` of the mesh: about a second at
    /// 50,000 pods in a release build).
    public init(inventory: MeshInventory) {
        pods = Dictionary(inventory.pods.map { ("\($0.namespace)/\($0.name)", $0) }, uniquingKeysWith: { first, _ in first })
        state = Mutex(Self.compute(inventory))
    }

    /// How many sidecars answer.
    public var sidecarCount: Int { state.withLock { $0.clusters.count } }

    /// Recomputes the figures for new Sidecars (a Sidecar written to the lab); reads meanwhile see the old ones, as
    /// a real sidecar shows its old clusters until istiod's push arrives.
    public func update(sidecars: [Sidecar]) {
        var inventory = state.withLock { $0.inventory }
        inventory.sidecars = sidecars
        let computed = Self.compute(inventory)
        state.withLock { $0 = computed }
    }

    private static func compute(_ inventory: MeshInventory) -> State {
        let analysis = MeshAnalysis(inventory: inventory, observations: [], source: "lab (synthetic Envoy stats)")
        var clusters: [String: Int] = [:]
        clusters.reserveCapacity(analysis.pods.count)
        for summary in analysis.pods where summary.pod.hasSidecar {
            clusters["\(summary.pod.namespace)/\(summary.pod.name)"] = summary.predictedClusters
        }
        return State(inventory: inventory, engine: analysis.engine, clusters: clusters)
    }

    /// The figures of a pod's synthetic Envoy, `nil` for a pod without a sidecar (nothing listens).
    public func figures(namespace: String, pod: String) -> Figures? {
        state.withLock { $0.clusters["\(namespace)/\(pod)"] }.map { Figures(clusters: $0) }
    }

    /// Envoy's own part of `/stats/prometheus` for a pod (the Istio request metrics are added by the caller), in
    /// Envoy's format (`envoy_server_memory_allocated{} 7340032`); `filter` is matched against the dotted stat names
    /// (`server.memory_allocated`) as Envoy matches it. `nil` for a pod without a sidecar.
    public func prometheusText(namespace: String, pod: String, filter: String?, uptimeSeconds: Int) -> String? {
        guard let figures = figures(namespace: namespace, pod: pod) else { return nil }
        let regex = filter.flatMap { try? NSRegularExpression(pattern: $0) }
        let gauges: [(name: String, value: Int)] = [
            ("cluster_manager.active_clusters", figures.activeClusters), ("cluster_manager.warming_clusters", 0),
            ("server.live", 1), ("server.memory_allocated", figures.allocatedBytes), ("server.memory_heap_size", figures.heapBytes),
            ("server.memory_physical_size", figures.physicalBytes), ("server.uptime", uptimeSeconds),
        ]
        var text = ""
        for gauge in gauges {
            if let regex, regex.firstMatch(in: gauge.name, range: NSRange(gauge.name.startIndex..., in: gauge.name)) == nil { continue }
            let metric = "envoy_" + gauge.name.replacingOccurrences(of: ".", with: "_")
            text += "# TYPE \(metric) gauge\n\(metric){} \(gauge.value)\n"
        }
        return text
    }

    /// The answer of a pod's Envoy admin (:15000) to `target` (`/config_dump?resource=dynamic_active_clusters&…`):
    /// cluster names only, in the per-resource form for `resource=dynamic_active_clusters` or `static_clusters`,
    /// one `ClustersConfigDump` with both lists without a resource, no entries for another resource; `/ready` and `/server_info` answer as a live Envoy's; anything
    /// else is 404. `nil` for a pod without a sidecar.
    public func admin(namespace: String, pod podName: String, target: String) -> (status: Int, contentType: String, body: Data)? {
        guard let pod = pods["\(namespace)/\(podName)"], pod.hasSidecar else { return nil }
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let path = parts.first ?? "/"
        let query = APIRequest.parseQuery(parts.count > 1 ? parts[1] : nil)
        switch path {
        case "/ready":
            return (200, "text/plain", Data("LIVE\n".utf8))
        case "/server_info":
            return (200, "application/json", Data(#"{"state": "LIVE", "command_line_options": {"concurrency": 1}}"#.utf8))
        case "/config_dump":
            break
        default:
            return (404, "text/plain", Data("invalid path: \(path)\n".utf8))
        }
        let engine = state.withLock { $0.engine }
        let clusters = engine.scope(for: pod).clusters
        let dynamic = clusters.filter { !$0.isStatic }.map(\.name)
        let statics = clusters.filter(\.isStatic).map(\.name)
        let prefix = "type.googleapis.com/envoy.admin.v3.ClustersConfigDump"
        func entries(_ names: [String], type: String) -> [JSONValue] {
            names.map { ["@type": .string("\(prefix).\(type)"), "cluster": ["@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": .string($0)]] }
        }
        let configs: [JSONValue]
        switch query["resource"]?.first {
        case "dynamic_active_clusters"?: configs = entries(dynamic, type: "DynamicCluster")
        case "static_clusters"?: configs = entries(statics, type: "StaticCluster")
        case nil:
            let dynamicEntries: [JSONValue] = dynamic.map { ["cluster": ["name": .string($0)]] }
            let staticEntries: [JSONValue] = statics.map { ["cluster": ["name": .string($0)]] }
            configs = [["@type": .string(prefix), "static_clusters": .array(staticEntries), "dynamic_active_clusters": .array(dynamicEntries)]]
        default:
            // Another resource (listeners, routes, …): a synthetic Envoy has none.
            configs = []
        }
        let body = JSONValue.object(["configs": .array(configs)]).encoded()
        return (200, "application/json", body)
    }
}
