import Foundation

/// Plans the whole mesh's Sidecars: the mesh-wide default in the root namespace, a namespace Sidecar (the hosts
/// `meshtrim recommend` chooses) for every namespace whose observed traffic the default would cut, workload Sidecars
/// on request, and a rollout order that never cuts observed traffic.
///
/// ```swift
/// let plan = MeshPlanner(analysis: analysis).plan()
/// print(plan.totals.bytesBefore, plan.totals.bytesAfter, plan.keepsEveryObservedDestination)
/// ```
///
/// Pure. Every state is evaluated as Istio selects Sidecars (a workload Sidecar over its namespace's, a namespace
/// Sidecar over the root default; `.` is each proxy's own namespace), with proxies sharing selections and scopes.
/// The invariant (no destination with observed traffic is cut) is checked on the final state and after every wave;
/// a cut that a planned namespace or workload Sidecar can keep is repaired by adding its host.
public struct MeshPlanner: Sendable {
    /// Choices that change the plan.
    public struct Options: Hashable, Sendable {
        /// The mesh default's hosts; `nil` for `./*` and the istiod namespace.
        public var defaultHosts: [String]?
        /// The grouping threshold of the namespace and workload recommendations (see ``EgressRecommender/Options``).
        public var groupThreshold: Double
        /// Also write a Sidecar per workload (`app` label) with the hosts its own traffic needs, for sidecars without a
        /// Sidecar of their own today (and, with ``replaceExisting``, those under an existing namespace Sidecar).
        public var perWorkload: Bool
        /// Propose updates to existing Sidecars (the hosts recommend chooses) instead of keeping them.
        public var replaceExisting: Bool
        /// How many waves at most (at least 1).
        public var waves: Int
        /// Memory price per GiB-month, for the cost figures; `nil` for none.
        public var memoryPricePerGiBMonth: Double?

        /// The default number of waves.
        public static let defaultWaves = 3

        /// Makes options.
        public init(
            defaultHosts: [String]? = nil, groupThreshold: Double = EgressRecommender.Options.defaultGroupThreshold,
            perWorkload: Bool = false, replaceExisting: Bool = false, waves: Int = defaultWaves, memoryPricePerGiBMonth: Double? = nil
        ) {
            self.defaultHosts = defaultHosts
            self.groupThreshold = groupThreshold
            self.perWorkload = perWorkload
            self.replaceExisting = replaceExisting
            self.waves = waves
            self.memoryPricePerGiBMonth = memoryPricePerGiBMonth
        }
    }

    /// The analysis of the mesh as it is.
    public let analysis: MeshAnalysis

    /// Makes a planner.
    public init(analysis: MeshAnalysis) {
        self.analysis = analysis
    }

    /// Whether a Sidecar resource can scope this pod's proxy. Gateways are never scoped by a Sidecar: this is the
    /// one place the plan leaves them out.
    public static func isScoped(_ pod: Pod) -> Bool {
        pod.hasSidecarProxy
    }

    /// The mesh default's hosts when none are given: each proxy's own namespace and the istiod namespace.
    public func defaultHosts(_ options: Options) -> [String] {
        options.defaultHosts ?? ["./*", "\(analysis.inventory.istiodNamespace)/*"]
    }

    /// A planned Sidecar before its figures are known.
    struct Draft {
        var manifest: SidecarManifest
        var kind: PlannedSidecar.Kind
        var reason: String
        var hostReasons: [EgressRecommendation.Host]
        var replaces: Sidecar?
        var wave = 1

        var qualifiedName: String { "\(manifest.namespace)/\(manifest.name)" }

        /// The Sidecar as the engine evaluates it: a new one counts as created after every existing one.
        var sidecar: Sidecar {
            var sidecar = manifest.sidecar
            if replaces == nil { sidecar.meta.creationTimestamp = Date.distantFuture }
            return sidecar
        }
    }

    /// Makes the plan.
    ///
    /// - Parameter evidence: traffic per namespace (e.g. from Prometheus); a namespace without an entry uses its
    ///   sidecars' own counters.
    public func plan(options: Options = Options(), evidence: [String: TrafficEvidence] = [:]) -> MeshPlan {
        let inventory = analysis.inventory
        let recommender = EgressRecommender(analysis: analysis)
        let root = inventory.meshConfig.rootNamespace
        let istiod = inventory.istiodNamespace
        let hosts = defaultHosts(options)
        let ownNamespaceByDefault = hosts.contains("./*")
        var notes: [String] = []

        // Traffic, resolved once.
        let (scopedPositions, evidenceByNamespace, traffic, evaluator) = setUp(recommender: recommender, evidence: evidence)
        let gateways = analysis.pods.count { $0.pod.isGateway }
        if gateways > 0 { notes.append("\(gateways) gateway proxies left out: a Sidecar never applies to a gateway") }
        let unobserved = scopedPositions.count { analysis.pods[$0].observation == nil && evidence[analysis.pods[$0].pod.namespace] == nil }
        if unobserved > 0 {
            notes.append(
                "\(unobserved) sidecar(s) were not observed: their traffic is unknown, so destinations only they use are not protected")
        }

        func recommendation(_ namespace: String, _ selector: [String: String]?, own: Bool, name: String) -> EgressRecommendation {
            recommender.recommend(
                namespace: namespace, workloadSelector: selector,
                evidence: evidenceByNamespace[namespace] ?? recommender.counterEvidence(namespace: namespace, workloadSelector: nil),
                options: .init(groupThreshold: options.groupThreshold, includeOwnNamespace: own, name: name))
        }
        let existing = inventory.sidecars.sorted {
            ($0.meta.creationTime, $0.meta.namespace, $0.meta.name) < ($1.meta.creationTime, $1.meta.namespace, $1.meta.name)
        }
        let existingNames = Set(existing.map(\.meta.qualifiedName))
        func freeName(_ namespace: String, _ wanted: String) -> String {
            existingNames.contains("\(namespace)/\(wanted)") ? "\(wanted)-meshtrim" : wanted
        }

        // The mesh default: planned, updated, or the existing one kept.
        let existingDefault = existing.first { $0.meta.namespace == root && $0.workloadSelector == nil }
        var drafts: [Draft] = []
        var meshDefaultDraft: Draft
        let defaultReasons = hosts.map { host -> EgressRecommendation.Host in
            if host == "./*" {
                return .init(
                    host: host, kind: .ownNamespace, reason: "each proxy's own namespace (`.` is evaluated in the proxy's namespace)",
                    requests: 0, pods: [], services: [], lastSeen: nil)
            }
            if host == "\(istiod)/*" {
                return .init(
                    host: host, kind: .istiodNamespace, reason: "the istiod namespace, Istio's recommended default for every Sidecar",
                    requests: 0, pods: [], services: [], lastSeen: nil)
            }
            return .init(host: host, kind: .observed, reason: "given with --default-hosts", requests: 0, pods: [], services: [], lastSeen: nil)
        }
        if let existingDefault, !options.replaceExisting {
            meshDefaultDraft = Draft(
                manifest: SidecarManifest(
                    namespace: root, hosts: existingDefault.defaultEgressHosts, name: existingDefault.meta.name, replacing: existingDefault,
                    apiVersion: inventory.servedSidecarAPIVersion),
                kind: .meshDefault, reason: "the existing mesh-wide default, kept (--replace-existing proposes an update)",
                hostReasons: [], replaces: existingDefault, wave: 0)
        } else {
            let name = existingDefault?.meta.name ?? freeName(root, "default")
            meshDefaultDraft = Draft(
                manifest: SidecarManifest(
                    namespace: root, hosts: hosts, name: name, replacing: existingDefault, apiVersion: inventory.servedSidecarAPIVersion),
                kind: .meshDefault,
                reason: existingDefault == nil
                    ? "the mesh-wide default: every sidecar without a Sidecar of its own gets it (root namespace \(root))"
                    : "update of the existing mesh-wide default (--replace-existing) to the default hosts",
                hostReasons: defaultReasons, replaces: existingDefault)
            drafts.append(meshDefaultDraft)
        }

        // Updates of existing Sidecars.
        if options.replaceExisting {
            for sidecar in existing where sidecar.meta.qualifiedName != existingDefault?.meta.qualifiedName {
                let selector = sidecar.workloadSelector?.matchLabels
                let recommended = recommendation(
                    sidecar.meta.namespace, selector, own: selector == nil && ownNamespaceByDefault, name: sidecar.meta.name)
                guard recommended.hostNames != sidecar.defaultEgressHosts else { continue }
                var manifest = recommended.manifest
                manifest.replacing = sidecar
                drafts.append(
                    Draft(
                        manifest: manifest, kind: selector == nil ? .namespace : .workload,
                        reason: "update of the existing Sidecar (--replace-existing): the hosts recommend chooses from observed traffic",
                        hostReasons: recommended.hosts, replaces: sidecar))
            }
        }

        func state(_ list: [Draft]) -> (sidecars: [Sidecar], changed: Set<String>) {
            var byName: [String: Sidecar] = [:]
            for sidecar in existing { byName[sidecar.meta.qualifiedName] = sidecar }
            for draft in list { byName[draft.qualifiedName] = draft.sidecar }
            return (Array(byName.values), Set(list.map(\.qualifiedName)))
        }

        // What the default alone would cut decides the namespace exceptions.
        let meshName = meshDefaultDraft.qualifiedName
        let first = state(drafts)
        let withDefault = evaluator.evaluate(sidecars: first.sidecars, changed: first.changed)
        let cutByDefault = PlanEvaluator.sorted(Array((withDefault.cuts[meshName] ?? [:]).values))
        var cutNamespaces: [String: [PlanDestination]] = [:]
        for cut in cutByDefault { cutNamespaces[cut.sourceNamespace, default: []].append(cut) }
        var takenNames = Set(drafts.map(\.qualifiedName))
        for (namespace, cuts) in cutNamespaces.sorted(by: { $0.key < $1.key }) {
            let example = cuts.prefix(2).map { "\($0.host) (\(CountFormat.thousands($0.requests)) req)" }.joined(separator: ", ")
            let why = "the mesh-wide default would cut \(cuts.count) observed destination(s) of \(namespace): \(example)"
                + (cuts.count > 2 ? ", …" : "")
            if namespace != root {
                let name = freeName(namespace, "default")
                let recommended = recommendation(namespace, nil, own: ownNamespaceByDefault, name: name)
                drafts.append(
                    Draft(
                        manifest: recommended.manifest, kind: .namespace,
                        reason: why + "; its own Sidecar keeps them, with the hosts recommend chooses", hostReasons: recommended.hosts))
                takenNames.insert("\(namespace)/\(name)")
                continue
            }
            // In the root namespace a Sidecar without a selector is the mesh default itself: use workload Sidecars.
            let pods = Set(cuts.flatMap(\.pods))
            var apps = Set<String>()
            for summary in analysis.pods(in: root) where pods.contains("\(root)/\(summary.pod.name)") {
                if let app = summary.pod.labels["app"] { apps.insert(app) }
            }
            for app in apps.sorted() {
                let name = freeName(root, SidecarNaming.workloadName(selector: ["app": app]))
                guard takenNames.insert("\(root)/\(name)").inserted else { continue }
                let recommended = recommendation(root, ["app": app], own: ownNamespaceByDefault, name: name)
                drafts.append(
                    Draft(
                        manifest: recommended.manifest, kind: .workload,
                        reason: why + "; in the root namespace a Sidecar without a selector is the mesh default, so app=\(app) gets its own",
                        hostReasons: recommended.hosts))
            }
        }

        // Workload Sidecars, on request: one per `app` label, for pods without a workload Sidecar of their own.
        if options.perWorkload {
            var apps: [String: Set<String>] = [:]
            for position in scopedPositions {
                let summary = analysis.pods[position]
                guard let app = summary.pod.labels["app"] else { continue }
                let current = summary.sidecar.flatMap { name in existing.first { $0.meta.qualifiedName == name } }
                // Sidecars under an existing Sidecar keep it (an update, with replace-existing, is its own); under an
                // existing namespace Sidecar a workload Sidecar is added only when replace-existing allows changing them.
                if let current, current.workloadSelector != nil || !options.replaceExisting { continue }
                apps[summary.pod.namespace, default: []].insert(app)
            }
            for (namespace, names) in apps.sorted(by: { $0.key < $1.key }) {
                for app in names.sorted() {
                    let name = freeName(namespace, SidecarNaming.workloadName(selector: ["app": app]))
                    guard takenNames.insert("\(namespace)/\(name)").inserted else { continue }
                    let recommended = recommendation(namespace, ["app": app], own: false, name: name)
                    drafts.append(
                        Draft(
                            manifest: recommended.manifest, kind: .workload,
                            reason: "a Sidecar for app=\(app) alone (--per-workload): only what its own traffic needs",
                            hostReasons: recommended.hosts))
                }
            }
        }

        // The final state, with the invariant checked and repaired where a planned Sidecar can keep the host.
        var final = state(drafts)
        var result = evaluator.evaluate(sidecars: final.sidecars, changed: final.changed)
        var repaired = false
        for (governing, cuts) in result.cuts {
            guard let index = drafts.firstIndex(where: { $0.qualifiedName == governing }), drafts[index].kind != .meshDefault else { continue }
            for cut in cuts.values where !drafts[index].manifest.hosts.contains(cut.host) {
                let keep = drafts[index].manifest.hosts.last == "\(istiod)/*" ? drafts[index].manifest.hosts.count - 1 : drafts[index].manifest.hosts.count
                drafts[index].manifest.hosts.insert(cut.host, at: keep)
                drafts[index].hostReasons.append(
                    .init(
                        host: cut.host, kind: .observed,
                        reason: "kept by the plan's invariant check: \(CountFormat.thousands(cut.requests)) requests from \(cut.pods.count) pod(s)",
                        requests: cut.requests, pods: cut.pods, services: [], lastSeen: nil))
                repaired = true
            }
        }
        if repaired {
            notes.append("the invariant check added hosts to some planned Sidecars (see their reasons)")
            final = state(drafts)
            result = evaluator.evaluate(sidecars: final.sidecars, changed: final.changed)
        }
        let remainingCuts = result.allCuts
        if !remainingCuts.isEmpty {
            notes.append(
                "INVARIANT NOT MET: \(remainingCuts.count) observed destination(s) would be cut (see totals.cuts); do not apply this plan as is")
        }

        // Figures per planned Sidecar.
        var outcomesBySidecar: [String: [PlanEvaluator.Outcome]] = [:]
        for outcome in result.changed { outcomesBySidecar[outcome.governing ?? "", default: []].append(outcome) }
        func planned(_ draft: Draft) -> PlannedSidecar {
            let outcomes = outcomesBySidecar[draft.qualifiedName] ?? []
            return PlannedSidecar(
                manifest: draft.manifest, kind: draft.kind, wave: draft.wave, reason: draft.reason, hostReasons: draft.hostReasons,
                sidecarsAffected: outcomes.count, clustersBefore: outcomes.reduce(0) { $0 + $1.clustersBefore },
                clustersAfter: outcomes.reduce(0) { $0 + $1.clustersAfter }, bytesBefore: outcomes.reduce(0) { $0 + $1.bytesBefore },
                bytesAfter: outcomes.reduce(0) { $0 + $1.bytesAfter },
                keeps: PlanEvaluator.sorted(Array((result.keeps[draft.qualifiedName] ?? [:]).values)),
                cuts: PlanEvaluator.sorted(Array((result.cuts[draft.qualifiedName] ?? [:]).values)), replaces: draft.replaces,
                affectedPods: outcomes.map { analysis.pods[$0.position].pod.meta.qualifiedName }.sorted())
        }

        // Waves: namespace units (their namespace and workload Sidecars, updates) first, the mesh default last.
        let waveLimit = max(1, options.waves)
        let crossNamespace = Self.crossNamespaceSenders(traffic: traffic.all, istiodNamespace: istiod)
        var units: [String: [Int]] = [:]
        for (index, draft) in drafts.enumerated() where draft.kind != .meshDefault { units[draft.manifest.namespace, default: []].append(index) }
        let orderedUnits = units.map { namespace, indexes -> (namespace: String, indexes: [Int], saving: Int, cross: Bool) in
            let saving = indexes.reduce(0) { $0 + planned(drafts[$1]).savingBytes }
            return (namespace, indexes, saving, crossNamespace.contains(namespace))
        }.sorted { lhs, rhs in
            if lhs.cross != rhs.cross { return !lhs.cross }
            if lhs.saving != rhs.saving { return lhs.saving > rhs.saving }
            return lhs.namespace < rhs.namespace
        }
        let defaultPlanned = drafts.contains { $0.kind == .meshDefault }
        let unitWaves = orderedUnits.isEmpty ? 0 : (defaultPlanned ? max(1, waveLimit - 1) : waveLimit)
        let perWave = unitWaves == 0 ? 0 : Int((Double(orderedUnits.count) / Double(unitWaves)).rounded(.up))
        var usedUnitWaves = 0
        for (offset, unit) in orderedUnits.enumerated() {
            let wave = min(unitWaves, offset / max(1, perWave) + 1)
            usedUnitWaves = max(usedUnitWaves, wave)
            for index in unit.indexes { drafts[index].wave = wave }
        }
        let defaultWave = waveLimit == 1 ? 1 : usedUnitWaves + 1
        for index in drafts.indices where drafts[index].kind == .meshDefault { drafts[index].wave = defaultWave }
        if defaultPlanned { meshDefaultDraft.wave = defaultWave }

        let sidecars = drafts.map(planned).sorted { lhs, rhs in
            if (lhs.kind == .meshDefault) != (rhs.kind == .meshDefault) { return lhs.kind == .meshDefault }
            return (lhs.wave, lhs.manifest.namespace, lhs.manifest.name) < (rhs.wave, rhs.manifest.namespace, rhs.manifest.name)
        }
        let waveNumbers = Set(sidecars.map(\.wave)).sorted()
        var waves: [PlanWave] = []
        for wave in waveNumbers {
            let members = sidecars.filter { $0.wave == wave }
            let memberNames = Set(members.map(\.qualifiedName))
            let outcomes = result.changed.filter { memberNames.contains($0.governing ?? "") }
            let namespacesChanged = Set(outcomes.map { analysis.pods[$0.position].pod.namespace }).sorted()
            // The state after this wave: the earlier waves and this one applied.
            let applied = drafts.filter { $0.wave <= wave }
            let cutsAfter: [PlanDestination]
            if wave == waveNumbers.last {
                cutsAfter = remainingCuts
            } else {
                let prefix = state(applied)
                cutsAfter = evaluator.evaluate(sidecars: prefix.sidecars, changed: prefix.changed).allCuts
            }
            let hasDefault = members.contains { $0.kind == .meshDefault }
            let why: String
            if hasDefault && members.count == 1 {
                why = "the mesh-wide default, last: every namespace whose traffic it would cut already has its own Sidecar"
                    + (outcomes.isEmpty ? "; it changes no sidecar running today and trims namespaces added later" : "")
            } else if hasDefault {
                why = "everything in one wave (--waves 1): the namespace Sidecars and the mesh-wide default together"
            } else {
                let clean = members.allSatisfy { !crossNamespace.contains($0.manifest.namespace) }
                why = "namespace Sidecars before the mesh-wide default, "
                    + (clean ? "namespaces whose sidecars call no other namespace first" : "namespaces with cross-namespace traffic")
                    + ", largest saving first"
            }
            waves.append(
                PlanWave(
                    wave: wave, sidecars: members.map(\.qualifiedName), namespaces: namespacesChanged, sidecarsAffected: outcomes.count,
                    clustersBefore: outcomes.reduce(0) { $0 + $1.clustersBefore }, clustersAfter: outcomes.reduce(0) { $0 + $1.clustersAfter },
                    bytesBefore: outcomes.reduce(0) { $0 + $1.bytesBefore }, bytesAfter: outcomes.reduce(0) { $0 + $1.bytesAfter },
                    why: why, watch: PlanWave.watchList(namespaces: namespacesChanged), cutsAfterWave: cutsAfter))
        }
        if waves.count < waveLimit, waves.count > 0 {
            notes.append("\(waves.count) wave(s) of the \(waveLimit) allowed: there are no more units to spread")
        }

        // Existing Sidecars.
        var inEffect: [String: Int] = [:]
        for position in scopedPositions { if let name = analysis.pods[position].sidecar { inEffect[name, default: 0] += 1 } }
        let updated = Set(drafts.compactMap { $0.replaces?.meta.qualifiedName })
        let reports = existing.map { sidecar in
            let name = sidecar.meta.qualifiedName
            let kind: PlannedSidecar.Kind = sidecar.workloadSelector != nil ? .workload : (sidecar.meta.namespace == root ? .meshDefault : .namespace)
            return ExistingSidecarReport(
                qualifiedName: name, kind: kind, action: updated.contains(name) ? .updated : .kept, sidecars: inEffect[name] ?? 0)
        }
        let kept = reports.filter { $0.action == .kept }
        if !kept.isEmpty {
            notes.append("\(kept.count) existing Sidecar(s) kept as they are; the sidecars they select are not changed by the plan")
        }

        let totals = PlanTotals(
            sidecarsAffected: sidecars.reduce(0) { $0 + $1.sidecarsAffected },
            clustersBefore: sidecars.reduce(0) { $0 + $1.clustersBefore }, clustersAfter: sidecars.reduce(0) { $0 + $1.clustersAfter },
            bytesBefore: sidecars.reduce(0) { $0 + $1.bytesBefore }, bytesAfter: sidecars.reduce(0) { $0 + $1.bytesAfter },
            cuts: remainingCuts)
        let meshDefault = defaultPlanned
            ? sidecars.first { $0.kind == .meshDefault } ?? planned(meshDefaultDraft)
            : planned(meshDefaultDraft)
        return MeshPlan(
            meshDefault: meshDefault, sidecars: sidecars, waves: waves, unknownDestinations: traffic.unknown, existing: reports,
            totals: totals, memoryModel: analysis.memoryModel,
            trafficSource: evidenceByNamespace.values.first?.source ?? "sidecar counters (since each proxy started)", notes: notes,
            options: options,
            unreadSidecars: evidenceByNamespace.sorted { $0.key < $1.key }.flatMap { namespace, traffic in
                traffic.unobservedPods.map { "\(namespace)/\($0)" }
            })
    }

    // MARK: Internals

    /// The scoped sidecars, each namespace's evidence (given, else the counters), the resolved traffic and an evaluator.
    func setUp(recommender: EgressRecommender, evidence: [String: TrafficEvidence]) -> (
        scoped: [Int], evidence: [String: TrafficEvidence], traffic: ResolvedTraffic, evaluator: PlanEvaluator
    ) {
        let scopedPositions = analysis.pods.indices.filter { Self.isScoped(analysis.pods[$0].pod) }
        let namespaces = Set(scopedPositions.map { analysis.pods[$0].pod.namespace }).sorted()
        var evidenceByNamespace: [String: TrafficEvidence] = [:]
        for namespace in namespaces {
            evidenceByNamespace[namespace] = evidence[namespace]
                ?? recommender.counterEvidence(namespace: namespace, workloadSelector: nil)
        }
        let traffic = Self.resolveTraffic(analysis: analysis, recommender: recommender, evidence: evidenceByNamespace, scoped: scopedPositions)
        let evaluator = PlanEvaluator(
            analysis: analysis, scopedPositions: scopedPositions, trafficByPod: traffic.byPod, podlessTraffic: traffic.podless)
        return (scopedPositions, evidenceByNamespace, traffic, evaluator)
    }

    /// The traffic entries, and the traffic no host can keep.
    struct ResolvedTraffic {
        var byPod: [Int: [PlanTrafficEntry]] = [:]
        var podless: [String: [PlanTrafficEntry]] = [:]
        var all: [PlanTrafficEntry] = []
        var unknown: [PlanUnknownDestination] = []
    }

    /// Resolves every record once: to a registry service inside the sender's scope today (an entry), or to an
    /// unknown destination with why.
    static func resolveTraffic(
        analysis: MeshAnalysis, recommender: EgressRecommender, evidence: [String: TrafficEvidence], scoped: [Int]
    ) -> ResolvedTraffic {
        var positions: [PodKey: Int] = [:]
        for position in scoped {
            let pod = analysis.pods[position].pod
            positions[PodKey(namespace: pod.namespace, name: pod.name)] = position
        }
        var resolutions: [String: EgressRecommender.Resolution] = [:]
        var scopes: [String: ImportedHostnames] = [:]
        var selections: [PlanEvaluator.SelectionKey: Sidecar?] = [:]
        var unknown: [String: PlanUnknownDestination] = [:]
        var result = ResolvedTraffic()
        for (namespace, traffic) in evidence.sorted(by: { $0.key < $1.key }) {
            for record in traffic.records where record.sourceNamespace == namespace && record.destination.requests > 0 {
                let destination = record.destination
                let resolutionKey = "\(namespace)|\(destination.namespace ?? "")|\(destination.serviceName ?? "")|\(destination.host)"
                let resolution = resolutions[resolutionKey] ?? recommender.resolve(destination, proxyNamespace: namespace)
                resolutions[resolutionKey] = resolution
                let senders: [(String, Int?)] = record.sourcePods.isEmpty
                    ? [("\(namespace)/\(record.sourceWorkload ?? "unknown workload")", nil)]
                    : record.sourcePods.map { ("\(namespace)/\($0)", positions[PodKey(namespace: namespace, name: $0)]) }
                for (sender, position) in senders where position != nil || record.sourcePods.isEmpty {
                    func addUnknown(_ host: String, _ reason: String) {
                        let key = "\(namespace)|\(host)"
                        var entry = unknown[key]
                            ?? PlanUnknownDestination(sourceNamespace: namespace, host: host, reason: reason, requests: 0, pods: [])
                        entry.requests += destination.requests
                        entry.pods.append(sender)
                        unknown[key] = entry
                    }
                    guard case .service(let service) = resolution else {
                        if case .unknown(let reason) = resolution { addUnknown(destination.host, reason) }
                        continue
                    }
                    // Traffic to a service outside the sender's scope today left through PassthroughCluster: no host of
                    // a narrower scope can bring it back into view, so it is reported, not protected.
                    let selectionKey = PlanEvaluator.SelectionKey(
                        namespace: namespace, labels: position.map { analysis.pods[$0].pod.labels } ?? [:])
                    let current = selections[selectionKey]
                        ?? analysis.engine.selectSidecar(namespace: namespace, labels: selectionKey.labels).sidecar
                    selections[selectionKey] = .some(current)
                    let scopeKey = "\(namespace)|\(current?.meta.qualifiedName ?? "")"
                    let scope = scopes[scopeKey] ?? analysis.engine.importedHostnames(namespace: namespace, sidecar: current)
                    scopes[scopeKey] = scope
                    guard scope.covers(service.hostname) else {
                        addUnknown(
                            destination.host,
                            "outside the scope of \(current.map { "Sidecar \($0.meta.qualifiedName)" } ?? "its sidecar") today: "
                                + "the traffic left through PassthroughCluster")
                        continue
                    }
                    let entry = PlanTrafficEntry(
                        namespace: namespace, podPosition: position, sender: sender, hostname: service.hostname,
                        serviceKey: "\(service.namespace)/\(service.hostname)", requests: destination.requests)
                    if let position { result.byPod[position, default: []].append(entry) } else { result.podless[namespace, default: []].append(entry) }
                    result.all.append(entry)
                }
            }
        }
        result.unknown = unknown.values.map { entry in
            var copy = entry
            copy.pods = Array(Set(entry.pods)).sorted()
            return copy
        }.sorted {
            $0.requests != $1.requests ? $0.requests > $1.requests : ($0.sourceNamespace, $0.host) < ($1.sourceNamespace, $1.host)
        }
        return result
    }

    /// Namespaces whose sidecars send traffic to another namespace (other than the istiod namespace).
    static func crossNamespaceSenders(traffic: [PlanTrafficEntry], istiodNamespace: String) -> Set<String> {
        var result = Set<String>()
        for entry in traffic {
            let target = entry.serviceKey.prefix { $0 != "/" }
            if target != entry.namespace && target != istiodNamespace { result.insert(entry.namespace) }
        }
        return result
    }
}
