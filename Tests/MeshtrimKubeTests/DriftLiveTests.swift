import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimTestSupport
import Testing

/// `meshtrim drift` against the lab: a pod that calls services outside its Sidecar shows them as new dependencies
/// (from its Envoy's own counters), its unused own Service as a trim candidate, and the suggested update adds what
/// it calls.
@Suite(.timeLimit(.minutes(3)))
struct DriftLiveTests {
    static let fixture = packageRoot().appendingPathComponent("Tests/MeshtrimLabTests/Fixtures/drift-caller.yaml").path

    struct Drift: Decodable {
        struct Dependency: Decodable {
            var host: String
            var kind: String
            var requests: Int
            var pods: [String]
        }
        struct Candidate: Decodable {
            var host: String
            var clusters: Int
        }
        var namespace: String
        var sidecar: String
        var pods: [String]
        var newDependencies: [Dependency]
        var trimCandidates: [Candidate]
        var suggestedHosts: [String]?
        var diff: [String]
        var traffic: String
    }

    static func drifts(_ arguments: [String], lab: LabRun) throws -> (result: ProcessResult, drifts: [Drift]) {
        let result = try runProcess(
            [try meshtrimBinaryPath(), "drift", "-o", "json"] + arguments, environment: ["KUBECONFIG": lab.kubeconfig],
            timeout: .seconds(90))
        guard result.exitCode == 0 else { return (result, []) }
        return (result, try JSONDecoder().decode([Drift].self, from: Data(result.stdout.utf8)))
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func podCallingOutsideItsSidecarIsDrift() async throws {
        try await withLab(["--manifests", shopFixture, "--manifests", Self.fixture], envoy: true) { lab in
            let result = try runProcess(
                [try meshtrimBinaryPath(), "drift", "-n", "drift", "-o", "json"], environment: ["KUBECONFIG": lab.kubeconfig],
                timeout: .seconds(90))
            #expect(result.exitCode == 0, "\(result.stderr)")
            let drifts = try JSONDecoder().decode([Drift].self, from: Data(result.stdout.utf8))
            let drift = try #require(drifts.first)
            #expect(drifts.count == 1)
            #expect(drift.sidecar == "drift/default" && drift.namespace == "drift")
            #expect(drift.pods == ["caller-6d8f7c9b5-q4r2t"])
            // Every destination of the caller is in shop or payments, outside ./*.
            #expect(!drift.newDependencies.isEmpty)
            for dependency in drift.newDependencies {
                #expect(dependency.kind == "not-imported", "\(dependency.host)")
                #expect(dependency.host.hasPrefix("shop/") || dependency.host.hasPrefix("payments/"), "\(dependency.host)")
                #expect(dependency.requests > 0)
                #expect(dependency.pods == ["caller-6d8f7c9b5-q4r2t"])
            }
            #expect(drift.trimCandidates.map(\.host) == ["drift/caller.drift.svc.cluster.local"])
            #expect(drift.trimCandidates.first?.clusters == 1)
            let suggested = Set(try #require(drift.suggestedHosts))
            for dependency in drift.newDependencies {
                // Imported by name, or by its namespace when the suggestion groups it (every shop service is called).
                let namespace = dependency.host.split(separator: "/").first.map(String.init) ?? ""
                #expect(suggested.contains(dependency.host) || suggested.contains("\(namespace)/*"), "\(dependency.host) in \(suggested)")
            }
            #expect(!suggested.contains("./*"))
            #expect(drift.diff.contains { $0.hasPrefix("-") && $0.contains("./*") })

            let table = try runProcess(
                [try meshtrimBinaryPath(), "drift", "-n", "drift"], environment: ["KUBECONFIG": lab.kubeconfig], timeout: .seconds(90))
            #expect(table.exitCode == 0, "\(table.stderr)")
            #expect(table.stdout.contains("NEW DEPENDENCIES"))
            #expect(table.stdout.contains("SUGGESTED UPDATE"))
        }
    }

    @Test(
        "drift --prometheus finds the same new dependencies and trim candidates as the sidecar's counters",
        .enabled(if: shouldRunTests(needing: "prometheus") && shouldRunTests(needing: "kubectl")))
    func prometheusAgreesWithCounters() async throws {
        try requireTool("prometheus")
        let caller = try ManifestLoader.load(paths: [Self.fixture]).inventory.pods.filter(\.hasSidecar)
        try #require(caller.count == 1)
        try await withLab(["--manifests", shopFixture, "--manifests", Self.fixture], envoy: true) { lab in
            let prometheus = try PrometheusRun(lab: lab, pods: caller)
            defer { prometheus.stop() }
            try await prometheus.waitUntilReady()
            let counters = try #require(try Self.drifts(["-n", "drift"], lab: lab).drifts.first)
            #expect(!counters.newDependencies.isEmpty)
            // Prometheus needs a few scrapes before increase() sees every destination.
            var viaPrometheus: Drift?
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let (result, drifts) = try Self.drifts(["-n", "drift", "--prometheus", prometheus.url, "--window", "5m"], lab: lab)
                #expect(result.exitCode == 0, "\(result.stderr)")
                viaPrometheus = drifts.first
                if Set(viaPrometheus?.newDependencies.map(\.host) ?? []) == Set(counters.newDependencies.map(\.host)) { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            let drift = try #require(viaPrometheus)
            #expect(Set(drift.newDependencies.map(\.host)) == Set(counters.newDependencies.map(\.host)), "\(prometheus.log)")
            #expect(drift.newDependencies.allSatisfy { $0.pods == ["caller-6d8f7c9b5-q4r2t"] })
            #expect(drift.trimCandidates.map(\.host) == counters.trimCandidates.map(\.host))
            #expect(drift.suggestedHosts == counters.suggestedHosts)
            #expect(drift.traffic.contains(prometheus.url) && drift.traffic.hasSuffix("over 5m"), "\(drift.traffic)")
        }
    }
}
