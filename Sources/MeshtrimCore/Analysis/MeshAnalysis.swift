import Foundation
import Synchronization

/// A pod's row of numbers: what was observed and what the scope engine predicts.
public struct PodSummary: Hashable, Sendable {
    /// The pod.
    public var pod: Pod
    /// What was observed on its sidecar, if anything.
    public var observation: ProxyObservation?
    /// The Sidecar in effect (`namespace/name`), `nil` for the default scope.
    public var sidecar: String?
    /// Every cluster the engine predicts (bootstrap ones included, as `active_clusters` counts them).
    public var predictedClusters: Int
    /// Envoy's own count, when observed.
    public var activeClusters: Int? { observation?.activeClusters }
    /// Observed allocated bytes, when observed.
    public var envoyAllocatedBytes: Int? { observation?.envoyAllocatedBytes }
    /// Observed working set bytes, when observed.
    public var workingSetBytes: Int? { observation?.workingSetBytes }
    /// How many distinct destinations had observed traffic.
    public var observedDestinationCount: Int { observation?.destinations.count ?? 0 }
    /// The cluster count to show: the actual one when known, else the prediction.
    public var clusterCount: Int { activeClusters ?? predictedClusters }
    /// Whether ``clusterCount`` is Envoy's own count (not a prediction).
    public var isClusterCountActual: Bool { activeClusters != nil }
}

/// A namespace's row of numbers on the namespaces screen.
public struct NamespaceSummary: Hashable, Sendable {
    /// The namespace name.
    public var name: String
    /// Pods in it.
    public var pods: Int
    /// Pods with an Envoy sidecar (gateways not included: see ``gateways``).
    public var sidecars: Int
    /// Pods running a gateway proxy (ingress, egress, Gateway API), which no Sidecar resource applies to.
    public var gateways: Int = 0
    /// Sum of observed Envoy allocated bytes (sidecars without data count as 0; see ``observedSidecars``).
    public var envoyAllocatedBytes: Int
    /// Sidecars with an observed memory figure.
    public var observedSidecars: Int
    /// Average clusters per sidecar (actual where known).
    public var averageClusters: Double
    /// The Sidecar resources in effect for its pods (`ns/name`, or `default` for none), most common first.
    public var sidecarsInEffect: [String]
    /// The estimated saving, in bytes, of the common fix (`./*` + istiod namespace) for the whole namespace.
    public var commonFixSavingBytes: Int
    /// Average clusters per sidecar after the common fix.
    public var commonFixAverageClusters: Double
}

/// A destination with observed traffic that a proposed Sidecar would cut off.
public struct CutDestination: Hashable, Sendable {
    /// The destination host.
    public var host: String
    /// Its namespace, when known.
    public var namespace: String?
    /// Requests or connections observed.
    public var requests: Int
    /// The pods that sent them.
    public var pods: [String]
}

/// What a proposed Sidecar would do to one pod.
public struct PodChange: Hashable, Sendable {
    /// The pod's name.
    public var pod: String
    /// Clusters now (actual where known).
    public var clustersBefore: Int
    /// Predicted clusters afterwards.
    public var clustersAfter: Int
    /// Envoy allocated bytes now (observed, else estimated).
    public var bytesBefore: Int
    /// Estimated Envoy allocated bytes afterwards.
    public var bytesAfter: Int
}

/// What a proposed egress selection would do to the pods it applies to.
public struct EgressImpact: Hashable, Sendable {
    /// The proposed Sidecar.
    public var sidecar: Sidecar
    /// The pods it would apply to (pods with a more specific Sidecar keep theirs).
    public var affectedPods: [String] { changes.map(\.pod) }
    /// The change for each affected pod.
    public var changes: [PodChange]
    /// Pods of the namespace it would not change, with why.
    public var unaffectedPods: [(pod: String, reason: String)]
    /// Clusters on the affected pods now (actual where known), summed.
    public var clustersBefore: Int
    /// Predicted clusters on the affected pods afterwards, summed.
    public var clustersAfter: Int
    /// Envoy allocated bytes now (observed where known, else estimated), summed.
    public var memoryBeforeBytes: Int
    /// Estimated Envoy allocated bytes afterwards, summed.
    public var memoryAfterBytes: Int
    /// Observed destinations the Sidecar would no longer import, biggest first.
    public var cutDestinations: [CutDestination]
    /// Explanations (precedence, engine warnings).
    public var notes: [String]
    /// The memory model's basis.
    public var memoryBasis: MemoryModel.Basis

    /// Estimated bytes saved.
    public var savingBytes: Int { max(0, memoryBeforeBytes - memoryAfterBytes) }

    public static func == (lhs: EgressImpact, rhs: EgressImpact) -> Bool {
        lhs.sidecar == rhs.sidecar && lhs.changes == rhs.changes && lhs.clustersBefore == rhs.clustersBefore
            && lhs.clustersAfter == rhs.clustersAfter && lhs.memoryBeforeBytes == rhs.memoryBeforeBytes
            && lhs.memoryAfterBytes == rhs.memoryAfterBytes && lhs.cutDestinations == rhs.cutDestinations
            && lhs.notes == rhs.notes && lhs.unaffectedPods.map(\.pod) == rhs.unaffectedPods.map(\.pod)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sidecar)
        hasher.combine(changes)
        hasher.combine(clustersAfter)
        hasher.combine(memoryAfterBytes)
    }
}

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
    /// Outbound cluster counts computed while analysing (per namespace and Sidecar, and for the common fix), for the
    /// namespaces where they do not depend on a pod's labels (no DestinationRule there selects workloads): a later
    /// ``impact(namespace:workloadSelector:hosts:name:)`` of the same hosts, as `report` and the editor's preset ask
    /// for, reuses them instead of evaluating the scope again.
    private let knownOutboundCounts: [String: Int]
    /// The inbound counts per pod shape computed while analysing (see `OutboundCache.inbound`), reused the same way.
    private let knownInboundCounts: [PodShape: Int]

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
        /// Per namespace: each pod's position with its Sidecar and prediction (the summaries are built once, in
        /// order, afterwards: three copies of 50,000 summaries were a third of the peak memory), and the totals.
        let results = Mutex<
            [String: (rows: [(position: Int, sidecar: String?, predicted: Int)], summary: NamespaceSummary, scopes: [String: Int], inbound: [PodShape: Int])]
        >([:])
        let labelDependent = Set(inventory.destinationRules.filter { $0.workloadSelector != nil }.map(\.meta.namespace))
        let positionsByNamespaceSnapshot = positionsByNamespace
        let positionsOfObservations = observationPositions
        let lookup: @Sendable (Pod) -> ProxyObservation? = { pod in
            positionsOfObservations[pod.namespace]?[pod.name].map { observations[$0] }
        }
        DispatchQueue.concurrentPerform(iterations: names.count) { item in
            let name = names[item]
            var cache = OutboundCache()
            var rows: [(position: Int, sidecar: String?, predicted: Int)] = []
            var summaries: [PodSummary] = []
            for position in positionsByNamespaceSnapshot[name] ?? [] {
                let pod = inventory.pods[position]
                let count = pod.hasSidecar ? Self.clusterCount(engine: engine, pod: pod, candidate: nil, cache: &cache) : (0, nil)
                rows.append((position, count.1, count.0))
                summaries.append(PodSummary(pod: pod, observation: lookup(pod), sidecar: count.1, predictedClusters: count.0))
            }
            let summary = Self.namespaceSummary(
                name: name, rows: summaries, engine: engine, model: model, commonFix: commonFix, cache: &cache)
            let scopes = labelDependent.contains(name) ? [:] : cache.scopes
            let inbound = cache.inbound
            results.withLock { $0[name] = (rows, summary, scopes, inbound) }
        }
        let collected = results.withLock { $0 }
        var known: [String: Int] = [:]
        for (_, result) in collected { known.merge(result.scopes) { first, _ in first } }
        knownOutboundCounts = known
        var knownInbound: [PodShape: Int] = [:]
        for (_, result) in collected { knownInbound.merge(result.inbound) { first, _ in first } }
        knownInboundCounts = knownInbound
        var predictions = Array(repeating: (sidecar: String?.none, predicted: 0), count: inventory.pods.count)
        for (_, result) in collected { for row in result.rows { predictions[row.position] = (row.sidecar, row.predicted) } }
        var pods: [PodSummary] = []
        pods.reserveCapacity(inventory.pods.count)
        for (position, pod) in inventory.pods.enumerated() {
            pods.append(
                PodSummary(
                    pod: pod, observation: lookup(pod), sidecar: predictions[position].sidecar,
                    predictedClusters: predictions[position].predicted))
        }
        self.pods = pods
        namespaces = names.compactMap { collected[$0]?.summary }
        podPositionsByNamespace = positionsByNamespace
    }

    /// One namespace's totals, including what the common fix would save.
    private static func namespaceSummary(
        name: String, rows: [PodSummary], engine: ScopeEngine, model: MemoryModel, commonFix: [String], cache: inout OutboundCache
    ) -> NamespaceSummary {
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
        let afterAverage = impact.affectedPods.isEmpty
            ? average
            : (Double(impact.clustersAfter) + Double(withSidecar.count - impact.affectedPods.count) * average)
                / Double(max(1, withSidecar.count))
        return NamespaceSummary(
            name: name, pods: rows.count, sidecars: withSidecar.count, gateways: rows.filter(\.pod.isGateway).count,
            envoyAllocatedBytes: withSidecar.reduce(0) { $0 + ($1.envoyAllocatedBytes ?? 0) },
            observedSidecars: withSidecar.filter { $0.envoyAllocatedBytes != nil }.count,
            averageClusters: average, sidecarsInEffect: inEffect, commonFixSavingBytes: impact.savingBytes,
            commonFixAverageClusters: afterAverage)
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

    /// What a Sidecar with `hosts` for `namespace` (or for the workloads matching `workloadSelector`) would do.
    ///
    /// Only sidecars count: gateways keep the default scope whatever Sidecar exists, so they are never affected.
    public func impact(namespace: String, workloadSelector: [String: String]?, hosts: [String], name: String? = nil) -> EgressImpact {
        var cache = OutboundCache(scopes: knownOutboundCounts, inbound: knownInboundCounts)
        let rows = pods(in: namespace).filter(\.pod.hasSidecarProxy)
        return Self.impact(
            engine: engine, model: memoryModel, rows: rows, namespace: namespace, workloadSelector: workloadSelector,
            hosts: hosts, name: name, cache: &cache)
    }

    /// The Sidecar meshtrim proposes for a namespace or workload.
    public static func proposedSidecar(namespace: String, workloadSelector: [String: String]?, hosts: [String], name: String? = nil) -> Sidecar {
        let workload = workloadSelector?["app"] ?? workloadSelector?.sorted { $0.key < $1.key }.first?.value
        let defaultName = workloadSelector == nil ? "default" : (workload ?? "workload")
        return Sidecar(
            meta: ObjectMeta(name: name ?? defaultName, namespace: namespace),
            workloadSelector: workloadSelector.map(LabelSelector.init),
            egress: hosts.isEmpty ? [] : [SidecarEgressListener(hosts: hosts)])
    }

    // MARK: Internals

    struct OutboundCache {
        /// Outbound cluster counts per (namespace, Sidecar or candidate).
        var scopes: [String: Int] = [:]
        /// Whole counts per pod shape.
        var pods: [PodShape: (Int, String?)] = [:]
        /// Inbound cluster counts from the services selecting a pod shape (`isCandidate` false), which hold whatever
        /// Sidecar applies as long as it has no ingress listeners: a toggle in the editor changes only the outbound part.
        var inbound: [PodShape: Int] = [:]
    }

    /// What a pod's cluster count depends on: its namespace, its labels, and its IP where ServiceEntry endpoints
    /// make it matter; replicas share a shape. Hashed as is (a dictionary hashes independently of its order), which
    /// costs far less than spelling the labels out into a string per pod.
    struct PodShape: Hashable {
        var isCandidate: Bool
        var isGateway: Bool
        var namespace: String
        var labels: [String: String]
        var podIP: String?

        init(pod: Pod, isCandidate: Bool, engine: ScopeEngine) {
            self.isCandidate = isCandidate
            isGateway = pod.isGateway
            namespace = pod.namespace
            labels = pod.labels
            podIP = engine.namespacesWithEndpoints.contains(pod.namespace) ? pod.podIP ?? "" : nil
        }
    }

    private static func clusterCount(engine: ScopeEngine, pod: Pod, candidate: Sidecar?, cache: inout OutboundCache) -> (Int, String?) {
        // Replicas share labels, so they share the answer.
        let shape = PodShape(pod: pod, isCandidate: candidate != nil, engine: engine)
        if let known = cache.pods[shape] { return known }
        let result = uncachedClusterCount(engine: engine, pod: pod, candidate: candidate, cache: &cache)
        cache.pods[shape] = result
        return result
    }

    private static func uncachedClusterCount(
        engine: ScopeEngine, pod: Pod, candidate: Sidecar?, cache: inout OutboundCache
    ) -> (Int, String?) {
        if pod.isGateway {
            // The default scope, no inbound clusters (istiod builds no Sidecar scope for a router proxy).
            let key = "\(pod.namespace)|"
            let outbound = cache.scopes[key] ?? engine.outboundClusterCount(namespace: pod.namespace, labels: pod.labels, sidecar: nil)
            cache.scopes[key] = outbound
            return (outbound + engine.alwaysPresentClusters(includingInbound: false).count, nil)
        }
        let selection = engine.selectSidecar(namespace: pod.namespace, labels: pod.labels, candidate: candidate)
        let sidecarName = selection.sidecar?.meta.qualifiedName
        let isCandidate = candidate != nil && selection.sidecar?.meta.qualifiedName == candidate?.meta.qualifiedName
        let key = isCandidate
            ? "\(pod.namespace)|candidate|\((candidate?.egress ?? []).flatMap { $0.hosts }.joined(separator: ","))"
            : "\(pod.namespace)|\(sidecarName ?? "")"
        let outbound: Int
        if let cached = cache.scopes[key] {
            outbound = cached
        } else {
            outbound = engine.outboundClusterCount(namespace: pod.namespace, labels: pod.labels, sidecar: selection.sidecar)
            cache.scopes[key] = outbound
        }
        let inbound: Int
        if selection.sidecar?.ingressPorts.isEmpty ?? true, engine.version >= IstioVersion(major: 1, minor: 10) {
            let shape = PodShape(pod: pod, isCandidate: false, engine: engine)
            if let known = cache.inbound[shape] {
                inbound = known
            } else {
                inbound = engine.inboundClusterCount(namespace: pod.namespace, labels: pod.labels, pod: pod, sidecar: nil)
                cache.inbound[shape] = inbound
            }
        } else {
            inbound = engine.inboundClusterCount(namespace: pod.namespace, labels: pod.labels, pod: pod, sidecar: selection.sidecar)
        }
        return (outbound + inbound + engine.alwaysPresent.count, sidecarName)
    }

    private static func impact(
        engine: ScopeEngine, model: MemoryModel, rows: [PodSummary], namespace: String, workloadSelector: [String: String]?,
        hosts: [String], name: String? = nil, collectsCutDestinations: Bool = true, cache: inout OutboundCache
    ) -> EgressImpact {
        let candidate = proposedSidecar(namespace: namespace, workloadSelector: workloadSelector, hosts: hosts, name: name)
        var changes: [PodChange] = []
        var unaffected: [(String, String)] = []
        var before = 0
        var after = 0
        var memoryBefore = 0
        var memoryAfter = 0
        var cut: [String: CutDestination] = [:]
        var notes: [String] = []
        var afterScopes: [String: ImportedHostnames] = [:]
        // Which Sidecar applies depends only on the labels here (one namespace, one candidate): replicas share it.
        var selections: [[String: String]: SidecarSelection] = [:]
        for row in rows {
            if let selector = workloadSelector, !LabelSelector(selector).matches(row.pod.labels) {
                unaffected.append((row.pod.name, "not selected by \(LabelSelector(selector).description)"))
                continue
            }
            let selection: SidecarSelection
            if let known = selections[row.pod.labels] {
                selection = known
            } else {
                selection = engine.selectSidecar(namespace: namespace, labels: row.pod.labels, candidate: candidate)
                selections[row.pod.labels] = selection
            }
            for warning in selection.warnings where !notes.contains(warning) { notes.append(warning) }
            guard selection.sidecar?.meta.name == candidate.meta.name, selection.sidecar?.meta.namespace == namespace else {
                unaffected.append((row.pod.name, "keeps \(selection.sidecar?.meta.qualifiedName ?? "its scope"), which takes precedence"))
                continue
            }
            let predictedAfter = clusterCount(engine: engine, pod: row.pod, candidate: candidate, cache: &cache).0
            // Anchor on Envoy's own count when known: what the engine cannot see (EnvoyFilters, …) stays.
            let newCount = row.activeClusters.map { max(0, $0 - (row.predictedClusters - predictedAfter)) } ?? predictedAfter
            let observed = row.envoyAllocatedBytes
            let change = PodChange(
                pod: row.pod.name, clustersBefore: row.clusterCount, clustersAfter: newCount,
                bytesBefore: observed ?? model.estimatedBytes(clusters: row.clusterCount),
                bytesAfter: model.estimatedBytes(after: newCount, before: row.clusterCount, observed: observed))
            changes.append(change)
            before += change.clustersBefore
            after += change.clustersAfter
            memoryBefore += change.bytesBefore
            memoryAfter += change.bytesAfter
            guard collectsCutDestinations, let destinations = row.observation?.destinations, !destinations.isEmpty else { continue }
            let key = selection.sidecar?.meta.qualifiedName ?? ""
            let scopeHosts: ImportedHostnames
            if let cached = afterScopes[key] {
                scopeHosts = cached
            } else {
                scopeHosts = engine.importedHostnames(namespace: namespace, sidecar: selection.sidecar)
                afterScopes[key] = scopeHosts
            }
            for destination in destinations {
                if scopeHosts.covers(destination.host) { continue }
                var entry = cut[destination.host] ?? CutDestination(host: destination.host, namespace: destination.namespace, requests: 0, pods: [])
                entry.requests += destination.requests
                if !entry.pods.contains(row.pod.name) { entry.pods.append(row.pod.name) }
                cut[destination.host] = entry
            }
        }
        let keeping = unaffected.filter { $0.1.hasPrefix("keeps") }
        if !keeping.isEmpty {
            notes.append("\(keeping.count) pod(s) keep a workload Sidecar, which overrides a namespace Sidecar")
        }
        if workloadSelector != nil {
            if let namespaceSidecar = engine.selectSidecar(namespace: namespace, labels: [:]).sidecar {
                notes.append("a workload Sidecar overrides \(namespaceSidecar.meta.qualifiedName) for the selected pods")
            }
        }
        return EgressImpact(
            sidecar: candidate, changes: changes, unaffectedPods: unaffected, clustersBefore: before,
            clustersAfter: after, memoryBeforeBytes: memoryBefore, memoryAfterBytes: memoryAfter,
            cutDestinations: cut.values.sorted { $0.requests != $1.requests ? $0.requests > $1.requests : $0.host < $1.host },
            notes: notes, memoryBasis: model.basis)
    }
}
