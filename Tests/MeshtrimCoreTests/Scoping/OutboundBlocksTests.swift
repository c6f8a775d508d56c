import Foundation
import Testing
@testable import MeshtrimCore

/// The outbound scope added up by service namespace (``OutboundBlocks``, what the mesh-wide default's editor re-adds
/// after each toggle) gives the full evaluation's cluster count and coverage, or declines; and the mesh-wide
/// default's impact made from blocks equals the one made from full evaluations.
@Suite("Outbound blocks add up to the full scope")
struct OutboundBlocksTests {
    /// A mesh where blocks must decline or take care: a hostname two namespaces register, a ServiceEntry and a
    /// Service of one hostname in one namespace, services exported to one namespace, wildcard ServiceEntries, and a
    /// VirtualService routing to a service its importers do not import.
    static func awkwardMesh() throws -> MeshInventory {
        let yaml = [
            service("api", "shop"), service("api", "shop-eu", ports: [80, 8080]), service("cart", "shop", exportTo: "."),
            service("ledger", "billing", ports: [80, 9090], exportTo: "shop"), service("worker", "billing"),
            serviceEntry("twin", "shared", host: "api.shop.svc.cluster.local"),
            serviceEntry("stripe", "billing", host: "api.stripe.com"),
            serviceEntry("google", "egress", host: "*.googleapis.com"),
            serviceEntry("google-storage", "egress", host: "storage.googleapis.com"),
            service("dns", "kube-system", ports: [53]), service("istiod", "istio-system", ports: [15010, 15012]),
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: worker-route
              namespace: billing
              creationTimestamp: "\(timestamp(5))"
            spec:
              hosts: ["worker"]
              http:
              - route:
                - destination: {host: ledger.billing.svc.cluster.local, port: {number: 9090}}
                - destination: {host: api.shop-eu.svc.cluster.local}
            ---

            """,
        ].joined()
        return try inventory(yaml)
    }

    /// Meshes to compare on: generated ones of several shapes (as the cluster-count tests use), Istio's scenarios with
    /// services, and the awkward one.
    static let meshes = ClusterCountTests.meshes.filter { !$0.contains("sidecar-selector") } + ["awkward"]

    static func mesh(_ name: String) throws -> MeshInventory {
        name == "awkward" ? try awkwardMesh() : try ClusterCountTests.inventory(name)
    }

    /// Host choices drawn from a mesh's names: `./*`, `ns/*`, `*/*`, `~ns/*`, `ns/host`, `*/host`, wildcards, and now
    /// and then a second listener.
    static func hostChoices(for inventory: MeshInventory, seed: UInt64, count: Int) -> [[[String]]] {
        var random = SeededRandom(seed: seed)
        let namespaces = Set(inventory.services.map(\.namespace)).sorted()
        let hostnames = inventory.services.map(\.hostname)
        func entry() -> String {
            let namespace = random.element(of: namespaces) ?? "default"
            let hostname = random.element(of: hostnames) ?? "example.com"
            switch random.index(below: 9) {
            case 0: return "./*"
            case 1: return "\(namespace)/*"
            case 2: return "*/*"
            case 3: return "~\(namespace)/*"
            case 4: return "\(namespace)/\(hostname)"
            case 5: return "*/\(hostname)"
            case 6: return "./\(hostname)"
            case 7: return "*/*.googleapis.com"
            default: return "istio-system/*"
            }
        }
        return (0..<count).map { _ in
            let listeners = random.chance(0.15) ? 2 : 1
            return (0..<listeners).map { _ in (0..<random.int(in: 1...4)).map { _ in entry() } }
        }
    }

    @Test("count and coverage equal the full evaluation's whenever blocks answer", arguments: meshes)
    func blocksMatchFullEvaluation(_ name: String) throws {
        let inventory = try Self.mesh(name)
        try #require(!inventory.services.isEmpty)
        let namespaces = Set(inventory.pods.map(\.namespace) + inventory.services.map(\.namespace)).sorted()
        // Watched: every hostname, a name under a wildcard ServiceEntry, and one nobody registers.
        let watched = Set(inventory.services.map(\.hostname)).sorted() + ["maps.googleapis.com", "unknown.example.org"]
        let choices = Self.hostChoices(for: inventory, seed: UInt64(name.utf8.count), count: 40)
        var answered = 0
        var declined = 0
        for version in [IstioVersion(major: 1, minor: 22), IstioVersion(major: 1, minor: 31)] {
            let engine = ScopeEngine(inventory: inventory, istioVersion: version)
            for namespace in namespaces {
                let labels = inventory.pods.first { $0.namespace == namespace }?.labels ?? [:]
                let blocks = engine.outboundBlocks(namespace: namespace, labels: labels, watching: watched)
                for listeners in choices {
                    var sidecar = SidecarManifest(namespace: namespace, hosts: listeners[0], name: "probe").sidecar
                    sidecar.egress = listeners.map { SidecarEgressListener(hosts: $0) }
                    let (count, scope) = engine.outboundClusterCountAndHostnames(namespace: namespace, labels: labels, sidecar: sidecar)
                    guard let added = engine.outboundClusterCountAndCoverage(blocks, sidecar: sidecar) else {
                        declined += 1
                        continue
                    }
                    answered += 1
                    #expect(added.count == count, "\(name) \(version) \(namespace) \(listeners)")
                    #expect(added.covered == watched.map(scope.covers), "\(name) \(version) \(namespace) \(listeners)")
                }
            }
        }
        // Blocks answer for one listener without a port unless an imported hostname repeats: most choices here, and in
        // the awkward mesh (where `*/*` meets a repeated hostname) some of each.
        if name == "awkward" {
            #expect(answered > 0 && declined > 0, "\(name): \(answered) answered, \(declined) declined")
        } else {
            #expect(answered > declined, "\(name): \(answered) answered, \(declined) declined")
        }
    }

    @Test("blocks decline where they do not add up: two listeners, a port-bound listener, a hostname two services register")
    func blocksDecline() throws {
        let inventory = try Self.awkwardMesh()
        let engine = ScopeEngine(inventory: inventory, istioVersion: IstioVersion(major: 1, minor: 31))
        let blocks = engine.outboundBlocks(namespace: "billing", labels: [:], watching: [])
        func sidecar(_ listeners: [SidecarEgressListener]) -> Sidecar {
            var sidecar = SidecarManifest(namespace: "billing", hosts: ["./*"], name: "probe").sidecar
            sidecar.egress = listeners
            return sidecar
        }
        #expect(engine.outboundClusterCountAndCoverage(blocks, sidecar: sidecar([.init(hosts: ["./*"])])) != nil)
        #expect(engine.outboundClusterCountAndCoverage(blocks, sidecar: sidecar([.init(hosts: ["./*"]), .init(hosts: ["shop/*"])])) == nil)
        var bound = SidecarEgressListener(hosts: ["./*"])
        bound.port = SidecarPort(number: 9090, protocol: "HTTP", name: "http")
        #expect(engine.outboundClusterCountAndCoverage(blocks, sidecar: sidecar([bound])) == nil)
        // `api.shop.svc.cluster.local` is a Service in shop and a ServiceEntry in shared.
        #expect(engine.outboundClusterCountAndCoverage(blocks, sidecar: sidecar([.init(hosts: ["shop/*"])])) == nil)
        #expect(engine.outboundClusterCountAndCoverage(blocks, sidecar: sidecar([.init(hosts: ["shop-eu/*"])])) != nil)
    }

    @Test("the mesh-wide default's impact from blocks equals the one from full evaluations", arguments: [3, 17, 29])
    func meshDefaultImpactMatches(_ seed: Int) throws {
        let snapshot = MeshGenerator.generateSnapshot(
            MeshGenerator.Parameters(
                namespaces: 6 + seed % 5, services: 90 + seed, pods: 240, seed: UInt64(seed), virtualServices: 8, destinationRules: 12,
                scopedNamespaces: 1))
        let analysis = MeshAnalysis(snapshot: snapshot, source: "generated-\(seed)")
        let calculator = MeshPlanner(analysis: analysis).meshDefaultCalculator()
        try #require(calculator.sidecarsAffected > 0)
        let istiod = analysis.inventory.istiodNamespace
        var choices: [[String]] = [["./*"], ["./*", "\(istiod)/*"], ["*/*"], ["./*", "\(istiod)/*"] + calculator.crossNamespaceServices]
        choices += Self.hostChoices(for: analysis.inventory, seed: UInt64(seed), count: 25).map { $0[0] }
        for hosts in choices {
            let incremental = calculator.impact(hosts: hosts, incremental: true)
            let full = calculator.impact(hosts: hosts, incremental: false)
            #expect(incremental == full, "seed \(seed): \(hosts)")
        }
    }

    @Test("a namespace's egress impact from blocks equals the one from its imports", arguments: [5, 23])
    func egressImpactMatches(_ seed: Int) throws {
        let snapshot = MeshGenerator.generateSnapshot(
            MeshGenerator.Parameters(
                namespaces: 7, services: 110, pods: 260, seed: UInt64(seed), virtualServices: 8, destinationRules: 12, scopedNamespaces: 1))
        let analysis = MeshAnalysis(snapshot: snapshot, source: "generated-\(seed)")
        let choices = Self.hostChoices(for: analysis.inventory, seed: UInt64(seed), count: 20).map { $0[0] } + [[], ["./*"]]
        var compared = 0
        for namespace in analysis.namespaces.map(\.name) {
            guard let blocks = analysis.egressImpactBlocks(namespace: namespace) else { continue }
            for hosts in choices {
                let added = analysis.impact(namespace: namespace, workloadSelector: nil, hosts: hosts, blocks: blocks)
                let evaluated = analysis.impact(namespace: namespace, workloadSelector: nil, hosts: hosts)
                #expect(added == evaluated, "\(namespace) \(hosts)")
                #expect(added.cutDestinations == evaluated.cutDestinations, "\(namespace) \(hosts)")
                compared += 1
            }
        }
        #expect(compared > 50, "blocks were made for too few namespaces: \(compared) comparisons")
    }
}
