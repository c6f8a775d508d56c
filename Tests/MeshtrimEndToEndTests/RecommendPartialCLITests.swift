import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimTestSupport
import Testing

/// `meshtrim recommend` on a snapshot in which some sidecar pods were captured without their figures: refused
/// (exit 1, pods named, nothing on standard output) unless `--allow-partial`, which marks every format.
@Suite("CLI: recommend --allow-partial")
struct RecommendPartialCLITests {
    let demoSnapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/meshtrim/Resources/demo-snapshot.json").path

    @Test("a namespace with an unread sidecar: exit 1 naming it; --allow-partial marks YAML, JSON and table")
    func unreadSidecars() throws {
        let analysis = MeshAnalysis(snapshot: try MeshSnapshot.load(from: demoSnapshot))
        let unread = analysis.pods.filter { $0.pod.hasSidecar && $0.observation == nil }
        let first = try #require(unread.first, "the demo should have a sidecar pod without figures")
        let namespace = first.pod.namespace
        let names = unread.filter { $0.pod.namespace == namespace }.map { "\(namespace)/\($0.pod.name)" }
        let binary = try meshtrimBinaryPath()

        let refused = try runProcess([binary, "recommend", "--snapshot", demoSnapshot, "-n", namespace])
        #expect(refused.exitCode == 1, "\(refused.stdout)")
        #expect(refused.stdout.isEmpty)
        for name in names { #expect(refused.stderr.contains(name), "\(name) not named: \(refused.stderr)") }
        #expect(refused.stderr.contains("--allow-partial"))

        let yaml = try runProcess([binary, "recommend", "--snapshot", demoSnapshot, "-n", namespace, "--allow-partial"])
        #expect(yaml.exitCode == 0, "\(yaml.stderr)")
        #expect(yaml.stdout.split(separator: "\n").first?.hasPrefix("# PARTIAL: \(names.count) of ") == true, "\(yaml.stdout.prefix(300))")

        let table = try runProcess([binary, "recommend", "--snapshot", demoSnapshot, "-n", namespace, "--allow-partial", "-o", "table"])
        #expect(table.exitCode == 0, "\(table.stderr)")
        #expect(table.stdout.split(separator: "\n").first?.hasPrefix("PARTIAL: \(names.count) of ") == true, "\(table.stdout.prefix(300))")

        let json = try runProcess([binary, "recommend", "--snapshot", demoSnapshot, "-n", namespace, "--allow-partial", "-o", "json"])
        #expect(json.exitCode == 0, "\(json.stderr)")
        let members = try #require(try OrderedJSON(parsing: Data(json.stdout.utf8)).objectMembers)
        #expect(members.map(\.key).prefix(5) == ["hosts", "unknownDestinations", "sidecar", "partial", "partialReason"])
        #expect(members.first { $0.key == "partial" }?.value == .bool(true))
    }
}
