import Foundation
import Testing

@testable import MeshtrimCore

/// A dump masked to cluster names says TYPE and DESTINATION RULE are unknown, and a cluster whose name is not a
/// string is refused instead of printing an empty row (issue #11, item 7).
@Suite("Masked cluster dumps")
struct MaskedClusterDumpTests {
    static let masked = """
        {"configs":[
         {"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster",
          "cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"outbound|9080||reviews.default.svc.cluster.local"}},
         {"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster",
          "cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"BlackHoleCluster"},
          "version_info":"10","last_updated":"2026-11-27T06:00:35.214Z"}
        ]}
        """

    @Test func aNameMaskedDumpPrintsUnknownTypeAndDestinationRule() throws {
        let dump = try EnvoyConfigDump(data: Data(Self.masked.utf8))
        #expect(dump.isMaskedToNames)
        let rows = IstioctlClusterTable.rows(of: dump)
        #expect(rows.map(\.type) == ["<unknown>", "<unknown>"])
        #expect(rows.map(\.destinationRule) == ["<unknown>", "<unknown>"])
        let table = IstioctlClusterTable().render(rows: rows)
        #expect(!table.contains("STATIC"))
        #expect(table.contains("reviews.default.svc.cluster.local"))
    }

    @Test func aRealDumpIsNotMaskedAndKeepsIstioctlsColumns() throws {
        let data = try Data(contentsOf: Fixtures.istio("istioctl/pkg/describe/testdata/describe/http_config.json"))
        let dump = try EnvoyConfigDump(data: data)
        #expect(!dump.isMaskedToNames)
        #expect(IstioctlClusterTable.rows(of: dump) == dump.clusters.map(IstioctlClusterRow.init))
        #expect(IstioctlClusterTable.rows(of: dump).contains { $0.type == "EDS" })
    }

    @Test(arguments: [
        (#"{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster","cluster":{"name":42}}]}"#,
         "configs[0].cluster.name is a number, expected a string"),
        (#"{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","static_clusters":[{"cluster":{"name":"agent"}},{"cluster":{"name":["x"]}}]}]}"#,
         "configs[0].static_clusters[1].cluster.name is an array, expected a string"),
    ])
    func aClusterNameThatIsNotAStringIsRefused(_ text: String, _ message: String) throws {
        let error = try #require(throws: EnvoyConfigDumpError.self) { try EnvoyConfigDump(data: Data(text.utf8)) }
        #expect("\(error)".contains(message))
    }
}
