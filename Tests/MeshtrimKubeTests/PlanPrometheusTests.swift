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
            // Wait until Prometheus has counted every namespace's destinations.
            let missing = try await prometheus.namespacesWithUncountedTraffic(of: scenario)
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
