import Foundation

/// Compares every Sidecar in effect with the traffic of the pods it governs (``SidecarDrift``).
///
/// ```swift
/// let analyzer = SidecarDriftAnalyzer(analysis: analysis)
/// for drift in analyzer.drift(namespaces: nil, evidence: [:]) { print(drift.sidecar.meta.qualifiedName, drift.shortSummary) }
/// ```
///
/// Pure: traffic comes in as ``TrafficEvidence`` per namespace (the sidecars' counters when a namespace has none),
/// and the suggestion is ``EgressRecommender``'s decision, so `meshtrim drift`, `meshtrim recommend` and the
/// terminal UI agree.
public struct SidecarDriftAnalyzer: Sendable {
    /// The analysis whose inventory, engine, observations and memory model are compared.
    public let analysis: MeshAnalysis

    /// Makes an analyzer.
    public init(analysis: MeshAnalysis) {
        self.analysis = analysis
    }

    /// The drift of every Sidecar in effect in `namespaces` (`nil`: every namespace), in (namespace, Sidecar) order.
    ///
    /// - Parameters:
    ///   - evidence: traffic per proxy namespace (e.g. from Prometheus); a namespace missing here uses the
    ///     sidecars' own counters (``EgressRecommender/counterEvidence(namespace:workloadSelector:)``).
    ///   - options: the recommender's options for the suggestion (its grouping threshold, `./*`).
    ///   - suggesting: whether to make the suggestion and its diff (the terminal UI's DRIFT column needs only the
    ///     counts, so it skips them).
    public func drift(
        namespaces: [String]?, evidence: [String: TrafficEvidence] = [:], options: EgressRecommender.Options = .init(),
        suggesting: Bool = true
    ) -> [SidecarDrift] {
        let recommender = EgressRecommender(analysis: analysis)
        let wanted = namespaces.map(Set.init)
        var groups: [String: (sidecar: Sidecar, namespace: String, pods: [Pod])] = [:]
        for summary in analysis.pods where summary.pod.hasSidecarProxy {
            let pod = summary.pod
            if let wanted, !wanted.contains(pod.namespace) { continue }
            guard let sidecar = analysis.engine.selectSidecar(namespace: pod.namespace, labels: pod.labels).sidecar else { continue }
            let key = "\(pod.namespace)\u{0}\(sidecar.meta.qualifiedName)"
            groups[key, default: (sidecar, pod.namespace, [])].pods.append(pod)
        }
        // Groups are independent: the counters per namespace, then each group's drift, on all cores.
        let ordered = groups.sorted { $0.key < $1.key }.map(\.value)
        let counted = Array(Set(ordered.map(\.namespace)).filter { evidence[$0] == nil })
        let counters = counted.concurrentMap { recommender.counterEvidence(namespace: $0, workloadSelector: nil) }
        let traffic = evidence.merging(zip(counted, counters)) { given, _ in given }
        return ordered.concurrentMap { group in
            drift(
                of: group.sidecar, namespace: group.namespace, pods: group.pods,
                evidence: traffic[group.namespace] ?? TrafficEvidence(records: [], source: "no traffic"), recommender: recommender,
                options: options, suggesting: suggesting)
        }
    }

    /// The drift of `sidecar` for `pods` of `namespace` (the pods it governs there).
    func drift(
        of sidecar: Sidecar, namespace: String, pods: [Pod], evidence: TrafficEvidence, recommender: EgressRecommender,
        options: EgressRecommender.Options, suggesting: Bool = true
    ) -> SidecarDrift {
        let engine = analysis.engine
        let podNames = Set(pods.map(\.name))
        // Records of these pods; a workload Prometheus could not map to pods counts only for a namespace-wide Sidecar.
        let records = evidence.records.compactMap { record -> TrafficRecord? in
            guard record.sourceNamespace == namespace, record.destination.requests > 0 else { return nil }
            if record.sourcePods.isEmpty { return sidecar.workloadSelector == nil ? record : nil }
            let mine = record.sourcePods.filter(podNames.contains)
            guard !mine.isEmpty else { return nil }
            var kept = record
            kept.sourcePods = mine
            return kept
        }
        let importedScope = engine.importedServices(namespace: namespace, sidecar: sidecar)
        let imported = importedScope.services
        let importedKeys = Set(imported.map { "\($0.service.namespace)/\($0.service.hostname)" })

        var used: Set<String> = []
        var newByHost: [String: SidecarDrift.NewDependency] = [:]
        for record in records {
            let destination = record.destination
            let classified = classify(destination, proxyNamespace: namespace, recommender: recommender)
            switch classified {
            case .service(let service, let through):
                let key = "\(service.namespace)/\(service.hostname)"
                if importedKeys.contains(key) {
                    used.insert(key)
                    continue
                }
                let reason = (through.map { "sent through \($0) because " } ?? "") + "no egress host of the Sidecar imports "
                    + "\(service.namespace)/\(service.hostname); add it to the Sidecar's hosts"
                add(&newByHost, key, kind: .notImported, reason: reason, record: record)
            case .unknown(let reason):
                add(
                    &newByHost, destination.host, kind: .unknown,
                    reason: "\(reason); a Sidecar cannot import it (add a ServiceEntry to make it known)", record: record)
            }
        }
        let newDependencies = newByHost.values.sorted {
            $0.requests != $1.requests ? $0.requests > $1.requests : $0.host < $1.host
        }

        // Trim candidates: imported services without traffic, with the clusters they cost, counted as the engine
        // counts a proxy's outbound clusters (a cluster per TCP port and per DestinationRule subset of it).
        let rules = RuleLookup(engine: engine, proxyNamespace: namespace, labels: pods.first?.labels ?? [:])
        var clustersByKey: [String: Int] = [:]
        for (scoped, position) in zip(imported, importedScope.indexes) where scoped.service.resolution != .alias {
            let ports = scoped.ports.count { $0.protocol != "UDP" }
            guard ports > 0 else { continue }
            let subsets = rules.rule(forServiceAt: position)?.subsets.count ?? 0
            clustersByKey["\(scoped.service.namespace)/\(scoped.service.hostname)", default: 0] += ports * (1 + subsets)
        }
        let istiod = analysis.inventory.istiodNamespace
        let model = analysis.memoryModel
        var seen: Set<String> = []
        var trims: [SidecarDrift.TrimCandidate] = []
        for scoped in imported {
            let key = "\(scoped.service.namespace)/\(scoped.service.hostname)"
            // The istiod namespace is always kept (Istio's recommended default), so it is never a candidate.
            guard !used.contains(key), scoped.service.namespace != istiod, seen.insert(key).inserted else { continue }
            let clusters = clustersByKey[key] ?? 0
            guard clusters > 0 else { continue }
            let perProxy = Int((model.bytesPerCluster * Double(clusters)).rounded())
            trims.append(
                SidecarDrift.TrimCandidate(
                    host: key, importedBecause: scoped.reason.description, clusters: clusters, bytesPerProxy: perProxy,
                    totalBytes: perProxy * pods.count))
        }
        trims.sort { $0.clusters != $1.clusters ? $0.clusters > $1.clusters : $0.host < $1.host }

        // The suggestion: recommend's decision for these pods, editing this Sidecar.
        var notes: [String] = []
        var suggestion: EgressRecommendation?
        var diff: [String] = []
        let unobserved = evidence.unobservedPods.filter(podNames.contains).sorted()
        let isMeshDefault = sidecar.workloadSelector == nil && sidecar.meta.namespace == analysis.inventory.meshConfig.rootNamespace
        if sidecar.meta.namespace != namespace || isMeshDefault {
            notes.append(
                "\(sidecar.meta.qualifiedName) is the mesh-wide default: editing it from one namespace's traffic would cut the "
                    + "others; give \(namespace) its own Sidecar instead (meshtrim recommend -n \(namespace))")
        } else if unobserved.count == pods.count {
            notes.append("no pod of \(sidecar.meta.qualifiedName) was observed, so there is no traffic to base an update on")
        } else if suggesting {
            var recommendation = recommender.recommend(
                namespace: namespace, workloadSelector: sidecar.workloadSelector?.matchLabels,
                evidence: TrafficEvidence(
                    records: records, source: evidence.source, window: evidence.window,
                    unobservedPods: evidence.unobservedPods.filter(podNames.contains)),
                options: EgressRecommender.Options(
                    groupThreshold: options.groupThreshold, includeOwnNamespace: options.includeOwnNamespace, name: sidecar.meta.name))
            recommendation.manifest.replacing = sidecar
            // Without drift the Sidecar imports what its pods use: a rewrite of the same hosts is no update.
            if !newDependencies.isEmpty || !trims.isEmpty {
                diff = LineDiff.unifiedText(
                    from: SidecarManifest.yaml(of: sidecar), to: recommendation.manifest.yaml,
                    oldLabel: "\(sidecar.meta.qualifiedName) (in the mesh)", newLabel: recommendation.manifest.fileName)
            }
            suggestion = recommendation
        }
        if !unobserved.isEmpty {
            notes.append(
                "\(unobserved.count) pod(s) were not observed, so their new dependencies may be missing and their trim "
                    + "candidates may be in use: \(unobserved.prefix(10).joined(separator: ", "))"
                    + (unobserved.count > 10 ? ", … (\(unobserved.count - 10) more)" : ""))
        }
        return SidecarDrift(
            sidecar: sidecar, namespace: namespace, pods: pods.map(\.name).sorted(), unobservedPods: unobserved,
            trafficSource: evidence.source + (evidence.window.map { " over \($0)" } ?? ""),
            newDependencies: newDependencies, trimCandidates: trims, suggestion: suggestion, diff: diff, notes: notes)
    }

    enum Classification {
        /// A registry service; `through` names the catch-all cluster the traffic went through, if any.
        case service(MeshService, through: String?)
        case unknown(String)
    }

    /// The registry service a destination is, including traffic that went through a catch-all cluster while naming
    /// a registry hostname (what a proxy whose Sidecar does not import the service reports).
    func classify(_ destination: ObservedDestination, proxyNamespace: String, recommender: EgressRecommender) -> Classification {
        let catchAll = [destination.serviceName, destination.host].compactMap { $0 }
            .first { ObservedDestination.unknownServiceNames.contains($0) }
        if let catchAll {
            let index = analysis.engine.index
            if let byNamespace = index.byHostAndNamespace[destination.host], !byNamespace.isEmpty,
                let chosen = destination.namespace.flatMap({ byNamespace[$0] }) ?? byNamespace[proxyNamespace]
                    ?? byNamespace.sorted(by: { $0.key < $1.key }).first?.value
            {
                return .service(index.services[chosen], through: catchAll)
            }
        }
        switch recommender.resolve(destination, proxyNamespace: proxyNamespace) {
        case .service(let service): return .service(service, through: nil)
        case .unknown(let reason): return .unknown(reason)
        }
    }

    private func add(
        _ table: inout [String: SidecarDrift.NewDependency], _ host: String, kind: SidecarDrift.NewDependency.Kind, reason: String,
        record: TrafficRecord
    ) {
        var entry = table[host] ?? SidecarDrift.NewDependency(host: host, kind: kind, reason: reason, requests: 0, pods: [], lastSeen: nil)
        entry.requests += record.destination.requests
        entry.pods = Array(Set(entry.pods).union(record.sourcePods)).sorted()
        if let seen = record.destination.lastSeen { entry.lastSeen = max(entry.lastSeen ?? seen, seen) }
        table[host] = entry
    }
}
