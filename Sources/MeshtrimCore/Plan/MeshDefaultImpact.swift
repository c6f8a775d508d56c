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
        /// The Sidecar its other sidecars keep (the most common, `namespace/name`): for a namespace it leaves alone, all
        /// of them; for one it affects, those a workload Sidecar selects.
        public var keptBy: String?
        /// Its sidecars that keep a Sidecar of their own (a workload Sidecar in an affected namespace; every one in an
        /// unaffected namespace).
        public var keptSidecars = 0

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
    /// The same figures as an ``EgressImpact`` (its totals and count of sidecars, no per-pod changes: the breakdown is
    /// ``namespaces``; one cut per source namespace and service), for what takes one: the YAML preview's summary and
    /// the safety checks.
    public var egressImpact: EgressImpact
    /// Observed requests of the affected sidecars to their own namespace (what `./*` keeps).
    public var ownNamespaceRequests: Int

    /// Estimated bytes saved.
    public var savingBytes: Int { bytesBefore - bytesAfter }
}

extension MeshPlanner {
    /// What the mesh-wide default with `hosts` (default: `./*` and the istiod namespace) would do on its own.
    ///
    /// - Parameter evidence: traffic per namespace (e.g. Prometheus); the sidecars' counters otherwise.
    public func meshDefaultImpact(hosts: [String]? = nil, evidence: [String: TrafficEvidence] = [:]) -> MeshDefaultImpact {
        meshDefaultCalculator(evidence: evidence).impact(hosts: hosts ?? defaultHosts(Options()))
    }

    /// The part of ``meshDefaultImpact(hosts:evidence:)`` that does not depend on the hosts, done once: which sidecars
    /// get the mesh default, their fixed clusters, and their traffic per namespace. The egress editor keeps it while
    /// the person toggles hosts.
    public func meshDefaultCalculator(evidence: [String: TrafficEvidence] = [:]) -> MeshDefaultImpact.Calculator {
        MeshDefaultImpact.Calculator(planner: self, evidence: evidence)
    }
}

extension MeshDefaultImpact {
    /// Computes the mesh default's impact for one choice of hosts, incrementally: which sidecars Istio would give it
    /// (selection does not depend on the hosts), the clusters that do not depend on them (inbound, bootstrap) and each
    /// affected namespace's outbound scope split by service namespace (``OutboundBlocks``) are found once; a choice of
    /// hosts then costs one decision per (affected namespace, service namespace) — `./*` is that namespace — a sum per
    /// sidecar, and one look-up per (namespace, observed service). Where blocks do not add up (several listeners, a
    /// hostname two services register) that namespace's scope is evaluated in full.
    ///
    /// A reference type compared by identity, like the analysis it was made from: editor states holding it stay cheap
    /// to copy and compare.
    public final class Calculator: Hashable, Sendable {
        /// One affected sidecar's figures that do not depend on the hosts.
        struct Member: Sendable {
            /// Its clusters now (Envoy's count when observed, else the prediction).
            var clustersBefore: Int
            /// Envoy's own count, when observed.
            var activeClusters: Int?
            /// The engine's prediction now.
            var predictedClusters: Int
            /// Its inbound and bootstrap clusters (the same under any mesh default).
            var fixedClusters: Int
            /// Its Envoy allocated bytes, when observed.
            var observedBytes: Int?
            /// Its Envoy allocated bytes now (observed, else estimated).
            var bytesBefore: Int

            /// Its clusters under a scope with `outbound` outbound clusters.
            func clustersAfter(outbound: Int) -> Int {
                PodSummary.clustersAfter(active: activeClusters, predicted: predictedClusters, predictedAfter: outbound + fixedClusters)
            }
        }

        /// One observed service of a namespace's affected sidecars, summed.
        struct Traffic: Sendable {
            var hostname: String
            var serviceKey: String
            var requests: Int
            /// The sending pods (`namespace/name`), sorted and unique once the calculator is made.
            var senders: [String]
        }

        /// Affected sidecars of one namespace.
        struct Group: Sendable {
            var namespace: String
            /// Labels of the first member (the outbound count is shared by the namespace, as the plan counts it).
            var labels: [String: String]
            var members: [Member]
            var traffic: [Traffic]
            /// The namespace's outbound scope by service namespace, watching the traffic's hostnames: what a toggle
            /// re-adds instead of evaluating the scope again.
            var blocks: OutboundBlocks?
        }

        let analysis: MeshAnalysis
        /// The root namespace (`meshConfig.rootNamespace`).
        public let rootNamespace: String
        /// The mesh default in effect today (the oldest Sidecar without a selector in the root namespace), if any.
        public let current: Sidecar?
        let groups: [Group]
        let unaffected: [MeshDefaultImpact.NamespaceRow]
        /// Sidecars of affected namespaces that keep their own (workload) Sidecar: how many, and the most common one.
        let keptInAffected: [String: (count: Int, sidecar: String?)]
        let ownNamespaceRequests: Int
        let gateways: Int

        init(planner: MeshPlanner, evidence: [String: TrafficEvidence]) {
            let analysis = planner.analysis
            self.analysis = analysis
            let inventory = analysis.inventory
            let root = inventory.meshConfig.rootNamespace
            rootNamespace = root
            let existing = inventory.sidecars.sorted { ($0.meta.creationTime, $0.meta.name) < ($1.meta.creationTime, $1.meta.name) }
            let current = existing.first { $0.meta.namespace == root && $0.workloadSelector == nil }
            self.current = current
            let recommender = EgressRecommender(analysis: analysis)
            let (scoped, _, traffic, _) = planner.setUp(recommender: recommender, evidence: evidence)
            let engine = analysis.engine
            // Which Sidecar Istio selects does not depend on the hosts: any mesh default of this name will do.
            let placeholder = SidecarManifest(namespace: root, hosts: ["*/*"], name: current?.meta.name ?? "default", replacing: current).sidecar
            let name = placeholder.meta.qualifiedName
            var selections: [PlanEvaluator.SelectionKey: Bool] = [:]
            var fixed: [MeshAnalysis.PodShape: Int] = [:]
            var byNamespace: [String: Group] = [:]
            var trafficIndex: [String: [String: Int]] = [:]
            var own = 0
            for position in scoped {
                let summary = analysis.pods[position]
                let pod = summary.pod
                let key = PlanEvaluator.SelectionKey(namespace: pod.namespace, labels: pod.labels)
                let selected = selections[key]
                    ?? (engine.selectSidecar(namespace: pod.namespace, labels: pod.labels, candidate: placeholder).sidecar?.meta.qualifiedName == name)
                selections[key] = selected
                guard selected else { continue }
                let shape = MeshAnalysis.PodShape(pod: pod, isCandidate: true, engine: engine)
                let fixedClusters = fixed[shape]
                    ?? engine.inboundClusterCount(namespace: pod.namespace, labels: pod.labels, pod: pod, sidecar: placeholder)
                    + engine.alwaysPresent.count
                fixed[shape] = fixedClusters
                var group = byNamespace[pod.namespace] ?? Group(namespace: pod.namespace, labels: pod.labels, members: [], traffic: [])
                group.members.append(
                    Member(
                        clustersBefore: summary.clusterCount, activeClusters: summary.activeClusters,
                        predictedClusters: summary.predictedClusters, fixedClusters: fixedClusters, observedBytes: summary.envoyAllocatedBytes,
                        bytesBefore: summary.envoyAllocatedBytes ?? analysis.memoryModel.estimatedBytes(clusters: summary.clusterCount)))
                for entry in traffic.byPod[position] ?? [] {
                    if entry.serviceKey.hasPrefix(pod.namespace + "/") { own += entry.requests }
                    if let index = trafficIndex[pod.namespace]?[entry.serviceKey] {
                        group.traffic[index].requests += entry.requests
                        group.traffic[index].senders.append(entry.sender)
                    } else {
                        trafficIndex[pod.namespace, default: [:]][entry.serviceKey] = group.traffic.count
                        group.traffic.append(
                            Traffic(hostname: entry.hostname, serviceKey: entry.serviceKey, requests: entry.requests, senders: [entry.sender]))
                    }
                }
                byNamespace[pod.namespace] = group
            }
            groups = byNamespace.values.sorted { $0.namespace < $1.namespace }.concurrentMap { group in
                var group = group
                for index in group.traffic.indices { group.traffic[index].senders = Array(Set(group.traffic[index].senders)).sorted() }
                group.blocks = engine.outboundBlocks(namespace: group.namespace, labels: group.labels, watching: group.traffic.map(\.hostname))
                return group
            }
            ownNamespaceRequests = own
            var kept: [String: [String: Int]] = [:]
            var keptInAffected: [String: [String: Int]] = [:]
            for position in scoped {
                let summary = analysis.pods[position]
                let key = PlanEvaluator.SelectionKey(namespace: summary.pod.namespace, labels: summary.pod.labels)
                guard selections[key] != true else { continue }
                if byNamespace[summary.pod.namespace] == nil {
                    kept[summary.pod.namespace, default: [:]][summary.sidecar ?? "default", default: 0] += 1
                } else {
                    keptInAffected[summary.pod.namespace, default: [:]][summary.sidecar ?? "default", default: 0] += 1
                }
            }
            func mostCommon(_ counts: [String: Int]) -> String? {
                counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key
            }
            unaffected = kept.map { namespace, counts in
                var row = MeshDefaultImpact.NamespaceRow(
                    namespace: namespace, sidecars: 0, clustersBefore: 0, clustersAfter: 0, bytesBefore: 0, bytesAfter: 0, cuts: [])
                row.keptBy = mostCommon(counts)
                row.keptSidecars = counts.values.reduce(0, +)
                return row
            }.sorted { $0.namespace < $1.namespace }
            self.keptInAffected = keptInAffected.mapValues { (count: $0.values.reduce(0, +), sidecar: mostCommon($0)) }
            gateways = analysis.pods.count { $0.pod.isGateway }
        }

        /// Sidecars that would get the mesh default, whatever its hosts.
        public var sidecarsAffected: Int { groups.reduce(0) { $0 + $1.members.count } }

        /// Observed requests of those sidecars by service (`namespace/hostname`), summed over their namespaces.
        public var observedByService: [String: Int] {
            var result: [String: Int] = [:]
            for group in groups {
                for traffic in group.traffic { result[traffic.serviceKey, default: 0] += traffic.requests }
            }
            return result
        }

        /// Every observed service those sidecars call outside their own namespace (`namespace/hostname`), sorted: with
        /// `./*` they are the hosts that keep all of their observed traffic.
        public var crossNamespaceServices: [String] {
            var result = Set<String>()
            for group in groups {
                for traffic in group.traffic where !traffic.serviceKey.hasPrefix(group.namespace + "/") { result.insert(traffic.serviceKey) }
            }
            return result.sorted()
        }

        /// What the mesh default with `hosts` would do (an existing one keeps every other field).
        public func impact(hosts: [String]) -> MeshDefaultImpact {
            impact(hosts: hosts, incremental: true)
        }

        /// ``impact(hosts:)``, adding up each namespace's blocks where they add up (`incremental`), else evaluating
        /// every namespace's scope in full: the two must agree.
        func impact(hosts: [String], incremental: Bool) -> MeshDefaultImpact {
            let manifest = SidecarManifest(
                namespace: rootNamespace, hosts: hosts, name: current?.meta.name ?? "default", replacing: current,
                apiVersion: analysis.inventory.servedSidecarAPIVersion)
            var sidecar = manifest.sidecar
            if current == nil { sidecar.meta.creationTimestamp = Date.distantFuture }
            let engine = analysis.engine
            let model = analysis.memoryModel
            // Namespaces are independent (`.` is each one's own): evaluated on all cores, each one's blocks added up
            // once (or its imports evaluated once) for both its cluster count and the coverage of its observed traffic.
            let evaluated = sidecar
            let rows = groups.concurrentMap { self.part($0, sidecar: evaluated, engine: engine, model: model, incremental: incremental) }
            let cuts = rows.flatMap(\.cuts)
            let affected = rows.sorted {
                $0.savingBytes != $1.savingBytes ? $0.savingBytes > $1.savingBytes : $0.namespace < $1.namespace
            }
            let allCuts = PlanEvaluator.ordered(cuts)
            let totals = (
                clustersBefore: affected.reduce(0) { $0 + $1.clustersBefore }, clustersAfter: affected.reduce(0) { $0 + $1.clustersAfter },
                bytesBefore: affected.reduce(0) { $0 + $1.bytesBefore }, bytesAfter: affected.reduce(0) { $0 + $1.bytesAfter })
            var notes = [
                "mesh-wide default: it applies to every sidecar in a namespace without a Sidecar of its own "
                    + "(\(affected.count) namespace(s) here), \".\" meaning each proxy's own namespace"
            ]
            if gateways > 0 { notes.append("\(gateways) gateway proxies left out: a Sidecar never applies to a gateway") }
            let egressImpact = EgressImpact(
                sidecar: sidecar, changes: [], affectedPodCount: sidecarsAffected, unaffectedPods: [], clustersBefore: totals.clustersBefore,
                clustersAfter: totals.clustersAfter, memoryBeforeBytes: totals.bytesBefore, memoryAfterBytes: totals.bytesAfter,
                cutDestinations: allCuts.map { cut in
                    let namespace = String(cut.host.prefix { $0 != "/" })
                    return CutDestination(
                        host: String(cut.host.dropFirst(namespace.count + 1)), namespace: namespace, requests: cut.requests, pods: cut.pods)
                },
                notes: notes, memoryBasis: model.basis)
            return MeshDefaultImpact(
                sidecar: sidecar, sidecarsAffected: sidecarsAffected, clustersBefore: totals.clustersBefore,
                clustersAfter: totals.clustersAfter, bytesBefore: totals.bytesBefore, bytesAfter: totals.bytesAfter,
                namespaces: affected, unaffected: unaffected, cuts: allCuts, memoryBasis: model.basis, egressImpact: egressImpact,
                ownNamespaceRequests: ownNamespaceRequests)
        }

        /// One affected namespace's row under `sidecar`.
        private func part(
            _ group: Group, sidecar: Sidecar, engine: ScopeEngine, model: MemoryModel, incremental: Bool
        ) -> MeshDefaultImpact.NamespaceRow {
            // One scope per namespace: `.` is that namespace.
            let outbound: Int
            let covered: [Bool]
            if incremental, let blocks = group.blocks, let added = engine.outboundClusterCountAndCoverage(blocks, sidecar: sidecar) {
                (outbound, covered) = added
            } else {
                let (count, scope) = engine.outboundClusterCountAndHostnames(namespace: group.namespace, labels: group.labels, sidecar: sidecar)
                outbound = count
                covered = group.traffic.map { scope.covers($0.hostname) }
            }
            var row = MeshDefaultImpact.NamespaceRow(
                namespace: group.namespace, sidecars: group.members.count, clustersBefore: 0, clustersAfter: 0, bytesBefore: 0,
                bytesAfter: 0, cuts: [])
            if let kept = keptInAffected[group.namespace] {
                row.keptSidecars = kept.count
                row.keptBy = kept.sidecar
            }
            for member in group.members {
                let after = member.clustersAfter(outbound: outbound)
                row.clustersBefore += member.clustersBefore
                row.clustersAfter += after
                row.bytesBefore += member.bytesBefore
                row.bytesAfter += model.estimatedBytes(after: after, before: member.clustersBefore, observed: member.observedBytes)
            }
            if !group.traffic.isEmpty {
                row.cuts = PlanEvaluator.ordered(
                    zip(group.traffic, covered).filter { !$0.1 }.map { traffic, _ in
                        PlanDestination(
                            sourceNamespace: group.namespace, host: traffic.serviceKey, requests: traffic.requests, pods: traffic.senders)
                    })
            }
            return row
        }

        /// Identity: two calculators are equal only when they are the same one.
        public static func == (lhs: Calculator, rhs: Calculator) -> Bool { lhs === rhs }

        /// Hashes the identity.
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    }
}
