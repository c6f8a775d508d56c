import MeshtrimCore
import MeshtrimUI

/// Budgets of the pure UI: key → next frame with 10,000 rows (p50 and p99).
enum UIBenchmarks {
    static func run(quick: Bool) throws -> [BenchResult] {
        let rows = 10_000
        let data = MeshData(analysis: bigNamespace(pods: rows))
        var state = AppState(data: data, width: 120, height: 40)
        _ = reduce(&state, .key(.enter))
        let keys: [Key] = [.down, .down, .pageDown, .up, .pageUp, .end, .home, .character("j"), .character("k")]
        let samples = Stopwatch.samples(runs: quick ? 50 : 500) { index in
            _ = reduce(&state, .key(keys[index % keys.count]))
            _ = render(state)
        }
        // The peer: rendering the namespaces screen of the same data (a handful of rows).
        var small = AppState(data: data, width: 120, height: 40)
        let peer = Stopwatch.samples(runs: quick ? 50 : 500) { _ in
            _ = reduce(&small, .key(.down))
            _ = render(small)
        }
        let p50 = Stopwatch.percentile(samples, 0.5)
        let p99 = Stopwatch.percentile(samples, 0.99)
        return [
            BenchResult(
                name: "key-to-frame p50 (\(rows) rows)", value: p50, unit: "ms", peer: "same on a 1-row list",
                peerValue: Stopwatch.percentile(peer, 0.5), budget: "< 16 ms", passed: p50 < 16),
            BenchResult(
                name: "key-to-frame p99 (\(rows) rows)", value: p99, unit: "ms", peer: "same on a 1-row list",
                peerValue: Stopwatch.percentile(peer, 0.99), budget: "< 16 ms", passed: p99 < 16),
        ]
    }

    /// One namespace with `pods` pods over 200 services, each pod observed.
    static func bigNamespace(pods: Int) -> MeshAnalysis {
        let services = (0..<200).map { index in
            MeshService(
                hostname: "svc-\(index).big.svc.cluster.local", namespace: "big", name: "svc-\(index)",
                ports: [ServicePort(number: 8080, name: "http", protocol: "HTTP")], selector: ["app": "svc-\(index)"])
        }
        let podList = (0..<pods).map { index in
            Pod(meta: ObjectMeta(name: "svc-\(index % 200)-\(index)", namespace: "big", labels: ["app": "svc-\(index % 200)"]))
        }
        let observations = (0..<pods).map { index in
            ProxyObservation(
                namespace: "big", pod: "svc-\(index % 200)-\(index)", envoyAllocatedBytes: 12_000_000 + index * 100,
                activeClusters: 208)
        }
        let inventory = MeshInventory(namespaces: [MeshNamespace(meta: ObjectMeta(name: "big"))], pods: podList, services: services)
        return MeshAnalysis(inventory: inventory, observations: observations, source: "bench")
    }
}
