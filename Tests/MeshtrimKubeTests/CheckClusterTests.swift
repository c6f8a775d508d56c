import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimTestSupport
import Testing

/// `meshtrim check --cluster --drift` on the lab: the Sidecars under PATH are compared with the live ones
/// (docs/check.md).
@Suite(.timeLimit(.minutes(3)))
struct CheckClusterTests {
    @Test("--drift against the live cluster: the live Sidecar as it is shows no drift, one more host does", .enabled(if: shouldRunTests(needing: "kubectl")))
    func driftAgainstTheLiveCluster() async throws {
        try await withLab(ObservationTests.mesh, envoy: false) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let inventory = try await session.loadInventory().inventory
            await session.shutdown()
            let live = try #require(inventory.sidecars.first { !$0.egress.isEmpty }, "the generated mesh scopes two namespaces")
            let same = "\(lab.directory)/same.yaml"
            let changed = "\(lab.directory)/changed.yaml"
            let yaml = SidecarManifest.yaml(of: live)
            try yaml.write(toFile: same, atomically: true, encoding: .utf8)
            let edited = yaml.replacingOccurrences(of: "  - hosts:\n", with: "  - hosts:\n    - \"meshtrim-drift/*\"\n")
            try #require(edited != yaml, "\(yaml)")
            try edited.write(toFile: changed, atomically: true, encoding: .utf8)

            let unchanged = try runProcess(
                [try meshtrimBinaryPath(), "check", same, "--cluster", "--drift", "-o", "json"], environment: ["KUBECONFIG": lab.kubeconfig],
                timeout: .seconds(90))
            #expect(unchanged.exitCode != 2, "\(unchanged.stderr)")
            let first = try #require(try JSONSerialization.jsonObject(with: Data(unchanged.stdout.utf8)) as? [[String: Any]], "\(unchanged.stdout)")
            #expect(!first.contains { $0["code"] as? String == "MT0202" }, "\(unchanged.stdout)")

            let drifted = try runProcess(
                [try meshtrimBinaryPath(), "check", changed, "--cluster", "--drift"], environment: ["KUBECONFIG": lab.kubeconfig],
                timeout: .seconds(90))
            let lines = drifted.stdout.split(separator: "\n").map(String.init)
            let drift = try #require(lines.first { $0.contains("[MT0202]") }, "\(drifted.stdout)\(drifted.stderr)")
            let hostLine = try #require(edited.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("meshtrim-drift/*") })
            #expect(drift.hasPrefix("\(changed):\(hostLine + 1): warning [MT0202] differs from Sidecar \(live.meta.qualifiedName) in "), "\(drift)")
            #expect(drift.contains("only here: meshtrim-drift/*"), "\(drift)")
        }
    }
}
