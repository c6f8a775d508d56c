import Foundation

/// What a proposed Sidecar would do to a namespace's (or workload's) sidecars: the per-pod cluster counts before and
/// after, their memory, the observed destinations it would cut, and the caches that let replicas and toggles share
/// one scope evaluation.
extension MeshAnalysis {
    /// What a Sidecar with `hosts` for `namespace` (or for the workloads matching `workloadSelector`) would do.
    ///
    /// Only sidecars count: gateways keep the default scope whatever Sidecar exists, so they are never affected.
    ///
    /// - Parameter blocks: the namespace's ``EgressImpactBlocks`` (an egress editor makes them when it opens): the
    ///   candidate's outbound count and cuts are then added up from them instead of evaluating its imports.
    public func impact(
        namespace: String, workloadSelector: [String: String]?, hosts: [String], name: String? = nil, blocks: EgressImpactBlocks? = nil
    ) -> EgressImpact {
        var cache = OutboundCache(scopes: knownOutboundCounts, inbound: knownInboundCounts)
        let rows = pods(in: namespace).filter(\.pod.hasSidecarProxy)
        return Self.impact(
            engine: engine, model: memoryModel, rows: rows, namespace: namespace, workloadSelector: workloadSelector,
            hosts: hosts, name: name, blocks: blocks?.namespace == namespace ? blocks : nil, cache: &cache)
    }

    /// The blocks of `namespace`'s scope for ``impact(namespace:workloadSelector:hosts:name:blocks:)``, watching every
    /// host its sidecars were seen calling; `nil` where its scope depends on a pod's labels (a DestinationRule there
    /// selects workloads), as the counts kept while analysing are.
    public func egressImpactBlocks(namespace: String) -> EgressImpactBlocks? {
        guard !labelDependentNamespaces.contains(namespace) else { return nil }
        var watched: [String] = []
        var seen: Set<String> = []
        for summary in pods(in: namespace) where summary.pod.hasSidecarProxy {
            for destination in summary.observation?.destinations ?? [] where seen.insert(destination.host).inserted {
                watched.append(destination.host)
            }
        }
        return EgressImpactBlocks(blocks: engine.outboundBlocks(namespace: namespace, labels: [:], watching: watched))
    }

    /// The Sidecar meshtrim proposes for a namespace or workload.
    public static func proposedSidecar(namespace: String, workloadSelector: [String: String]?, hosts: [String], name: String? = nil) -> Sidecar {
        let defaultName = workloadSelector.map { SidecarNaming.workloadName(selector: $0) } ?? "default"
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

    static func clusterCount(engine: ScopeEngine, pod: Pod, candidate: Sidecar?, cache: inout OutboundCache) -> (Int, String?) {
        // Replicas share labels, so they share the answer.
        let shape = PodShape(pod: pod, isCandidate: candidate != nil, engine: engine)
        if let known = cache.pods[shape] { return known }
        let result = uncachedClusterCount(engine: engine, pod: pod, candidate: candidate, cache: &cache)
        cache.pods[shape] = result
        return result
    }

    static func uncachedClusterCount(
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
        let key = isCandidate ? candidateScopeKey(namespace: pod.namespace, candidate: candidate) : "\(pod.namespace)|\(sidecarName ?? "")"
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

    /// The key of a candidate's outbound count in ``OutboundCache/scopes``: its namespace and hosts.
    static func candidateScopeKey(namespace: String, candidate: Sidecar?) -> String {
        "\(namespace)|candidate|\((candidate?.egress ?? []).flatMap { $0.hosts }.joined(separator: ","))"
    }

    static func impact(
        engine: ScopeEngine, model: MemoryModel, rows: [PodSummary], namespace: String, workloadSelector: [String: String]?,
        hosts: [String], name: String? = nil, blocks: EgressImpactBlocks? = nil, collectsCutDestinations: Bool = true,
        cache: inout OutboundCache
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
        var afterScopes: [String: HostCoverage] = [:]
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
            let scopeKey = selection.sidecar?.meta.qualifiedName ?? ""
            if collectsCutDestinations, afterScopes[scopeKey] == nil {
                // The candidate's cluster count and what decides the cuts from the blocks, else from one evaluation of
                // its imports (the editor asks for both after every toggle).
                let countKey = candidateScopeKey(namespace: namespace, candidate: candidate)
                if let blocks, let added = engine.outboundClusterCountAndCoverage(blocks.blocks, sidecar: selection.sidecar) {
                    if cache.scopes[countKey] == nil { cache.scopes[countKey] = added.count }
                    afterScopes[scopeKey] = HostCoverage(watched: blocks.positions, covered: added.covered)
                } else {
                    let evaluated = engine.outboundClusterCountAndHostnames(
                        namespace: namespace, labels: row.pod.labels, sidecar: selection.sidecar)
                    if cache.scopes[countKey] == nil { cache.scopes[countKey] = evaluated.count }
                    afterScopes[scopeKey] = HostCoverage(hostnames: evaluated.hostnames)
                }
            }
            let predictedAfter = clusterCount(engine: engine, pod: row.pod, candidate: candidate, cache: &cache).0
            let newCount = row.clustersAfter(predicted: predictedAfter)
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
            var coverage = afterScopes[scopeKey] ?? HostCoverage()
            for destination in destinations {
                if coverage.covers(destination.host, namespace: namespace, sidecar: selection.sidecar, engine: engine) { continue }
                // In place: a copy of the entry would copy its pods on every append (909 senders of one host).
                cut[destination.host, default: CutDestination(host: destination.host, namespace: destination.namespace, requests: 0, pods: [])]
                    .add(requests: destination.requests, from: row.pod.name)
            }
            afterScopes[scopeKey] = coverage
        }
        // Pod names are unique in a namespace, but a snapshot is read as it is: only then can a sender be named twice.
        let podNamesRepeat = Set(rows.map(\.pod.name)).count != rows.count
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
            cutDestinations: (podNamesRepeat ? cut.values.map { $0.withUniquePods() } : Array(cut.values)).sorted { $0.requests != $1.requests ? $0.requests > $1.requests : $0.host < $1.host },
            notes: notes, memoryBasis: model.basis)
    }
}

extension CutDestination {
    /// Counts `requests` sent by `pod`, naming the pod once in a row (a pod's destinations are read together).
    fileprivate mutating func add(requests: Int, from pod: String) {
        self.requests += requests
        if pods.last != pod { pods.append(pod) }
    }

    /// The destination with each pod named once, where first named: two pods of one name (a snapshot is read as it
    /// is) are named once, as a search of the list before each append named them.
    fileprivate func withUniquePods() -> CutDestination {
        var seen = Set<String>()
        var copy = self
        copy.pods = pods.filter { seen.insert($0).inserted }
        return copy
    }
}

/// Whether a candidate's scope covers an observed host: the blocks' answer for the hosts they watch, else the scope's
/// imported hostnames, evaluated when first asked.
struct HostCoverage {
    /// Watched host → position in ``covered``.
    var watched: [String: Int] = [:]
    /// The blocks' answers.
    var covered: [Bool] = []
    /// The scope's imported hostnames, once evaluated.
    var hostnames: ImportedHostnames?

    /// Whether the scope of `sidecar` for a proxy of `namespace` covers `host`.
    mutating func covers(_ host: String, namespace: String, sidecar: Sidecar?, engine: ScopeEngine) -> Bool {
        if let position = watched[host], covered.indices.contains(position) { return covered[position] }
        let evaluated = hostnames ?? engine.importedHostnames(namespace: namespace, sidecar: sidecar)
        hostnames = evaluated
        return evaluated.covers(host)
    }
}
