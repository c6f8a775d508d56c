import Foundation

/// What the mesh-wide default Sidecar (`ROOT/default`, no selector) alone would do: every sidecar Istio would give
/// it (those in namespaces with no namespace or workload Sidecar of their own), per namespace, and the observed
/// traffic it would cut, per source namespace — the risk of a mesh-wide default (cross-namespace calls).
///
/// Made by ``MeshPlanner/meshDefaultImpact(hosts:evidence:)``, with the same evaluation as a plan (`.` is each
/// proxy's own namespace; gateways are left out), for the egress editor's mesh-wide default and `:mesh`.
public struct MeshDefaultImpact: Hashable, Sendable {
    /// One namespace's part.
    public struct NamespaceRow: Hashable, Sendable {
        /// The namespace.
        public var namespace: String
        /// Its sidecars that would get the mesh default.
        public var sidecars: Int
        /// Their clusters now.
        public var clustersBefore: Int
        /// Their clusters afterwards.
        public var clustersAfter: Int
        /// Their Envoy allocated bytes now.
        public var bytesBefore: Int
        /// Their estimated Envoy allocated bytes afterwards.
        public var bytesAfter: Int
        /// Observed destinations of those sidecars it would cut, biggest first.
        public var cuts: [PlanDestination]
        /// For a namespace it leaves alone: the Sidecar its sidecars keep (the most common, `namespace/name`).
        public var keptBy: String?

        /// Estimated bytes saved.
        public var savingBytes: Int { bytesBefore - bytesAfter }
    }

    /// The mesh default evaluated (an existing one with the new hosts, else a new `ROOT/default`).
    public var sidecar: Sidecar
    /// Sidecars that would get it.
    public var sidecarsAffected: Int
    /// Their clusters now.
    public var clustersBefore: Int
    /// Their clusters afterwards.
    public var clustersAfter: Int
    /// Their Envoy allocated bytes now.
    public var bytesBefore: Int
    /// Their estimated Envoy allocated bytes afterwards.
    public var bytesAfter: Int
    /// Affected namespaces, largest saving first.
    public var namespaces: [NamespaceRow]
    /// Namespaces with sidecars that keep a Sidecar of their own, by name.
    public var unaffected: [NamespaceRow]
    /// Every observed destination it would cut, biggest first (each with its source namespace).
    public var cuts: [PlanDestination]
    /// The memory model's basis.
    public var memoryBasis: MemoryModel.Basis

    /// Estimated bytes saved.
    public var savingBytes: Int { bytesBefore - bytesAfter }
}

extension MeshPlanner {
    /// What the mesh-wide default with `hosts` (default: `./*` and the istiod namespace) would do on its own.
    ///
    /// - Parameter evidence: traffic per namespace (e.g. Prometheus); the sidecars' counters otherwise.
    public func meshDefaultImpact(hosts: [String]? = nil, evidence: [String: TrafficEvidence] = [:]) -> MeshDefaultImpact {
        let inventory = analysis.inventory
        let root = inventory.meshConfig.rootNamespace
        let recommender = EgressRecommender(analysis: analysis)
        let (scoped, _, _, evaluator) = setUp(recommender: recommender, evidence: evidence)
        let existing = inventory.sidecars.sorted { ($0.meta.creationTime, $0.meta.name) < ($1.meta.creationTime, $1.meta.name) }
        let current = existing.first { $0.meta.namespace == root && $0.workloadSelector == nil }
        let chosenHosts = hosts ?? defaultHosts(Options())
        let manifest = SidecarManifest(namespace: root, hosts: chosenHosts, name: current?.meta.name ?? "default", replacing: current)
        var sidecar = manifest.sidecar
        if current == nil { sidecar.meta.creationTimestamp = Date.distantFuture }
        let name = sidecar.meta.qualifiedName
        let sidecars = existing.filter { $0.meta.qualifiedName != name } + [sidecar]
        let result = evaluator.evaluate(sidecars: sidecars, changed: [name])

        var rows: [String: MeshDefaultImpact.NamespaceRow] = [:]
        for outcome in result.changed where outcome.governing == name {
            let namespace = analysis.pods[outcome.position].pod.namespace
            var row = rows[namespace]
                ?? MeshDefaultImpact.NamespaceRow(namespace: namespace, sidecars: 0, clustersBefore: 0, clustersAfter: 0, bytesBefore: 0, bytesAfter: 0, cuts: [])
            row.sidecars += 1
            row.clustersBefore += outcome.clustersBefore
            row.clustersAfter += outcome.clustersAfter
            row.bytesBefore += outcome.bytesBefore
            row.bytesAfter += outcome.bytesAfter
            rows[namespace] = row
        }
        let cuts = PlanEvaluator.sorted(Array((result.cuts[name] ?? [:]).values))
        for cut in cuts { rows[cut.sourceNamespace]?.cuts.append(cut) }
        var kept: [String: [String: Int]] = [:]
        for position in scoped where rows[analysis.pods[position].pod.namespace] == nil {
            let summary = analysis.pods[position]
            kept[summary.pod.namespace, default: [:]][summary.sidecar ?? "default", default: 0] += 1
        }
        let unaffected = kept.map { namespace, counts in
            var row = MeshDefaultImpact.NamespaceRow(
                namespace: namespace, sidecars: 0, clustersBefore: 0, clustersAfter: 0, bytesBefore: 0, bytesAfter: 0, cuts: [])
            row.keptBy = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key
            return row
        }.sorted { $0.namespace < $1.namespace }
        let affected = rows.values.sorted {
            $0.savingBytes != $1.savingBytes ? $0.savingBytes > $1.savingBytes : $0.namespace < $1.namespace
        }
        return MeshDefaultImpact(
            sidecar: sidecar, sidecarsAffected: affected.reduce(0) { $0 + $1.sidecars },
            clustersBefore: affected.reduce(0) { $0 + $1.clustersBefore }, clustersAfter: affected.reduce(0) { $0 + $1.clustersAfter },
            bytesBefore: affected.reduce(0) { $0 + $1.bytesBefore }, bytesAfter: affected.reduce(0) { $0 + $1.bytesAfter },
            namespaces: affected, unaffected: unaffected, cuts: cuts, memoryBasis: analysis.memoryModel.basis)
    }
}
