import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim clusters` on dumps that lack what istioctl's columns need (issue #11, item 7).
@Suite("CLI: clusters on masked and damaged dumps")
struct ClustersCLITests {
    func write(_ text: String) throws -> (URL, URL) {
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("dump.json")
        try Data(text.utf8).write(to: file)
        return (directory, file)
    }

    @Test func aNameMaskedDumpSaysTypeAndDestinationRuleAreUnknown() throws {
        let (directory, file) = try write("""
            {"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster",
            "cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"outbound|9080||reviews.default.svc.cluster.local"}}]}
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "clusters", "--config-dump", file.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("STATIC"))
        let row = result.stdout.split(separator: "\n").dropFirst().first.map { $0.split(separator: " ").map(String.init) }
        #expect(row == ["reviews.default.svc.cluster.local", "9080", "-", "outbound", "<unknown>", "<unknown>"])
        #expect(result.stderr.contains("cluster names only (mask=cluster.name)"))
    }

    @Test func aNumberAsClusterNameIsRefusedNamingTheFile() throws {
        let (directory, file) = try write("""
            {"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster","cluster":{"name":42}}]}
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "clusters", "--config-dump", file.path])
        #expect(result.exitCode == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(file.path): the config dump has a damaged cluster: configs[0].cluster.name is a number, expected a string"))
    }
}
