/// One step of a plan's rollout: the Sidecars to apply together, the sidecars they change, what they save, and
/// what to watch before going on.
///
/// Waves are ordered so that no wave cuts observed traffic: a namespace's own Sidecar is applied no later than
/// any Sidecar that would otherwise cut its traffic (namespace Sidecars come before the mesh-wide default, which
/// is last), and among namespaces, those whose sidecars call no other namespace and save the most come first.
public struct PlanWave: Hashable, Sendable {
    /// 1-based.
    public var wave: Int
    /// The Sidecars applied in it (`namespace/name`).
    public var sidecars: [String]
    /// The namespaces whose sidecars it changes, sorted.
    public var namespaces: [String]
    /// Sidecars (pods) it changes.
    public var sidecarsAffected: Int
    /// Their clusters now.
    public var clustersBefore: Int
    /// Their clusters afterwards.
    public var clustersAfter: Int
    /// Their Envoy allocated bytes now.
    public var bytesBefore: Int
    /// Their estimated Envoy allocated bytes afterwards.
    public var bytesAfter: Int
    /// Why these Sidecars go in this wave.
    public var why: String
    /// What to watch after applying it: the BlackHole/Passthrough counters of the sidecars it changes.
    public var watch: [String]
    /// Observed destinations cut in the state after this wave (with the earlier waves applied): empty when the
    /// order is safe.
    public var cutsAfterWave: [PlanDestination]

    /// Estimated bytes saved.
    public var savingBytes: Int { bytesBefore - bytesAfter }

    /// The PromQL and Envoy stats to watch for the sidecars of `namespaces`: requests that fall through to
    /// BlackHoleCluster (REGISTRY_ONLY) or PassthroughCluster (ALLOW_ANY) after their scope shrank.
    static func watchList(namespaces: [String]) -> [String] {
        guard !namespaces.isEmpty else {
            return ["nothing to watch: this wave changes no sidecar running today (it covers namespaces and pods added later)"]
        }
        let shown = namespaces.count > 20 ? Array(namespaces.prefix(20)) : namespaces
        let regex = shown.joined(separator: "|") + (namespaces.count > 20 ? "|…" : "")
        return [
            "sum by (source_workload_namespace, source_workload, destination_service) "
                + "(rate(istio_requests_total{reporter=\"source\",source_workload_namespace=~\"\(regex)\","
                + "destination_service_name=~\"BlackHoleCluster|PassthroughCluster\"}[5m]))",
            "sum by (source_workload_namespace, source_workload) "
                + "(rate(istio_tcp_connections_opened_total{reporter=\"source\",source_workload_namespace=~\"\(regex)\","
                + "destination_service_name=~\"BlackHoleCluster|PassthroughCluster\"}[5m]))",
            "Envoy stats on those sidecars: cluster.BlackHoleCluster.upstream_cx_total and "
                + "cluster.PassthroughCluster.upstream_cx_total must not grow",
        ]
    }
}
