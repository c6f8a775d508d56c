import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import MeshtrimTestSupport
import Testing

/// `meshtrim check --cluster --prometheus` against the lab (the mesh of ``RecommendTests``) with a real Prometheus
/// scraping its sidecars: the plan passes, and once a host its pods call through Prometheus's eyes is removed, the
/// pods are named.
@Suite(.timeLimit(.minutes(4)))
struct CheckPrometheusTests {
    @Test(
        "check --prometheus: the plan passes; without one of its hosts the pods that call it fail the check",
        .enabled(if: shouldRunTests(needing: "prometheus") && shouldRunTests(needing: "kubectl")))
    func cutsFromPrometheus() async throws {
        try requireTool("prometheus")
        let scenario = try RecommendTests.scenario()
        try await withLab(RecommendTests.mesh, envoy: true) { lab in
            let prometheus = try PrometheusRun(lab: lab, pods: scenario.inventory.pods.filter { $0.hasSidecar })
            defer { prometheus.stop() }
            try await prometheus.waitUntilReady()
            // Wait until Prometheus has counted every namespace's destinations.
            let missing = try await prometheus.namespacesWithUncountedTraffic(of: scenario)
            try #require(missing.isEmpty, "Prometheus never saw all traffic of \(missing):\n\(prometheus.log)")

            let plan = "\(lab.directory)/plan"
            let traffic = ["--prometheus", prometheus.url, "--window", "5m"]
            let written = try RecommendTests.meshtrim(["plan", "--out", plan, "-o", "json"] + traffic, lab: lab)
            try #require(written.exitCode == 0, "\(written.stderr)")
            let passed = try RecommendTests.meshtrim(["check", plan, "--cluster"] + traffic, lab: lab)
            #expect(passed.exitCode == 0, "\(passed.stdout)\(passed.stderr)")

            // A namespace Sidecar of the plan keeping a service of another namespace: remove that host.
            let json = try OrderedJSON(parsing: Data(written.stdout.utf8))
            var target: (file: String, host: String, namespace: String)?
            for sidecar in json["sidecars"]?.arrayValue ?? [] where sidecar["kind"]?.stringValue == "namespace" {
                guard let namespace = sidecar["namespace"]?.stringValue, let name = sidecar["name"]?.stringValue,
                    case .number(let wave)? = sidecar["wave"]
                else { continue }
                let hosts = (sidecar["hosts"]?.arrayValue ?? []).compactMap(\.stringValue)
                if let host = hosts.first(where: { !$0.hasPrefix(".") && !$0.hasPrefix(namespace + "/") && !$0.hasSuffix("/*") }) {
                    target = ("\(plan)/wave-\(wave)/\(namespace)-\(name).yaml", host, namespace)
                    break
                }
            }
            let (file, host, namespace) = try #require(target, "the lab's traffic crosses namespaces: \(written.stdout)")
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let trimmed = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasSuffix("- " + host) }
                .joined(separator: "\n")
            try #require(trimmed != text, "\(text)")
            try trimmed.write(toFile: file, atomically: true, encoding: .utf8)
            let failed = try RecommendTests.meshtrim(["check", plan, "--cluster", "-o", "json"] + traffic, lab: lab)
            #expect(failed.exitCode == 1, "\(failed.stdout)\(failed.stderr)")
            let findings = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [[String: Any]])
            let cuts = findings.filter { $0["code"] as? String == "MT0001" }
            #expect(!cuts.isEmpty, "\(failed.stdout)")
            #expect(cuts.allSatisfy {
                $0["file"] as? String == file && $0["line"] as? Int == 2 && $0["destination"] as? String == host
                    && ($0["pod"] as? String)?.hasPrefix(namespace + "/") == true
            }, "\(failed.stdout)")
        }
    }
}
