import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimLab
import Testing

/// The proof that a Sidecar really shrinks a real Envoy as the scope engine predicts.
///
/// One sidecar pod in a mesh of 1,000 two-port services (2,000+ clusters per Envoy, one Envoy); applying
/// `egress: [./*, istio-system/*]` with kubectl must bring `cluster_manager.active_clusters` to exactly the
/// engine's prediction and drop `server.memory_allocated` by about what the measured memory model predicts.
@Suite(.enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(3)))
struct SidecarTrimProofTests {
    static let sidecar = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: shop}
        spec:
          egress:
          - hosts: ["./*", "istio-system/*"]

        """

    @Test func applyingASidecarShrinksTheEnvoyAsPredicted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-proof-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifests = directory.appendingPathComponent("mesh.yaml").path
        try shopWithCatalogs(namespaces: 10, servicesPerNamespace: 100).write(toFile: manifests, atomically: true, encoding: .utf8)

        // The prediction, from the same manifests the lab reads.
        let scenario = try LabScenario.load(manifests: [manifests], seed: 1)
        let engine = ScopeEngine(inventory: scenario.inventory)
        let pod = try #require(scenario.inventory.pods.first { $0.namespace == "shop" && $0.hasSidecar })
        let candidate = try #require(try SidecarDocumentReader.read(Self.sidecar).sidecars.first?.sidecar)
        let predictedBefore = engine.scope(for: pod).clusters.count
        let predictedAfter = engine.scope(for: pod, candidate: candidate).clusters.count
        #expect(predictedBefore >= 2_000)

        try await withLab(["--manifests", manifests], needsEnvoy: true) { lab in
            func sample() throws -> EnvoySample { try lab.envoySample(namespace: "shop", pod: pod.name) }
            let before = try sample()
            #expect(before.clusters == predictedBefore)

            let applied = try lab.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.sidecar)
            #expect(applied.exitCode == 0, "\(applied.stderr)")
            // Envoy drops the clusters on the next push; server.memory_allocated follows on its stats flush (5 s).
            let after = try await lab.envoySampleAfterTrim(namespace: "shop", pod: pod.name, clusters: predictedAfter, before: before)
            #expect(after.clusters == predictedAfter)

            let model = MemoryModel.measured
            let predictedAllocated = model.estimatedBytes(after: after.clusters, before: before.clusters, observed: before.allocated)
            let predictedDrop = before.allocated - predictedAllocated
            let drop = before.allocated - after.allocated
            print(
                """
                proof: cluster_manager.active_clusters \(before.clusters) → \(after.clusters) \
                (ScopeEngine predicts \(predictedBefore) → \(predictedAfter))
                proof: server.memory_allocated \(Self.megabytes(before.allocated)) → \(Self.megabytes(after.allocated)) \
                (drop \(Self.megabytes(drop)); the measured model predicts \(Self.megabytes(predictedAllocated)), \
                a drop of \(Self.megabytes(predictedDrop)))
                """)
            #expect(after.allocated < before.allocated)
            #expect(Double(drop) >= 0.5 * Double(predictedDrop), "memory fell by \(drop) bytes, predicted \(predictedDrop)")
            #expect(Double(drop) <= 2.0 * Double(predictedDrop), "memory fell by \(drop) bytes, predicted \(predictedDrop)")
        }
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
