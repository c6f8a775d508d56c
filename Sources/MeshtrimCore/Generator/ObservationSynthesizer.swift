import Foundation

/// Makes up what each generated sidecar reports, consistent with the scope engine and the measured memory table.
///
/// `activeClusters` is the engine's prediction for the pod (outbound clusters shared per namespace and Sidecar,
/// plus the pod's inbound and always-present ones, as ``MeshAnalysis`` counts them). Envoy's allocated memory is
/// ``MemoryModel/measured`` for that count within ±5 %; heap, physical memory and the container's working set
/// follow from it. Pods started before the Sidecar that now trims them still have a heap sized for the whole
/// mesh, because Envoy does not return freed memory until it restarts.
struct ObservationSynthesizer {
    let blueprint: MeshBlueprint
    let inventory: MeshInventory
    let capturedAt: Date
    private var random: SeededRandom

    /// How many pods also report their actual cluster names (for the detail screen's "actual" view).
    static let detailedPods = 5

    /// Prepares a synthesizer over a blueprint and the inventory made from it.
    init(blueprint: MeshBlueprint, inventory: MeshInventory, capturedAt: Date, seed: UInt64) {
        self.blueprint = blueprint
        self.inventory = inventory
        self.capturedAt = capturedAt
        random = SeededRandom(seed: seed, stream: 11)
    }

    /// One observation per running sidecar, in pod order.
    mutating func observations() -> [ProxyObservation] {
        let engine = ScopeEngine(inventory: inventory)
        let model = MemoryModel.measured
        let alwaysPresent = engine.alwaysPresentClusters().count
        var outboundCounts: [String: Int] = [:]
        func outbound(_ pod: Pod, _ sidecar: Sidecar?) -> Int {
            let key = "\(pod.namespace)|\(sidecar?.meta.name ?? "")"
            if let known = outboundCounts[key] { return known }
            let count = engine.outboundClusterCount(namespace: pod.namespace, labels: pod.labels, sidecar: sidecar)
            outboundCounts[key] = count
            return count
        }
        var observations: [ProxyObservation] = []
        var observedPods: [Pod] = []
        var sidecarNames: [String?] = []
        for planned in blueprint.pods where planned.pod.hasSidecar && planned.pod.phase == "Running" {
            let pod = planned.pod
            let selection = engine.selectSidecar(namespace: pod.namespace, labels: pod.labels)
            let inbound = engine.inboundClusters(
                namespace: pod.namespace, labels: pod.labels, pod: pod, sidecar: selection.sidecar
            ).count
            let clusters = outbound(pod, selection.sidecar) + inbound + alwaysPresent
            let allocated = Double(model.estimatedBytes(clusters: clusters)) * (1 + noise())
            var footprint = allocated
            if let sidecar = selection.sidecar, let applied = sidecar.meta.creationTimestamp,
                let started = pod.meta.creationTimestamp, started < applied
            {
                let before = outbound(pod, nil) + inbound + alwaysPresent
                footprint = max(allocated, Double(model.estimatedBytes(clusters: before)) * (1 + noise()))
            }
            let heap = footprint * random.double(in: 1.15...1.3)
            let physical = heap * random.double(in: 1.04...1.06)
            let workingSet = physical + random.double(in: 25...45) * 1_000_000
            observations.append(
                ProxyObservation(
                    namespace: pod.namespace, pod: pod.name, envoyAllocatedBytes: Int(allocated.rounded()),
                    envoyHeapBytes: Int(heap.rounded()), envoyPhysicalBytes: Int(physical.rounded()),
                    workingSetBytes: Int(workingSet.rounded()), activeClusters: clusters,
                    destinations: destinations(for: planned),
                    capturedAt: capturedAt.addingTimeInterval(-Double(random.int(in: 0...90))),
                    source: MeshGenerator.source))
            observedPods.append(pod)
            sidecarNames.append(selection.sidecar?.meta.qualifiedName)
        }
        for position in detailedPositions(sidecarNames: sidecarNames) {
            observations[position].clusterNames = engine.scope(for: observedPods[position]).clusters.map(\.name)
        }
        return observations
    }

    /// A relative error within ±5 %, more often small than large (triangular).
    private mutating func noise() -> Double {
        (random.unit() + random.unit() - 1) * 0.05
    }

    /// Traffic counters since the pod started: the workload's calls at their rates, ±30 % per pod.
    private mutating func destinations(for planned: MeshBlueprint.PlannedPod) -> [ObservedDestination] {
        let workload = blueprint.workloads[planned.workload]
        let started = planned.pod.meta.creationTimestamp ?? capturedAt
        let uptime = max(60, capturedAt.timeIntervalSince(started))
        return workload.calls.map { call in
            let requests = call.ratePerSecond * uptime * random.double(in: 0.7...1.3)
            return ObservedDestination(
                host: call.host, namespace: blueprint.services[call.service].service.namespace, port: call.port,
                requests: max(1, Int(requests.rounded())))
        }
    }

    /// The first pod under each Sidecar, then random unscoped pods, up to ``detailedPods``.
    private mutating func detailedPositions(sidecarNames: [String?]) -> [Int] {
        var chosen: [Int] = []
        var seen = Set<String>()
        for (position, name) in sidecarNames.enumerated() {
            guard let name, !seen.contains(name) else { continue }
            seen.insert(name)
            chosen.append(position)
        }
        let unscoped = sidecarNames.indices.filter { sidecarNames[$0] == nil }
        for _ in 0..<(Self.detailedPods * 4) where chosen.count < Self.detailedPods {
            if let position = random.element(of: unscoped), !chosen.contains(position) { chosen.append(position) }
        }
        return chosen.sorted()
    }
}
