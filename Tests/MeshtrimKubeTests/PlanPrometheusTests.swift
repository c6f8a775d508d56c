import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import MeshtrimTestSupport
import Testing

/// `meshtrim plan --prometheus` against the lab (the mesh of ``RecommendTests``) with a real Prometheus scraping its
/// sidecars: the same Sidecars and hosts as the plan from the sidecars' own counters, with nothing cut.
@Suite(.timeLimit(.minutes(4)))
struct PlanPrometheusTests {
    @Test(
        "plan --prometheus makes the same plan as the sidecars' counters",
        .enabled(if: shouldRunTests(needing: "prometheus") && shouldRunTests(needing: "kubectl")))
    func sameAsCounters() async throws {
        try requireTool("prometheus")
        let scenario = try RecommendTests.scenario()
        try await withLab(RecommendTests.mesh, envoy: true) { lab in
            let prometheus = try PrometheusRun(lab: lab, pods: scenario.inventory.pods.filter { $0.hasSidecar })
            defer { prometheus.stop() }
            try await prometheus.waitUntilReady()
            let client = try PrometheusClient(url: prometheus.url, token: nil)
            let analysis = MeshAnalysis(inventory: scenario.inventory, observations: [], source: "scenario")
            let recommender = EgressRecommender(analysis: analysis)
            let namespaces = Set(scenario.inventory.pods.filter(\.hasSidecarProxy).map(\.namespace)).sorted()
            // Wait until Prometheus has counted every namespace's destinations.
            let deadline = ContinuousClock.now + .seconds(60)
            var missing = namespaces
            while !missing.isEmpty && ContinuousClock.now < deadline {
                missing = try await namespaces.asyncFilter { namespace in
                    let evidence = try await PrometheusTraffic(client: client, window: try PrometheusWindow("5m"))
                        .evidence(namespace: namespace, recommender: recommender)
                    return Set(evidence.records.map(\.destination.host)) != Set(RecommendTests.expectedTraffic(scenario, namespace: namespace).keys)
                }
                if !missing.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
            }
            await client.shutdown()
            #expect(missing.isEmpty, "Prometheus never saw all traffic of \(missing):\n\(prometheus.log)")

            func sidecars(_ result: ProcessResult) throws -> [String: [String]] {
                let json = try OrderedJSON(parsing: Data(result.stdout.utf8))
                #expect(json["totals"]?["cuts"]?.arrayValue?.isEmpty == true)
                var byName: [String: [String]] = [:]
                for sidecar in json["sidecars"]?.arrayValue ?? [] {
                    let name = "\(sidecar["namespace"]?.stringValue ?? "")/\(sidecar["name"]?.stringValue ?? "")"
                    byName[name] = (sidecar["hosts"]?.arrayValue ?? []).compactMap(\.stringValue)
                }
                return byName
            }
            let counters = try RecommendTests.meshtrim(["plan", "-o", "json"], lab: lab)
            try #require(counters.exitCode == 0, "\(counters.stderr)")
            let viaPrometheus = try RecommendTests.meshtrim(["plan", "--prometheus", prometheus.url, "--window", "5m", "-o", "json"], lab: lab)
            try #require(viaPrometheus.exitCode == 0, "\(viaPrometheus.stderr)")
            let fromCounters = try sidecars(counters)
            #expect(fromCounters.count > 1, "the lab's mesh needs namespace Sidecars: \(fromCounters.keys.sorted())")
            #expect(try sidecars(viaPrometheus) == fromCounters)
            #expect(try OrderedJSON(parsing: Data(viaPrometheus.stdout.utf8))["trafficSource"]?.stringValue == "prometheus \(prometheus.url)")
        }
    }
}

extension Array {
    /// The elements for which the asynchronous `isIncluded` holds, in order.
    fileprivate func asyncFilter(_ isIncluded: (Element) async throws -> Bool) async rethrows -> [Element] {
        var result: [Element] = []
        for element in self where try await isIncluded(element) { result.append(element) }
        return result
    }
}
