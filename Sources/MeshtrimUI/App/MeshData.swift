import MeshtrimCore

/// The loaded analysis plus the lookups the screens need, built once when the mesh loads.
///
/// A reference type compared by identity: `AppState` stays cheap to copy and compare (the runtime redraws only
/// when the state changed), and a 1,500-pod analysis is never compared field by field.
public final class MeshData: Sendable, Hashable {
    /// The analysis every number on screen comes from.
    public let analysis: MeshAnalysis
    /// Pod indices (into `analysis.pods`) per namespace, in name order.
    public let podIndicesByNamespace: [String: [Int]]
    /// Services per namespace, by hostname; the egress editor lists them under their namespace.
    public let servicesByNamespace: [String: [MeshService]]
    /// Every namespace that holds anything, in name order.
    public let namespaceNames: [String]
    /// Namespaces where some sidecar's cluster count is the engine's prediction (no Envoy count): their
    /// CLUSTERS/SIDECAR average is shown with `~`, as the pods screen marks a predicted count.
    public let namespacesWithPredictedClusters: Set<String>
    /// Totals for the header line.
    public let totals: MeshTotals
    /// The Istio version the engine models.
    public let istioVersion: IstioVersion
    /// Per namespace with a Sidecar in effect: its drift from the sidecars' own counters (new dependencies and
    /// trim candidates summed over the Sidecars in effect there), for the DRIFT column.
    public let driftByNamespace: [String: NamespaceDrift]

    /// Indexes `analysis`.
    public init(analysis: MeshAnalysis) {
        self.analysis = analysis
        var byNamespace: [String: [Int]] = [:]
        for (index, summary) in analysis.pods.enumerated() {
            byNamespace[summary.pod.namespace, default: []].append(index)
        }
        podIndicesByNamespace = byNamespace
        namespacesWithPredictedClusters = Set(
            analysis.pods.lazy.filter { $0.pod.hasSidecar && !$0.isClusterCountActual }.map(\.pod.namespace))
        var services: [String: [MeshService]] = [:]
        for service in analysis.inventory.services {
            services[service.namespace, default: []].append(service)
        }
        servicesByNamespace = services.mapValues { $0.sorted { $0.hostname < $1.hostname } }
        namespaceNames = Set(analysis.namespaces.map(\.name)).union(services.keys).sorted()
        totals = MeshTotals(analysis.namespaces)
        istioVersion = analysis.engine.version
        driftByNamespace = NamespaceDrift.byNamespace(SidecarDriftAnalyzer(analysis: analysis).drift(namespaces: nil, suggesting: false))
    }

    /// Identity: two `MeshData` are equal only when they are the same load.
    public static func == (lhs: MeshData, rhs: MeshData) -> Bool { lhs === rhs }

    /// Hashes the identity.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// The pod summary at `index` of `analysis.pods`, `nil` when out of range.
    public func pod(at index: Int) -> PodSummary? {
        analysis.pods.indices.contains(index) ? analysis.pods[index] : nil
    }

    /// The namespace summary named `name`.
    public func namespace(named name: String) -> NamespaceSummary? {
        analysis.namespaces.first { $0.name == name }
    }

    /// The istiod namespace (where `istio-system/*` points).
    public var istiodNamespace: String { analysis.inventory.istiodNamespace }
}

/// Mesh-wide sums shown in the header.
public struct MeshTotals: Hashable, Sendable {
    /// Namespaces.
    public var namespaces: Int
    /// Pods.
    public var pods: Int
    /// Pods with a sidecar.
    public var sidecars: Int
    /// Observed Envoy allocated bytes, summed.
    public var envoyAllocatedBytes: Int
    /// Sidecars whose Envoy memory was observed; 0 means the memory figures are unknown, not zero (manifests).
    public var observedSidecars: Int
    /// Estimated saving of the common fix in every namespace.
    public var commonFixSavingBytes: Int

    /// Sums namespace rows.
    public init(_ rows: [NamespaceSummary]) {
        namespaces = rows.count
        pods = rows.reduce(0) { $0 + $1.pods }
        sidecars = rows.reduce(0) { $0 + $1.sidecars }
        envoyAllocatedBytes = rows.reduce(0) { $0 + $1.envoyAllocatedBytes }
        observedSidecars = rows.reduce(0) { $0 + $1.observedSidecars }
        commonFixSavingBytes = rows.reduce(0) { $0 + $1.commonFixSavingBytes }
    }
}
