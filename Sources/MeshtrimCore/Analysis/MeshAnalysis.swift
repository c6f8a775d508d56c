import Foundation

/// The whole mesh analysed once: per-pod predictions, per-namespace totals, the memory model, and what-ifs.
///
/// This is what the UI and `meshtrim report` read. Pods with the same namespace and Sidecar share one
/// outbound scope, so a 5,000-pod mesh needs only as many scope evaluations as it has (namespace, Sidecar) pairs.
public struct MeshAnalysis: Sendable {
    /// Where the data came from (context, snapshot file, `demo`).
    public let source: String
    /// The inventory.
    public let inventory: MeshInventory
    /// The scope engine over the inventory.
    public let engine: ScopeEngine
    /// The memory model used for estimates.
    public let memoryModel: MemoryModel
    /// Per-pod summaries in (namespace, name) order.
    public let pods: [PodSummary]
    /// Per-namespace summaries in name order.
    public let namespaces: [NamespaceSummary]
    /// When the observations were captured.
    public let capturedAt: Date?

    /// The observations as given, and their positions by namespace and pod name (see ``observation(namespace:pod:)``).
    private let observationList: [ProxyObservation]
    private let observationPositions: [String: [String: Int]]
    /// Positions in ``pods`` per namespace, in order: ``pods(in:)`` without a pass over every pod.
    private let podPositionsByNamespace: [String: [Int]]
    /// Each namespace's common fix, per sidecar, as computed for its summary.
    private let commonFixChangesByNamespace: [String: [PodChange]]
    /// Outbound cluster counts computed while analysing (per namespace and Sidecar, and for the common fix), for the
    /// namespaces where they do not depend on a pod's labels (no DestinationRule there selects workloads): a later
    /// ``impact(namespace:workloadSelector:hosts:name:)`` of the same hosts, as `report` and the editor's preset ask
    /// for, reuses them instead of evaluating the scope again.
    let knownOutboundCounts: [String: Int]
    /// The inbound counts per pod shape computed while analysing (see `OutboundCache.inbound`), reused the same way.
    let knownInboundCounts: [PodShape: Int]
    /// Namespaces where a DestinationRule selects workloads: there a scope's cluster count depends on a pod's labels,
    /// so neither the counts kept while analysing nor an editor's blocks stand for every pod.
    let labelDependentNamespaces: Set<String>

    /// Analyses a mesh.
    public init(
        inventory: MeshInventory, observations: [ProxyObservation], source: String, capturedAt: Date? = nil,
        istioVersion: IstioVersion? = nil
    ) {
        self.source = source
        self.inventory = inventory
        self.capturedAt = capturedAt
        let engine = ScopeEngine(inventory: inventory, istioVersion: istioVersion)
        self.engine = engine
        // Observations by namespace and pod name, as positions in `observations` (the array is kept as it is: no copy
        // of 50,000 observations into a dictionary keyed by new strings); the last one of a pod wins.
        var observationPositions: [String: [String: Int]] = [:]
        for (position, observation) in observations.enumerated() {
            observationPositions[observation.namespace, default: [:]][observation.pod] = position
        }
        observationList = observations
        self.observationPositions = observationPositions
        memoryModel = MemoryModel.fit(observations: observations)
        // Namespaces are independent: analyse them on all cores, each with its own cache of shared scopes.
        var positionsByNamespace: [String: [Int]] = [:]
        for (position, pod) in inventory.pods.enumerated() { positionsByNamespace[pod.namespace, default: []].append(position) }
        let names = Set(inventory.allNamespaceNames).union(positionsByNamespace.keys).sorted()
        let model = memoryModel
        let commonFix = ["./*", "\(inventory.istiodNamespace)/*"]
        let labelDependent = Set(inventory.destinationRules.filter { $0.workloadSelector != nil }.map(\.meta.namespace))
        labelDependentNamespaces = labelDependent
        let positionsByNamespaceSnapshot = positionsByNamespace
        let positionsOfObservations = observationPositions
        let lookup: @Sendable (Pod) -> ProxyObservation? = { pod in
            positionsOfObservations[pod.namespace]?[pod.name].map { observations[$0] }
        }
        let collected = names.concurrentMap { name in
            var cache = OutboundCache()
            var rows: [(position: Int, sidecar: String?, predicted: Int)] = []
            var summaries: [PodSummary] = []
            for position in positionsByNamespaceSnapshot[name] ?? [] {
                let pod = inventory.pods[position]
                let count = pod.hasSidecar ? Self.clusterCount(engine: engine, pod: pod, candidate: nil, cache: &cache) : (0, nil)
                rows.append((position, count.1, count.0))
                summaries.append(PodSummary(pod: pod, observation: lookup(pod), sidecar: count.1, predictedClusters: count.0))
            }
            let (summary, changes) = Self.namespaceSummary(
                name: name, rows: summaries, engine: engine, model: model, commonFix: commonFix, cache: &cache)
            let scopes = labelDependent.contains(name) ? [:] : cache.scopes
            return NamespaceResult(rows: rows, summary: summary, commonFixChanges: changes, scopes: scopes, inbound: cache.inbound)
        }
        var known: [String: Int] = [:]
        for result in collected { known.merge(result.scopes) { first, _ in first } }
        knownOutboundCounts = known
        var knownInbound: [PodShape: Int] = [:]
        for result in collected { knownInbound.merge(result.inbound) { first, _ in first } }
        knownInboundCounts = knownInbound
        var predictions = Array(repeating: (sidecar: String?.none, predicted: 0), count: inventory.pods.count)
        for result in collected { for row in result.rows { predictions[row.position] = (row.sidecar, row.predicted) } }
        var pods: [PodSummary] = []
        pods.reserveCapacity(inventory.pods.count)
        for (position, pod) in inventory.pods.enumerated() {
            pods.append(
                PodSummary(
                    pod: pod, observation: lookup(pod), sidecar: predictions[position].sidecar,
                    predictedClusters: predictions[position].predicted))
        }
        self.pods = pods
        namespaces = collected.map(\.summary)
        commonFixChangesByNamespace = Dictionary(
            zip(names, collected.map(\.commonFixChanges)), uniquingKeysWith: { first, _ in first })
        podPositionsByNamespace = positionsByNamespace
    }

    /// One namespace analysed: each pod's position with its Sidecar and prediction (the summaries are built once, in
    /// order, afterwards: three copies of 50,000 summaries were a third of the peak memory), the totals, and the counts
    /// its scopes gave (kept for later what-ifs).
    private struct NamespaceResult: Sendable {
        var rows: [(position: Int, sidecar: String?, predicted: Int)]
        var summary: NamespaceSummary
        var commonFixChanges: [PodChange]
        var scopes: [String: Int]
        var inbound: [PodShape: Int]
    }

    /// One namespace's totals, including what the common fix would save, and the common fix's change of each of its
    /// sidecars.
    private static func namespaceSummary(
        name: String, rows: [PodSummary], engine: ScopeEngine, model: MemoryModel, commonFix: [String], cache: inout OutboundCache
    ) -> (NamespaceSummary, [PodChange]) {
        // Gateways are not sidecars: no Sidecar applies to them, so they are left out of every figure here.
        let withSidecar = rows.filter(\.pod.hasSidecarProxy)
        var counts: [String: Int] = [:]
        for row in withSidecar { counts[row.sidecar ?? "default", default: 0] += 1 }
        let inEffect = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        // The table shows the saving and the clusters after, never what would be cut: skip that part.
        let impact = Self.impact(
            engine: engine, model: model, rows: withSidecar, namespace: name, workloadSelector: nil, hosts: commonFix,
            collectsCutDestinations: false, cache: &cache)
        let average = withSidecar.isEmpty ? 0 : Double(withSidecar.reduce(0) { $0 + $1.clusterCount }) / Double(withSidecar.count)
        let afterAverage = impact.affectedPodCount == 0
            ? average
            : (Double(impact.clustersAfter) + Double(withSidecar.count - impact.affectedPodCount) * average)
                / Double(max(1, withSidecar.count))
        let summary = NamespaceSummary(
            name: name, pods: rows.count, sidecars: withSidecar.count, gateways: rows.filter(\.pod.isGateway).count,
            envoyAllocatedBytes: withSidecar.reduce(0) { $0 + ($1.envoyAllocatedBytes ?? 0) },
            observedSidecars: withSidecar.filter { $0.envoyAllocatedBytes != nil }.count,
            averageClusters: average, sidecarsInEffect: inEffect, commonFixSavingBytes: impact.savingBytes,
            commonFixAverageClusters: afterAverage)
        return (summary, impact.changes)
    }

    /// Builds the analysis of a snapshot.
    public init(snapshot: MeshSnapshot, source: String? = nil, istioVersion: IstioVersion? = nil) {
        self.init(
            inventory: snapshot.inventory, observations: snapshot.observations, source: source ?? snapshot.source,
            capturedAt: snapshot.capturedAt, istioVersion: istioVersion)
    }

    /// The observation of a pod, if any.
    public func observation(namespace: String, pod: String) -> ProxyObservation? {
        observationPositions[namespace]?[pod].map { observationList[$0] }
    }

    /// The full scope of a pod (with reasons), optionally as if `candidate` were applied.
    public func scope(for pod: Pod, candidate: Sidecar? = nil) -> SidecarScope {
        engine.scope(for: pod, candidate: candidate)
    }

    /// What the namespace's common fix (`./*` + `<istiod namespace>/*`) does to each of its sidecars (gateways
    /// aside), computed once while analysing for the SAVING column: the changes of
    /// ``impact(namespace:workloadSelector:hosts:name:blocks:)`` with ``hosts(for:namespace:workloadSelector:)`` of `.commonFix`, so
    /// that `report` does not evaluate every namespace's common fix a second time.
    public func commonFixChanges(in namespace: String) -> [PodChange] {
        commonFixChangesByNamespace[namespace] ?? []
    }

    /// Pod summaries of one namespace.
    public func pods(in namespace: String) -> [PodSummary] {
        (podPositionsByNamespace[namespace] ?? []).map { pods[$0] }
    }

    /// The egress hosts a preset stands for, for `namespace` (and, for a workload Sidecar, the selected pods).
    public func hosts(for preset: EgressPreset, namespace: String, workloadSelector: [String: String]? = nil) -> [String] {
        switch preset {
        case .commonFix: return ["./*", "\(inventory.istiodNamespace)/*"]
        case .nothing: return ["~/*"]
        case .clear: return []
        case .observedTraffic:
            // The same decision as `meshtrim recommend` with its defaults, from the sidecars' own counters.
            let recommender = EgressRecommender(analysis: self)
            let evidence = recommender.counterEvidence(namespace: namespace, workloadSelector: workloadSelector)
            return recommender.recommend(namespace: namespace, workloadSelector: workloadSelector, evidence: evidence).hostNames
        }
    }

    /// `ns/host` for an observed destination: the registry service it names (the metric's namespace, else the
    /// proxy's, else the first; a wildcard ServiceEntry for a concrete host it covers), else the metric's namespace.
    public func egressHost(for destination: ObservedDestination, proxyNamespace: String) -> String {
        if case .service(let service) = EgressRecommender(analysis: self).resolve(destination, proxyNamespace: proxyNamespace) {
            return "\(service.namespace)/\(service.hostname)"
        }
        return "\(destination.namespace ?? "*")/\(destination.host)"
    }
}
