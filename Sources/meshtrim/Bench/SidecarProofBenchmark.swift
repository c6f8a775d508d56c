import Foundation
import MeshtrimCore
import MeshtrimKube

/// The lab's proof, as budget rows: a real Envoy's allocated memory before and after the common-fix Sidecar
/// (`./*` + the istiod namespace) is applied through the lab's API with kubectl, and the engine's estimate of it.
///
/// The lab plays istiod: applying the Sidecar reloads the namespace's Envoy with the clusters the scope engine
/// gives, so `cluster_manager.active_clusters` must fall by exactly the number of clusters the engine says the
/// Sidecar removes, and `server.memory_allocated` must fall. The estimate row checks the measured memory model against the real drop (within 0.5–2×).
enum SidecarProofBenchmark {
    /// Applies the Sidecar to the first namespace without one (run it last: it changes the lab's mesh).
    static func run(lab: LabFixture, session: LiveSession, inventory: MeshInventory, log: (String) -> Void) async throws -> [BenchResult] {
        let withSidecars = Set(inventory.sidecars.map(\.meta.namespace))
        let candidates = inventory.pods.filter {
            $0.hasSidecar && $0.phase == "Running" && $0.namespace != inventory.istiodNamespace && !withSidecars.contains($0.namespace)
        }
        guard let pod = candidates.min(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) else {
            throw BenchError("the lab has no namespace with sidecars and without a Sidecar to try the common fix on")
        }
        let namespace = pod.namespace
        let analysis = MeshAnalysis(inventory: inventory, observations: [], source: "bench")
        let hosts = analysis.hosts(for: .commonFix, namespace: namespace)
        let manifest = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: \(namespace)}
            spec:
              egress:
              - hosts: [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]

            """
        guard let candidate = try SidecarDocumentReader.read(manifest).sidecars.first?.sidecar else {
            throw BenchError("the common-fix Sidecar for \(namespace) did not parse")
        }
        let predictedBefore = analysis.scope(for: pod).clusters.count
        let predictedAfter = analysis.scope(for: pod, candidate: candidate).clusters.count

        let reader = SidecarReader(client: session.client)
        func sample() async throws -> (clusters: Int, allocated: Int) {
            let stats = try await reader.stats(namespace: namespace, pod: pod.name)
            return (stats.activeClusters ?? -1, stats.memoryAllocatedBytes ?? -1)
        }
        log("bench: the proof: applying \(hosts.joined(separator: " + ")) to \(namespace) (engine: \(predictedBefore) → \(predictedAfter) clusters)…")
        // Envoy refreshes server.memory_allocated on its stats flush (every 5 s): read "before" after one has passed.
        let settled = lab.readyAt + .seconds(6)
        if ContinuousClock.now < settled { try await Task.sleep(until: settled, clock: .continuous) }
        let before = try await sample()
        let applied = try lab.kubectl(["apply", "--server-side", "-f", "-"], stdin: manifest)
        guard applied.exitCode == 0 else { throw BenchError("kubectl apply of the common-fix Sidecar failed: \(applied.stderr)") }
        let deadline = ContinuousClock.now + .seconds(90)
        // Pods of different workloads share one lab Envoy, which reports the union of their inbound clusters, so the
        // Envoy's count can exceed one pod's prediction by a few; what the Sidecar removes must match exactly.
        let expectedAfter = before.clusters - (predictedBefore - predictedAfter)
        var after = try await sample()
        while after.clusters != expectedAfter && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            after = try await sample()
        }
        // The same for "after": wait for a flush that shows the smaller allocation.
        while after.allocated >= before.allocated && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            after = try await sample()
        }
        let estimate = MemoryModel.measured.estimatedBytes(after: after.clusters, before: before.clusters, observed: before.allocated)
        let predictedDrop = Double(before.allocated - estimate) / 1_000_000
        let drop = Double(before.allocated - after.allocated) / 1_000_000
        let reached = after.clusters == expectedAfter
        let clusters = "\(before.clusters) → \(after.clusters) clusters, engine \(predictedBefore) → \(predictedAfter)"
        return [
            BenchResult(
                name: "envoy-memory after ./* + \(inventory.istiodNamespace)/* (\(namespace), \(clusters))",
                value: Double(after.allocated) / 1_000_000, unit: "MB", peer: "the same Envoy before the Sidecar",
                peerValue: Double(before.allocated) / 1_000_000, budget: "< before", passed: reached && after.allocated < before.allocated),
            BenchResult(
                name: "envoy-memory drop, engine estimate (\(namespace))", value: predictedDrop, unit: "MB", peer: "the measured drop",
                peerValue: drop, budget: "0.5–2× measured", passed: drop > 0 && (0.5...2).contains(predictedDrop / drop)),
        ]
    }
}
