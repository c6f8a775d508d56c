import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// The counting paths (`outboundClusterCount`, `inboundClusterCount`), which the analysis uses for every pod shape,
/// give exactly the number of clusters the building paths (`outboundScope`, `inboundClusters`) build.
@Suite("Cluster counts match the built clusters")
struct ClusterCountTests {
    /// Meshes to count on: generated ones of several shapes and seeds (Sidecars, VirtualServices, DestinationRules with
    /// subsets, ServiceEntries) and Istio's own scenarios.
    static let meshes: [String] = [
        "generated", "generated-23", "generated-57", "generated-91", "tests/testdata/networking/sidecar-ns-scope/configs.yaml",
        "tests/testdata/networking/sidecar-without-service/configs.yaml", "samples/bookinfo/platform/kube/bookinfo.yaml",
        "pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml",
    ]

    static func inventory(_ name: String) throws -> MeshInventory {
        if name == "generated" {
            return MeshGenerator.generateInventory(
                MeshGenerator.Parameters(
                    namespaces: 8, services: 120, pods: 300, seed: 11, virtualServices: 6, destinationRules: 10, scopedNamespaces: 2))
        }
        if name.hasPrefix("generated-"), let seed = UInt64(name.dropFirst("generated-".count)) {
            // Shapes vary with the seed: more or fewer namespaces, rules and scoped namespaces per mesh.
            let shape = Int(seed % 5)
            return MeshGenerator.generateInventory(
                MeshGenerator.Parameters(
                    namespaces: 4 + shape * 2, services: 40 + shape * 15, pods: 80 + shape * 20, seed: seed,
                    virtualServices: shape * 3, destinationRules: 4 + shape * 4, scopedNamespaces: shape % 3))
        }
        var inventory = try ManifestLoader.load(paths: [Fixtures.istio(name).path]).inventory
        if name.contains("sidecar-ns-scope") { inventory.meshConfig.rootNamespace = "istio-config" }
        return inventory
    }

    @Test("every pod, with its own Sidecar and with candidates, on Istio 1.9 and 1.31", arguments: meshes)
    func countsMatch(_ name: String) throws {
        let inventory = try Self.inventory(name)
        try #require(!inventory.pods.isEmpty || !inventory.services.isEmpty)
        let namespaces = Set(inventory.pods.map(\.namespace) + inventory.services.map(\.namespace)).sorted()
        for version in [IstioVersion(major: 1, minor: 9), IstioVersion(major: 1, minor: 31)] {
            let engine = ScopeEngine(inventory: inventory, istioVersion: version)
            var checked = 0
            for namespace in namespaces {
                let pods = inventory.pods.filter { $0.namespace == namespace }
                let probes: [(labels: [String: String], pod: Pod?)] = pods.map { ($0.labels, $0) } + [([:], nil)]
                let candidates: [Sidecar?] = [nil] + [["./*", "istio-system/*"], ["~/*"], ["*/*", "~\(namespace)/*"], []].map {
                    MeshAnalysis.proposedSidecar(namespace: namespace, workloadSelector: nil, hosts: $0)
                }
                for probe in probes {
                    for candidate in candidates {
                        let sidecar = candidate ?? engine.selectSidecar(namespace: namespace, labels: probe.labels).sidecar
                        let outbound = engine.outboundScope(namespace: namespace, labels: probe.labels, sidecar: sidecar)
                        #expect(
                            engine.outboundClusterCount(namespace: namespace, labels: probe.labels, sidecar: sidecar)
                                == outbound.clusters.count, "outbound, \(namespace) \(probe.labels) \(sidecar?.egress ?? [])")
                        let inbound = engine.inboundClusters(namespace: namespace, labels: probe.labels, pod: probe.pod, sidecar: sidecar)
                        #expect(
                            engine.inboundClusterCount(namespace: namespace, labels: probe.labels, pod: probe.pod, sidecar: sidecar)
                                == inbound.count, "inbound, \(namespace) \(probe.labels)")
                        checked += 1
                    }
                }
            }
            #expect(checked > 0)
        }
    }
}
