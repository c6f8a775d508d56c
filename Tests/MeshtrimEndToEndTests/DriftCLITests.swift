import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim drift` and `meshtrim clusters --predicted --why` on the bundled demo, through the real binary.
@Suite("CLI: drift and predicted clusters on the demo")
struct DriftCLITests {
    struct Drift: Decodable {
        struct Candidate: Decodable {
            var host: String
            var importedBecause: String
            var clusters: Int
            var bytesPerProxy: Int
            var totalBytes: Int
        }
        var namespace: String
        var sidecar: String
        var pods: [String]
        var drift: Bool
        var newDependencies: [[String: JSONAny]]
        var trimCandidates: [Candidate]
        var trimmableClusters: Int
        var suggestedSidecar: String?
        var diff: [String]
    }

    /// Any JSON value (the test only counts new dependencies).
    struct JSONAny: Decodable {
        init(from decoder: Decoder) throws {}
    }

    static func drifts(_ arguments: [String]) throws -> [Drift] {
        let result = try runProcess([try meshtrimBinaryPath(), "drift", "--demo", "-o", "json"] + arguments)
        #expect(result.exitCode == 0, "\(result.stderr)")
        return try JSONDecoder().decode([Drift].self, from: Data(result.stdout.utf8))
    }

    @Test("The demo's two Sidecars in effect: messaging/default imports unused services (with their cost), reporting-api has no drift")
    func demoDrift() throws {
        let drifts = try Self.drifts([])
        #expect(drifts.map(\.sidecar) == ["messaging/default", "reporting/reporting-api"])
        let messaging = try #require(drifts.first)
        #expect(messaging.drift)
        #expect(!messaging.trimCandidates.isEmpty)
        for candidate in messaging.trimCandidates {
            #expect(candidate.host.hasPrefix("messaging/"))
            #expect(candidate.importedBecause == "egress host ./*")
            #expect(candidate.clusters > 0)
            #expect(candidate.totalBytes == candidate.bytesPerProxy * messaging.pods.count)
        }
        #expect(messaging.trimmableClusters == messaging.trimCandidates.reduce(0) { $0 + $1.clusters })
        #expect(messaging.diff.first == "--- messaging/default (in the mesh)")
        #expect(messaging.diff.contains("-    - \"./*\""))
        let reporting = try #require(drifts.last)
        #expect(!reporting.drift && reporting.newDependencies.isEmpty && reporting.trimCandidates.isEmpty)
        #expect(reporting.diff.isEmpty)

        // -n keeps one namespace; the suggested Sidecar passes Istio's webhook rules.
        #expect(try Self.drifts(["-n", "messaging"]).map(\.sidecar) == ["messaging/default"])
        let suggested = try #require(messaging.suggestedSidecar)
        let validation = try runProcess([try meshtrimBinaryPath(), "validate", "-"], stdin: suggested)
        #expect(validation.exitCode == 0, "\(validation.stdout)\(validation.stderr)")
    }

    @Test("The table names each section, the trim cost and the suggested update")
    func demoTable() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "drift", "--demo"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Sidecar messaging/default in messaging: 32 pods, traffic from sidecar counters"))
        #expect(result.stdout.contains("TRIM CANDIDATES (imported, no traffic): "))
        #expect(result.stdout.contains("SUGGESTED UPDATE (recommend's decision applied to the Sidecar as it is)\n  --- messaging/default (in the mesh)"))
        #expect(result.stdout.contains("Sidecar reporting/reporting-api in reporting: 2 pods"))
        #expect(result.stdout.contains("SUGGESTED UPDATE: none, the Sidecar imports what its pods use"))
    }

    @Test("clusters --predicted --why on a demo pod: istioctl's columns plus the engine's reason for every cluster")
    func predictedWhy() throws {
        let pod = "reporting-api-s6949bxdbt-gkztp"
        let binary = try meshtrimBinaryPath()
        let why = try runProcess([binary, "clusters", pod, "-n", "reporting", "--demo", "--predicted", "--why"])
        #expect(why.exitCode == 0, "\(why.stderr)")
        let lines = why.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("SERVICE FQDN") == true && lines.first?.hasSuffix("WHY") == true)
        #expect(why.stdout.contains("egress host notifications/notifications-api.notifications.svc.cluster.local"))
        #expect(why.stdout.contains("static: Istio bootstrap"))
        #expect(!why.stdout.contains("not predicted"))
        let plain = try runProcess([binary, "clusters", pod, "-n", "reporting", "--demo", "--predicted"])
        #expect(plain.exitCode == 0)
        #expect(plain.stdout.split(separator: "\n").count == lines.count)
        #expect(plain.stdout.hasPrefix("SERVICE FQDN     "))
        #expect(!plain.stdout.contains("WHY"))
        // POD.NAMESPACE, as istioctl takes it, names the same pod (and wins over -n).
        let dotted = try runProcess([binary, "clusters", "\(pod).reporting", "-n", "elsewhere", "--demo", "--predicted"])
        #expect(dotted.exitCode == 0, "\(dotted.stderr)")
        #expect(dotted.stdout == plain.stdout)
    }
}
