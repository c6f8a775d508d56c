import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab

extension PrometheusRun {
    /// Waits (up to `timeout`) until this Prometheus has counted, over a 5-minute window, every destination that each
    /// namespace's sidecars of `scenario` call (``RecommendTests/expectedTraffic(_:namespace:)``).
    ///
    /// - Returns: the namespaces whose traffic Prometheus still had not seen whole when the time ran out; empty once
    ///   it has seen all of it.
    func namespacesWithUncountedTraffic(of scenario: LabScenario, timeout: Duration = .seconds(60)) async throws -> [String] {
        let client = try PrometheusClient(url: url, token: nil)
        let analysis = MeshAnalysis(inventory: scenario.inventory, observations: [], source: "scenario")
        let recommender = EgressRecommender(analysis: analysis)
        let traffic = PrometheusTraffic(client: client, window: try PrometheusWindow("5m"))
        var missing = Set(scenario.inventory.pods.filter(\.hasSidecarProxy).map(\.namespace)).sorted()
        let deadline = ContinuousClock.now + timeout
        while !missing.isEmpty && ContinuousClock.now < deadline {
            var still: [String] = []
            for namespace in missing {
                let evidence = try await traffic.evidence(namespace: namespace, recommender: recommender)
                if Set(evidence.records.map(\.destination.host)) != Set(RecommendTests.expectedTraffic(scenario, namespace: namespace).keys) {
                    still.append(namespace)
                }
            }
            missing = still
            if !missing.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
        }
        await client.shutdown()
        return missing
    }
}
