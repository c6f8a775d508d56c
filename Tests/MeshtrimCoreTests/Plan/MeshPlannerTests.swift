import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// `meshtrim plan`'s engine on the bundled demo and on small meshes written for one rule each: the invariant (no
/// observed destination is cut, checked here independently of the planner with a fresh scope engine), totals that
/// are the sums of their parts, the wave rule, and the JSON keys of issue #14.
@Suite("Mesh plan")
struct MeshPlannerTests {
    static let demo: MeshAnalysis? = try? MeshAnalysis(snapshot: MeshSnapshot.load(from: MeshGeneratorTests.bundledDemo.path))

    func demoAnalysis() throws -> MeshAnalysis {
        try #require(Self.demo, "the bundled demo snapshot must load")
    }

    /// The mesh after applying `plan`: its Sidecars replace or join the live ones.
    static func engine(after plan: MeshPlan, waves: Int? = nil, analysis: MeshAnalysis) -> ScopeEngine {
        var inventory = analysis.inventory
        var byName: [String: Sidecar] = [:]
        for sidecar in inventory.sidecars { byName[sidecar.meta.qualifiedName] = sidecar }
        for planned in plan.sidecars where waves.map({ planned.wave <= $0 }) ?? true {
            var sidecar = planned.manifest.sidecar
            if planned.replaces == nil { sidecar.meta.creationTimestamp = Date.distantFuture }
            byName[planned.qualifiedName] = sidecar
        }
        inventory.sidecars = Array(byName.values)
        return ScopeEngine(inventory: inventory, istioVersion: analysis.engine.version)
    }

    /// Observed destinations (resolved to a registry service in scope today) that are not in scope under `engine`.
    static func independentlyCut(analysis: MeshAnalysis, engine: ScopeEngine) -> [String] {
        let recommender = EgressRecommender(analysis: analysis)
        var cut: [String] = []
        var scopes: [String: Set<String>] = [:]
        func hostnames(_ engine: ScopeEngine, _ pod: Pod, tag: String) -> Set<String> {
            let selection = engine.selectSidecar(namespace: pod.namespace, labels: pod.labels)
            let key = "\(tag)|\(pod.namespace)|\(selection.sidecar?.meta.qualifiedName ?? "")"
            if let known = scopes[key] { return known }
            let names = Set(engine.scope(for: pod).services.map(\.service.hostname))
            scopes[key] = names
            return names
        }
        for summary in analysis.pods where MeshPlanner.isScoped(summary.pod) {
            for destination in summary.observation?.destinations ?? [] where destination.requests > 0 {
                guard case .service(let service) = recommender.resolve(destination, proxyNamespace: summary.pod.namespace) else { continue }
                guard hostnames(analysis.engine, summary.pod, tag: "before").contains(service.hostname) else { continue }
                if !hostnames(engine, summary.pod, tag: "after").contains(service.hostname) {
                    cut.append("\(summary.pod.meta.qualifiedName) → \(service.hostname)")
                }
            }
        }
        return cut
    }

    @Test("On the demo the plan cuts no observed destination, checked with a fresh scope engine per pod", arguments: [false, true])
    func demoCutsNothing(perWorkload: Bool) throws {
        let analysis = try demoAnalysis()
        let plan = MeshPlanner(analysis: analysis).plan(options: .init(perWorkload: perWorkload))
        #expect(plan.keepsEveryObservedDestination, "\(plan.totals.cuts.prefix(5))")
        for sidecar in plan.sidecars { #expect(sidecar.cuts.isEmpty, "\(sidecar.qualifiedName)") }
        let cut = Self.independentlyCut(analysis: analysis, engine: Self.engine(after: plan, analysis: analysis))
        #expect(cut.isEmpty, "\(cut.prefix(5))")
        // The plan does something: the mesh default trims many sidecars, and some namespaces need their own Sidecar.
        #expect(plan.totals.sidecarsAffected > 100)
        #expect(plan.totals.bytesAfter < plan.totals.bytesBefore)
        #expect(plan.sidecars.contains { $0.kind == .namespace })
        if perWorkload { #expect(plan.sidecars.contains { $0.kind == .workload }) }
    }

    @Test("The mesh default is ROOT/default with ./* and the istiod namespace, or the --default-hosts given")
    func meshDefault() throws {
        let analysis = try demoAnalysis()
        let planner = MeshPlanner(analysis: analysis)
        let plan = planner.plan()
        let root = analysis.inventory.meshConfig.rootNamespace
        #expect(plan.meshDefault.qualifiedName == "\(root)/default")
        #expect(plan.meshDefault.hosts == ["./*", "\(analysis.inventory.istiodNamespace)/*"])
        #expect(plan.meshDefault.workloadSelector == nil)
        #expect(plan.sidecars.first?.kind == .meshDefault)
        #expect(plan.sidecars.count { $0.kind == .meshDefault } == 1)
        let custom = planner.plan(options: .init(defaultHosts: ["./*", "istio-system/*", "observability/*"]))
        #expect(custom.meshDefault.hosts == ["./*", "istio-system/*", "observability/*"])
        #expect(custom.keepsEveryObservedDestination)
    }

    @Test("Totals are the sums of the Sidecars' figures and of the waves'; each affected sidecar counts once")
    func totalsAreSums() throws {
        let analysis = try demoAnalysis()
        let plan = MeshPlanner(analysis: analysis).plan(options: .init(perWorkload: true, memoryPricePerGiBMonth: 3))
        let totals = plan.totals
        for (part, whole) in [
            (\PlannedSidecar.sidecarsAffected, totals.sidecarsAffected), (\.clustersBefore, totals.clustersBefore),
            (\.clustersAfter, totals.clustersAfter), (\.bytesBefore, totals.bytesBefore), (\.bytesAfter, totals.bytesAfter),
        ] as [(KeyPath<PlannedSidecar, Int>, Int)] {
            #expect(plan.sidecars.reduce(0) { $0 + $1[keyPath: part] } == whole)
        }
        for (part, whole) in [
            (\PlanWave.sidecarsAffected, totals.sidecarsAffected), (\.clustersBefore, totals.clustersBefore),
            (\.clustersAfter, totals.clustersAfter), (\.bytesBefore, totals.bytesBefore), (\.bytesAfter, totals.bytesAfter),
        ] as [(KeyPath<PlanWave, Int>, Int)] {
            #expect(plan.waves.reduce(0) { $0 + $1[keyPath: part] } == whole)
        }
        let pods = plan.sidecars.flatMap(\.affectedPods)
        #expect(Set(pods).count == pods.count)
        #expect(pods.count == totals.sidecarsAffected)
        for sidecar in plan.sidecars { #expect(sidecar.affectedPods.count == sidecar.sidecarsAffected) }
        let gateways = Set(analysis.pods.filter { $0.pod.isGateway }.map(\.pod.meta.qualifiedName))
        #expect(gateways.isDisjoint(with: pods), "a Sidecar never applies to a gateway")
    }

    @Test("Waves: each namespace Sidecar no later than the mesh default, no wave leaves a cut, at most --waves", arguments: [1, 2, 3, 5])
    func waveRule(waves: Int) throws {
        let analysis = try demoAnalysis()
        let plan = MeshPlanner(analysis: analysis).plan(options: .init(waves: waves))
        let defaultWave = try #require(plan.sidecars.first { $0.kind == .meshDefault }?.wave)
        #expect(plan.waves.count <= waves && !plan.waves.isEmpty)
        #expect(plan.waves.map(\.wave) == Array(1...plan.waves.count))
        for sidecar in plan.sidecars where sidecar.kind != .meshDefault { #expect(sidecar.wave <= defaultWave, "\(sidecar.qualifiedName)") }
        if waves > 1 { #expect(defaultWave == plan.waves.count) }
        for wave in plan.waves {
            #expect(wave.cutsAfterWave.isEmpty, "wave \(wave.wave)")
            #expect(!wave.watch.isEmpty)
            if wave.sidecarsAffected > 0 { #expect(wave.watch.contains { $0.contains("BlackHoleCluster|PassthroughCluster") }) }
            #expect(Set(wave.sidecars) == Set(plan.sidecars.filter { $0.wave == wave.wave }.map(\.qualifiedName)))
            // Checked independently: the state after this wave cuts nothing observed.
            let cut = Self.independentlyCut(analysis: analysis, engine: Self.engine(after: plan, waves: wave.wave, analysis: analysis))
            #expect(cut.isEmpty, "after wave \(wave.wave): \(cut.prefix(3))")
        }
        // Namespaces without cross-namespace traffic come before the others.
        let cross = MeshPlanner.crossNamespaceSenders(
            traffic: MeshPlanner.resolveTraffic(
                analysis: analysis, recommender: EgressRecommender(analysis: analysis),
                evidence: Dictionary(uniqueKeysWithValues: Set(analysis.pods.map(\.pod.namespace)).map {
                    ($0, EgressRecommender(analysis: analysis).counterEvidence(namespace: $0, workloadSelector: nil))
                }), scoped: analysis.pods.indices.filter { MeshPlanner.isScoped(analysis.pods[$0].pod) }
            ).all, istiodNamespace: analysis.inventory.istiodNamespace)
        let units = plan.sidecars.filter { $0.kind != .meshDefault }
        let lastClean = units.filter { !cross.contains($0.manifest.namespace) }.map(\.wave).max() ?? 0
        let firstCross = units.filter { cross.contains($0.manifest.namespace) }.map(\.wave).min() ?? Int.max
        #expect(lastClean <= firstCross)
    }

    @Test("-o json: the keys of issue #14, in its order")
    func jsonKeys() throws {
        let analysis = try demoAnalysis()
        let json = MeshPlanner(analysis: analysis).plan(options: .init(memoryPricePerGiBMonth: 4.5)).orderedJSON
        let text = json.formatted(indent: "  ")
        let parsed = try OrderedJSON(parsing: Data(text.utf8))
        #expect(Array((parsed.objectMembers ?? []).map(\.key).prefix(5)) == ["meshDefault", "sidecars", "waves", "unknownDestinations", "totals"])
        #expect((parsed["meshDefault"]?.objectMembers ?? []).map(\.key) == ["namespace", "name", "hosts"])
        let sidecar = try #require(parsed["sidecars"]?.arrayValue?.first)
        #expect(
            Array((sidecar.objectMembers ?? []).map(\.key).prefix(14)) == [
                "namespace", "name", "kind", "workloadSelector", "hosts", "wave", "reason", "sidecarsAffected", "clustersBefore",
                "clustersAfter", "bytesBefore", "bytesAfter", "keeps", "cuts",
            ])
        #expect(sidecar["kind"]?.stringValue == "mesh-default")
        let wave = try #require(parsed["waves"]?.arrayValue?.first)
        #expect(Array((wave.objectMembers ?? []).map(\.key).prefix(5)) == ["wave", "sidecars", "sidecarsAffected", "bytesBefore", "bytesAfter"])
        #expect(
            Array((parsed["totals"]?.objectMembers ?? []).map(\.key).prefix(6)) == [
                "sidecarsAffected", "clustersBefore", "clustersAfter", "bytesBefore", "bytesAfter", "cuts",
            ])
        #expect(parsed["totals"]?["costBefore"] != nil && parsed["totals"]?["costAfter"] != nil)
    }

    @Test("The mesh default's impact counts exactly the sidecars without a Sidecar of their own; cuts per source namespace")
    func meshDefaultImpact() throws {
        let analysis = try demoAnalysis()
        let impact = MeshPlanner(analysis: analysis).meshDefaultImpact()
        let withoutSidecar = analysis.pods.filter { MeshPlanner.isScoped($0.pod) && $0.sidecar == nil }
        #expect(impact.sidecarsAffected == withoutSidecar.count)
        #expect(impact.sidecarsAffected > 1000)
        #expect(impact.sidecar.meta.qualifiedName == "\(analysis.inventory.meshConfig.rootNamespace)/default")
        #expect(impact.namespaces.reduce(0) { $0 + $1.sidecars } == impact.sidecarsAffected)
        #expect(impact.namespaces.reduce(0) { $0 + $1.bytesAfter } == impact.bytesAfter)
        #expect(impact.bytesAfter < impact.bytesBefore)
        let savings = impact.namespaces.map(\.savingBytes)
        #expect(savings == savings.sorted(by: >), "largest saving first")
        // Cross-namespace calls are the risk: each cut names its source namespace, and the rows carry them.
        #expect(!impact.cuts.isEmpty)
        #expect(impact.cuts.allSatisfy { !$0.host.hasPrefix($0.sourceNamespace + "/") })
        #expect(impact.namespaces.reduce(0) { $0 + $1.cuts.count } == impact.cuts.count)
        // Namespaces whose sidecars all keep a Sidecar of their own are listed as unaffected, with its name.
        let keeping = Set(analysis.pods.filter { MeshPlanner.isScoped($0.pod) && $0.sidecar != nil }.map(\.pod.namespace))
            .subtracting(withoutSidecar.map(\.pod.namespace))
        #expect(Set(impact.unaffected.map(\.namespace)) == keeping)
        #expect(impact.unaffected.allSatisfy { $0.keptBy?.hasPrefix($0.namespace + "/") == true })
        // The plan's exceptions are exactly the namespaces this impact would cut.
        let plan = MeshPlanner(analysis: analysis).plan()
        #expect(Set(plan.sidecars.filter { $0.kind == .namespace }.map(\.manifest.namespace)) == Set(impact.cuts.map(\.sourceNamespace)))
    }

    // MARK: Small meshes

    /// `orders` calls `payments`; `shop` only calls itself; `edge` calls a host outside the registry; a gateway in
    /// `ingress`; a namespace Sidecar already in `legacy`.
    static func smallMesh() throws -> MeshAnalysis {
        var mesh = try inventory(
            service("charge", "payments") + service("api", "orders") + service("web", "shop") + service("cart", "shop")
                + service("istiod", "istio-system", ports: [15012]) + service("old", "legacy")
                + sidecar("default", "legacy", hosts: ["*/*"]))
        func pod(_ name: String, _ namespace: String, app: String, labels: [String: String] = [:]) -> Pod {
            Pod(meta: ObjectMeta(name: name, namespace: namespace, labels: ["app": app].merging(labels) { $1 }))
        }
        mesh.pods = [
            pod("api-1", "orders", app: "api"), pod("charge-1", "payments", app: "charge"), pod("web-1", "shop", app: "web"),
            pod("cart-1", "shop", app: "cart"), pod("proxy-1", "edge", app: "proxy"), pod("old-1", "legacy", app: "old"),
            pod("gw-1", "ingress", app: "gw", labels: ["istio": "ingressgateway"]),
        ]
        let observations = [
            ProxyObservation(
                namespace: "orders", pod: "api-1",
                destinations: [ObservedDestination(host: "charge.payments.svc.cluster.local", namespace: "payments", requests: 4210)]),
            ProxyObservation(
                namespace: "shop", pod: "web-1",
                destinations: [ObservedDestination(host: "cart.shop.svc.cluster.local", namespace: "shop", requests: 10)]),
            ProxyObservation(
                namespace: "edge", pod: "proxy-1",
                destinations: [ObservedDestination(host: "api.example.com", requests: 7, serviceName: "PassthroughCluster")]),
            ProxyObservation(namespace: "payments", pod: "charge-1"), ProxyObservation(namespace: "shop", pod: "cart-1"),
            ProxyObservation(namespace: "legacy", pod: "old-1"),
            ProxyObservation(
                namespace: "ingress", pod: "gw-1",
                destinations: [ObservedDestination(host: "web.shop.svc.cluster.local", namespace: "shop", requests: 99)]),
        ]
        return MeshAnalysis(inventory: mesh, observations: observations, source: "test")
    }

    @Test("Only a namespace whose traffic the default would cut gets its own Sidecar; passthrough traffic is an unknown destination")
    func exceptionsAndUnknown() throws {
        let analysis = try Self.smallMesh()
        let plan = MeshPlanner(analysis: analysis).plan()
        let names = plan.sidecars.map(\.qualifiedName)
        #expect(names == ["istio-system/default", "orders/default"])
        let orders = try #require(plan.sidecar(named: "orders/default"))
        #expect(orders.kind == .namespace)
        #expect(orders.hosts == ["./*", "payments/*", "istio-system/*"], "payments has one service, all of it used: grouped")
        #expect(orders.reason.contains("payments/charge.payments.svc.cluster.local (4,210 req)"))
        #expect(orders.keeps.map(\.host) == ["payments/charge.payments.svc.cluster.local"])
        #expect(orders.wave < plan.meshDefault.wave)
        #expect(plan.keepsEveryObservedDestination)
        let unknown = try #require(plan.unknownDestinations.first)
        #expect(unknown.host == "api.example.com" && unknown.pods == ["edge/proxy-1"] && unknown.requests == 7)
        // The gateway is never scoped, the existing legacy Sidecar is kept.
        let affected = Set(plan.sidecars.flatMap(\.affectedPods))
        #expect(!affected.contains("ingress/gw-1"))
        #expect(!affected.contains("legacy/old-1"))
        #expect(affected.isSuperset(of: ["orders/api-1", "shop/web-1", "shop/cart-1", "payments/charge-1", "edge/proxy-1"]))
        #expect(plan.existing.map(\.action) == [.kept])
        #expect(plan.notes.contains { $0.contains("gateway") })
    }

    @Test("Waves: a namespace without cross-namespace traffic goes before one with it; the mesh default is last")
    func waveOrder() throws {
        // Without ./* in the default, shop's call to its own cart is cut too: shop needs an exception, with no
        // cross-namespace traffic, so it goes first.
        let plan = MeshPlanner(analysis: try Self.smallMesh()).plan(options: .init(defaultHosts: ["istio-system/*"]))
        let shop = try #require(plan.sidecar(named: "shop/default"))
        let orders = try #require(plan.sidecar(named: "orders/default"))
        #expect(shop.hosts == ["shop/cart.shop.svc.cluster.local", "istio-system/*"])
        #expect((shop.wave, orders.wave, plan.meshDefault.wave) == (1, 2, 3))
        #expect(plan.waves.map(\.sidecars) == [["shop/default"], ["orders/default"], ["istio-system/default"]])
        #expect(plan.waves[0].why.contains("call no other namespace"))
        #expect(plan.keepsEveryObservedDestination)
        let together = MeshPlanner(analysis: try Self.smallMesh()).plan(options: .init(defaultHosts: ["istio-system/*"], waves: 1))
        #expect(together.waves.count == 1 && together.sidecars.allSatisfy { $0.wave == 1 })
    }

    @Test("An existing mesh-wide default is kept and reported; sidecars under it are not changed")
    func existingMeshDefaultKept() throws {
        var analysis = try Self.smallMesh()
        var mesh = analysis.inventory
        mesh.sidecars += try inventory(sidecar("mesh", "istio-system", hosts: ["*/*"])).sidecars
        analysis = MeshAnalysis(
            inventory: mesh, observations: analysis.pods.compactMap(\.observation), source: "test")
        let plan = MeshPlanner(analysis: analysis).plan()
        #expect(plan.meshDefault.qualifiedName == "istio-system/mesh")
        #expect(plan.meshDefault.hosts == ["*/*"])
        #expect(plan.sidecars.isEmpty)
        #expect(plan.totals.sidecarsAffected == 0)
        #expect(plan.existing.first { $0.qualifiedName == "istio-system/mesh" }?.action == .kept)
        let replaced = MeshPlanner(analysis: analysis).plan(options: .init(replaceExisting: true))
        #expect(replaced.meshDefault.qualifiedName == "istio-system/mesh")
        #expect(replaced.meshDefault.hosts == ["./*", "istio-system/*"])
        #expect(replaced.meshDefault.replaces != nil)
        #expect(replaced.keepsEveryObservedDestination)
    }

    @Test("--replace-existing proposes an update of an existing Sidecar, as a diff")
    func replaceExisting() throws {
        let analysis = try Self.smallMesh()
        let plan = MeshPlanner(analysis: analysis).plan(options: .init(replaceExisting: true))
        let legacy = try #require(plan.sidecar(named: "legacy/default"))
        #expect(legacy.replaces?.meta.qualifiedName == "legacy/default")
        #expect(legacy.diff?.contains { $0.hasPrefix("-") && $0.contains("*/*") } == true)
        #expect(plan.existing.map(\.action) == [.updated])
        #expect(legacy.affectedPods == ["legacy/old-1"])
        // --per-workload leaves the sidecars of a kept Sidecar alone; with --replace-existing it may add theirs.
        let perWorkload = MeshPlanner(analysis: analysis).plan(options: .init(perWorkload: true))
        #expect(perWorkload.sidecar(named: "legacy/old") == nil)
        #expect(!perWorkload.sidecars.flatMap(\.affectedPods).contains("legacy/old-1"))
        #expect(perWorkload.sidecar(named: "shop/cart")?.kind == .workload)
        let both = MeshPlanner(analysis: analysis).plan(options: .init(perWorkload: true, replaceExisting: true))
        #expect(both.sidecar(named: "legacy/old")?.affectedPods == ["legacy/old-1"])
        #expect(both.keepsEveryObservedDestination)
        #expect(plan.keepsEveryObservedDestination)
    }

    @Test("--out layout: one file per Sidecar under wave-N, a kustomization listing each, YAML documents that read back")
    func directoryLayout() throws {
        let plan = MeshPlanner(analysis: try Self.smallMesh()).plan()
        let paths = plan.sidecars.map(MeshPlan.relativePath(of:))
        #expect(paths == ["wave-2/istio-system-default.yaml", "wave-1/orders-default.yaml"])
        for path in paths { #expect(plan.kustomization.contains("\n- \(path)\n")) }
        let documents = try SidecarDocumentReader.read(plan.yaml).sidecars.map(\.sidecar.meta.qualifiedName)
        #expect(documents == ["orders/default", "istio-system/default"], "in wave order")
        #expect(plan.kustomization.components(separatedBy: "\n- ").dropFirst().map { $0.trimmingCharacters(in: .newlines) } == paths.reversed())
        #expect(plan.markdown.contains("## Unknown destinations") && plan.markdown.contains("api.example.com"))
    }
}
