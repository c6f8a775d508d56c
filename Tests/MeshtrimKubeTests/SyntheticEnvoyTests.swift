import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimTestSupport
import Testing

/// `meshtrim lab --synthetic-envoy` (issue #17 goal 3): no Envoy runs, yet every sidecar answers the pod proxy and
/// port-forward with the figures an Envoy fed by the lab's scope would have: its cluster count is the engine's
/// prediction for the pod, its memory the measured model's estimate for that count, its config dump the predicted
/// cluster names; and `meshtrim report` reads them as a real sidecar's.
@Suite(.timeLimit(.minutes(4)))
struct SyntheticEnvoyTests {
    @Test func everySidecarAnswersTheEnginesPredictionAndReportReadsIt() async throws {
        try await withLab(ObservationTests.mesh + ["--synthetic-envoy"], envoy: false) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let inventory = try await session.loadInventory().inventory
            let sidecars = inventory.pods.filter(\.hasSidecar)
            try #require(sidecars.count >= 8)
            // The full scope, built cluster by cluster: not the counting path the lab answers from.
            let engine = ScopeEngine(inventory: inventory)
            let reader = SidecarReader(client: session.client)
            var withTraffic = 0
            for pod in sidecars {
                let predicted = engine.scope(for: pod).clusters.count
                let stats = try await reader.stats(namespace: pod.namespace, pod: pod.name)
                if !stats.destinations.isEmpty { withTraffic += 1 }
                #expect(stats.activeClusters == predicted, "\(pod.namespace)/\(pod.name)")
                #expect(stats.memoryAllocatedBytes == MemoryModel.measured.estimatedBytes(clusters: predicted))
                #expect((stats.memoryHeapSizeBytes ?? 0) > (stats.memoryAllocatedBytes ?? .max))
                #expect(stats.warmingClusters == 0 && stats.uptimeSeconds != nil)
            }
            #expect(withTraffic > 0, "no Istio request metrics")

            // By port-forward: the same figures, and the admin's cluster names are the predicted ones.
            let pod = sidecars[sidecars.count / 2]
            let forwarded = try await reader.stats(namespace: pod.namespace, pod: pod.name, path: .portForward)
            #expect(forwarded.activeClusters == engine.scope(for: pod).clusters.count)
            let names = try await reader.clusterNames(namespace: pod.namespace, pod: pod.name)
            #expect(names.sorted() == engine.scope(for: pod).clusters.map(\.name).sorted())
            await session.shutdown()

            // `meshtrim report` observes every sidecar, and what it observed is what it predicts.
            let result = try LiveCommandTests.meshtrim(["report", "-A", "-o", "json"], lab: lab)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let rows = try LiveCommandTests.rows(result)
            let observed = rows.filter { $0.activeClusters != nil }
            #expect(observed.count == sidecars.count, "\(result.stderr)")
            #expect(observed.allSatisfy { $0.activeClusters == $0.predictedClusters }, "\(observed.map(\.stable))")
            #expect(observed.allSatisfy { $0.envoyAllocatedBytes == MemoryModel.measured.estimatedBytes(clusters: $0.predictedClusters) })
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aSidecarWrittenToTheLabChangesTheSyntheticCounts() async throws {
        try await withLab(ObservationTests.mesh + ["--synthetic-envoy"], envoy: false) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let inventory = try await session.loadInventory().inventory
            let reader = SidecarReader(client: session.client)
            let pod = try #require(
                inventory.pods.first { pod in pod.hasSidecar && !inventory.sidecars.contains { $0.meta.namespace == pod.namespace } })
            let before = try #require(try await reader.stats(namespace: pod.namespace, pod: pod.name).activeClusters)
            let sidecar = """
                {"apiVersion": "networking.istio.io/v1", "kind": "Sidecar", "metadata": {"name": "default", "namespace": "\(pod.namespace)"},
                 "spec": {"egress": [{"hosts": ["./*", "istio-system/*"]}]}}
                """
            let created = try lab.kubectl(["apply", "-f", "-"], stdin: sidecar)
            try #require(created.exitCode == 0, "\(created.stderr)")
            var trimmed = inventory
            trimmed.sidecars = try await session.loadInventory().inventory.sidecars
            let expected = ScopeEngine(inventory: trimmed).scope(for: pod).clusters.count
            #expect(expected < before)
            // The lab recomputes on the write's change notice: wait for it (bounded), not for a fixed time.
            var after = before
            let deadline = ContinuousClock.now + .seconds(30)
            while after != expected, ContinuousClock.now < deadline {
                after = try await reader.stats(namespace: pod.namespace, pod: pod.name).activeClusters ?? before
                if after != expected { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(after == expected)
            await session.shutdown()
        }
    }
}
