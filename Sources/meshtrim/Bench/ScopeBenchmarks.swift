import Foundation
import MeshtrimCore

/// Budgets of the scope engine: one evaluation over 2,000 services and a whole-namespace toggle recompute.
enum ScopeBenchmarks {
    static func run(runs: Int) throws -> [BenchResult] {
        // 2,000 services in 50 namespaces with 20 VirtualServices and 100 DestinationRules (issue budget).
        let parameters = MeshGenerator.Parameters(
            namespaces: 50, services: 2_000, pods: 500, seed: 7, virtualServices: 20, destinationRules: 100, scopedNamespaces: 2)
        let inventory = MeshGenerator.generateInventory(parameters)
        let engine = ScopeEngine(inventory: inventory)
        let pods = inventory.pods.filter(\.hasSidecar)
        guard !pods.isEmpty else { throw BenchError("the generated mesh has no sidecars") }
        var clusters = 0
        let scope = Stopwatch.samples(runs: runs) { index in
            let pod = pods[index % pods.count]
            clusters = engine.scope(for: pod).clusters.count
        }
        // The peer: indexing the same inventory, which every evaluation amortises.
        let index = Stopwatch.samples(runs: max(5, runs / 20)) { _ in _ = ScopeEngine(inventory: inventory) }
        let median = Stopwatch.percentile(scope, 0.5)
        var results = [
            BenchResult(
                name: "scope-evaluation (2,000 services, 50 ns, \(clusters) clusters)", value: median, unit: "ms",
                peer: "engine indexing of the same inventory", peerValue: Stopwatch.percentile(index, 0.5),
                budget: "< 5 ms", passed: median < 5)
        ]

        // Toggle: the editor recomputes the namespace's impact after each change, on the bundled demo.
        let demo = try DemoSnapshot.load()
        let analysis = MeshAnalysis(snapshot: demo)
        guard let namespace = analysis.namespaces.max(by: { $0.sidecars < $1.sidecars }) else {
            throw BenchError("the demo has no namespaces")
        }
        let others = analysis.namespaces.map(\.name).filter { $0 != namespace.name }.prefix(8)
        let selections: [[String]] = (0...others.count).map { count in
            ["./*", "istio-system/*"] + others.prefix(count).map { "\($0)/*" }
        }
        let toggle = Stopwatch.samples(runs: runs) { index in
            _ = analysis.impact(namespace: namespace.name, workloadSelector: nil, hosts: selections[index % selections.count])
        }
        let toggleMedian = Stopwatch.percentile(toggle, 0.5)
        let single = Stopwatch.samples(runs: runs) { index in
            let pod = analysis.pods(in: namespace.name)[index % max(1, namespace.pods)].pod
            _ = analysis.scope(for: pod)
        }
        results.append(
            BenchResult(
                name: "namespace-toggle (\(namespace.name), \(namespace.sidecars) sidecars)", value: toggleMedian, unit: "ms",
                peer: "one pod's full scope", peerValue: Stopwatch.percentile(single, 0.5), budget: "< 5 ms",
                passed: toggleMedian < 5))
        return results
    }
}

/// A benchmark could not run.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
