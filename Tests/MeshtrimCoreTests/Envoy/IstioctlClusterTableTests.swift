import Foundation
import Testing

@testable import MeshtrimCore

/// `istioctl proxy-config clusters` output: goldens from istio/istio, sort order, filters, JSON.
@Suite("IstioctlClusterTable")
struct IstioctlClusterTableTests {
    static let summaryGoldens = [
        "istioctl/pkg/proxyconfig/testdata/config_dump_summary.txt",
        "istioctl/pkg/proxyconfig/testdata/config_dump_summary_withheaders.txt",
    ]

    /// The cluster table of an `istioctl pc all` golden: from its `NAME … SERVICE FQDN` header to the blank line.
    static func clusterSection(ofGolden path: String) throws -> String {
        let lines = try Fixtures.istioText(path).components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("NAME") && $0.contains("SERVICE FQDN") })
        let end = lines[start...].firstIndex(of: "") ?? lines.endIndex
        return lines[start..<end].joined(separator: "\n") + "\n"
    }

    static func waypointClusters() throws -> [EnvoyCluster] {
        try EnvoyConfigDump(data: Data(contentsOf: Fixtures.istio(EnvoyConfigDumpTests.waypointDump))).requireClusters()
    }

    @Test("pc all form matches istioctl's golden byte for byte", arguments: summaryGoldens)
    func allGolden(path: String) throws {
        let expected = try Self.clusterSection(ofGolden: path)
        let actual = IstioctlClusterTable(layout: .all).render(try Self.waypointClusters())
        #expect(actual == expected)
        #expect(Array(actual.utf8) == Array(expected.utf8))
    }

    @Test("proxy-config clusters form (the default) of the same dump")
    func clustersForm() throws {
        let expected = [
            "SERVICE FQDN                          PORT     SUBSET     DIRECTION       TYPE       DESTINATION RULE",
            "agent                                 -        -          -               STATIC     ",
            "httpbin.default.svc.cluster.local     8000     http       inbound-vip     EDS        ",
            "prometheus_stats                      -        -          -               STATIC     ",
        ].joined(separator: "\n") + "\n"
        #expect(IstioctlClusterTable().render(try Self.waypointClusters()) == expected)
        // It is the golden minus the NAME column, with special names unprefixed (same column widths here).
        let golden = try Self.clusterSection(ofGolden: Self.summaryGoldens[0])
        let derived = golden.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let withoutName = String(line.dropFirst(68))
            guard withoutName.hasPrefix("cluster/") else { return withoutName }
            let name = withoutName.dropFirst(8).prefix { $0 != " " }
            return name + String(repeating: " ", count: 8) + withoutName.dropFirst(8 + name.count)
        }.joined(separator: "\n")
        #expect(IstioctlClusterTable().render(try Self.waypointClusters()) == derived)
    }

    /// A realistic sidecar: the 37 names of the shared EDS dump, with istioctl's types.
    static func sidecarRows() throws -> [IstioctlClusterRow] {
        let dump = try EnvoyConfigDump(data: Data(contentsOf: Fixtures.istio(EnvoyConfigDumpTests.endpointDump)))
        let statics = dump.staticEndpointClusterNames.map { IstioctlClusterRow(name: $0, type: "STATIC") }
        let dynamics = dump.dynamicEndpointClusterNames.map { name -> IstioctlClusterRow in
            let type: String
            switch name {
            case "PassthroughCluster", "InboundPassthroughClusterIpv4": type = "ORIGINAL_DST"
            case "BlackHoleCluster": type = "STATIC"
            default: type = "EDS"
            }
            return IstioctlClusterRow(name: name, type: type)
        }
        return dynamics + statics
    }

    @Test("sort: inbound rows first, then uppercase specials, then hosts and lowercase specials in byte order")
    func sortOrder() throws {
        let names = IstioctlClusterTable.sorted(try Self.sidecarRows(), name: \.name).map(\.name)
        #expect(names.count == 37)
        #expect(names.first == "inbound|9080||")
        #expect(Array(names[1...3]) == ["BlackHoleCluster", "InboundPassthroughClusterIpv4", "PassthroughCluster"])
        #expect(names[4] == "agent")
        #expect(Array(names.suffix(3)) == ["outbound|80||sleep.default.svc.cluster.local", "xds-grpc", "zipkin"])
        // Same host: ports ascend numerically, not textually.
        let istiod = names.filter { $0.hasSuffix("|istiod.istio-system.svc.cluster.local") }
        #expect(istiod == ["443", "15010", "15012", "15014"].map { "outbound|\($0)||istiod.istio-system.svc.cluster.local" })
        let kubeDNS = names.filter { $0.hasSuffix("kube-dns.kube-system.svc.cluster.local") }
        #expect(kubeDNS == ["outbound|53||kube-dns.kube-system.svc.cluster.local", "outbound|9153||kube-dns.kube-system.svc.cluster.local"])
    }

    @Test("sort: subset before port, direction last, special names as their own FQDN")
    func sortKeys() {
        let names = [
            "outbound|9080|v2|reviews.default.svc.cluster.local",
            "outbound|9080||reviews.default.svc.cluster.local",
            "outbound|80|v1|reviews.default.svc.cluster.local",
            "inbound|9080||reviews.default.svc.cluster.local",
            "reviews.default.svc.cluster.local",
            "outbound_.9080_.v1_.reviews.default.svc.cluster.local",
            "inbound|8080||",
            "inbound|80||",
        ]
        let sorted = IstioctlClusterTable.sorted(names) { $0 }
        #expect(sorted == [
            "inbound|80||",
            "inbound|8080||",
            "outbound_.9080_.v1_.reviews.default.svc.cluster.local",  // special: its whole name sorts as an FQDN
            "reviews.default.svc.cluster.local",
            "inbound|9080||reviews.default.svc.cluster.local",  // same FQDN, no subset, same port: "inbound" < "outbound"
            "outbound|9080||reviews.default.svc.cluster.local",
            "outbound|80|v1|reviews.default.svc.cluster.local",
            "outbound|9080|v2|reviews.default.svc.cluster.local",
        ])
    }

    @Test(
        "filters are istioctl's substring tests on the name",
        arguments: [
            (ClusterFilter(), 37),
            (ClusterFilter(fqdn: "istiod"), 4),
            (ClusterFilter(fqdn: "istiod", port: 443), 1),
            (ClusterFilter(port: 9080), 5),  // 4 outbound on 9080 + inbound|9080||
            (ClusterFilter(port: 80), 3),  // |80| does not match |8000| or |9080|
            (ClusterFilter(direction: "inbound"), 1),  // case-sensitive: not InboundPassthroughClusterIpv4
            (ClusterFilter(direction: "outbound"), 28),
            (ClusterFilter(fqdn: "default", port: 9080, direction: "outbound"), 4),
            (ClusterFilter(subset: "v1"), 0),
            (ClusterFilter(fqdn: "Cluster"), 3),  // BlackHole, Passthrough, InboundPassthroughClusterIpv4
            (ClusterFilter(fqdn: "nothing-matches"), 0),
        ])
    func filters(filter: ClusterFilter, expectedRows: Int) throws {
        let table = IstioctlClusterTable(filter: filter).render(rows: try Self.sidecarRows())
        let lines = table.split(separator: "\n")
        #expect(lines.first?.hasPrefix("SERVICE FQDN") == true)  // the header survives an empty result
        #expect(lines.count - 1 == expectedRows, "\(table)")
    }

    @Test("filter matching edge cases")
    func filterMatching() {
        #expect(ClusterFilter(direction: "inbound").matches("outbound|80||inbound-gateway.ns.svc.cluster.local"))
        #expect(!ClusterFilter(direction: "inbound").matches("InboundPassthroughClusterIpv4"))
        #expect(ClusterFilter(port: 15001).matches("outbound|15001||x"))
        #expect(!ClusterFilter(port: 1500).matches("outbound|15001||x"))
        #expect(!ClusterFilter(port: 80).matches("outbound_.80_.v1_.x"))  // SNI names have no |80|
        #expect(!ClusterFilter(subset: "v1").isEmpty)
        #expect(ClusterFilter().isEmpty)
    }

    @Test("the sidecar table, full text")
    func sidecarTable() throws {
        let table = IstioctlClusterTable(filter: ClusterFilter(fqdn: "kube")).render(rows: try Self.sidecarRows())
        let expected = [
            "SERVICE FQDN                               PORT     SUBSET     DIRECTION     TYPE     DESTINATION RULE",
            "kube-dns.kube-system.svc.cluster.local     53       -          outbound      EDS      ",
            "kube-dns.kube-system.svc.cluster.local     9153     -          outbound      EDS      ",
            "kubernetes.default.svc.cluster.local       443      -          outbound      EDS      ",
        ].joined(separator: "\n") + "\n"
        #expect(table == expected)
    }

    @Test("special and inbound rows, DestinationRule column, unknown config paths")
    func rows() {
        let rows = [
            IstioctlClusterRow(name: "inbound|9080||", type: "EDS"),
            IstioctlClusterRow(name: "PassthroughCluster", type: "ORIGINAL_DST"),
            IstioctlClusterRow(name: "outbound|9080|v2|reviews.default.svc.cluster.local", type: "EDS",
                               destinationRule: "reviews.default"),
            IstioctlClusterRow(name: "outbound|443||api.example.com", type: "STRICT_DNS", destinationRule: "<unknown>"),
        ]
        let expected = [
            "SERVICE FQDN                          PORT     SUBSET     DIRECTION     TYPE             DESTINATION RULE",
            "                                      9080     -          inbound       EDS              ",
            "PassthroughCluster                    -        -          -             ORIGINAL_DST     ",
            "api.example.com                       443      -          outbound      STRICT_DNS       <unknown>",
            "reviews.default.svc.cluster.local     9080     v2         outbound      EDS              reviews.default",
        ].joined(separator: "\n") + "\n"
        #expect(IstioctlClusterTable().render(rows: rows) == expected)
    }

    @Test("predicted clusters print like the real ones")
    func predictedClusters() {
        let predicted = [
            PredictedCluster(
                name: "outbound|9080|v1|reviews.default.svc.cluster.local", serviceFQDN: "reviews.default.svc.cluster.local",
                port: 9080, subset: "v1", direction: .outbound, type: "EDS", destinationRule: "reviews.default",
                reason: .destinationRuleSubset("default/reviews", subset: "v1")),
            PredictedCluster(
                name: "BlackHoleCluster", serviceFQDN: "BlackHoleCluster", port: nil, subset: "", direction: .special,
                type: "STATIC", reason: .alwaysPresent("always")),
        ]
        let real = [
            EnvoyCluster(name: "BlackHoleCluster", type: "STATIC", origin: .dynamicActive),
            EnvoyCluster(name: "outbound|9080|v1|reviews.default.svc.cluster.local", type: "EDS",
                         destinationRule: "reviews.default", origin: .dynamicActive),
        ]
        #expect(IstioctlClusterTable().render(predicted) == IstioctlClusterTable().render(real))
        let all = IstioctlClusterTable(layout: .all).render(predicted)
        #expect(all.components(separatedBy: "cluster/BlackHoleCluster ").count == 3)  // NAME and SERVICE FQDN
    }

    @Test("DestinationRule column from metadata.filter_metadata.istio.config")
    func destinationRuleColumn() throws {
        func column(_ metadata: String) throws -> String {
            EnvoyCluster.destinationRuleColumn(metadata: try OrderedJSON(parsing: Data(metadata.utf8)))
        }
        #expect(try column(#"{"filter_metadata":{"istio":{"config":"/apis/networking.istio.io/v1alpha3/namespaces/default/destination-rule/productpage"}}}"#) == "productpage.default")
        #expect(try column(#"{"filterMetadata":{"istio":{"config":"/apis/networking.istio.io/v1alpha3/namespaces/bookinfo/destination-rule/reviews"}}}"#) == "reviews.bookinfo")
        // istioctl only knows the v1alpha3 prefix; anything else is <unknown>.
        #expect(try column(#"{"filter_metadata":{"istio":{"config":"/apis/networking.istio.io/v1/namespaces/default/destination-rule/x"}}}"#) == "<unknown>")
        // Right prefix, wrong number of segments: empty.
        #expect(try column(#"{"filter_metadata":{"istio":{"config":"/apis/networking.istio.io/v1alpha3/namespaces/default/destination-rule/x/y"}}}"#) == "")
        // Istio metadata without config (waypoints list services instead): empty.
        #expect(try column(#"{"filter_metadata":{"istio":{"services":[{"host":"ratings.default.svc.cluster.local"}]}}}"#) == "")
        #expect(try column(#"{"filter_metadata":{"envoy.lb":{"canary":true}}}"#) == "")
        // A non-string config reads as "" in istioctl, which renders as <unknown>.
        #expect(try column(#"{"filter_metadata":{"istio":{"config":7}}}"#) == "<unknown>")
        #expect(EnvoyCluster.destinationRuleColumn(metadata: nil) == "")
    }

    @Test("TYPE column: enum names, numbers, absent, custom cluster_type")
    func typeColumn() throws {
        func type(_ cluster: String) throws -> EnvoyCluster {
            EnvoyCluster(json: try OrderedJSON(parsing: Data(cluster.utf8)), origin: .dynamicActive)
        }
        #expect(try type(#"{"name":"a","type":"ORIGINAL_DST"}"#).type == "ORIGINAL_DST")
        #expect(try type(#"{"name":"a","type":3}"#).type == "EDS")
        #expect(try type(#"{"name":"a","type":42}"#).type == "42")
        #expect(try type(#"{"name":"a"}"#).type == "STATIC")
        let custom = try type(#"{"name":"a","cluster_type":{"name":"envoy.clusters.dynamic_forward_proxy"}}"#)
        #expect(custom.type == "STATIC")
        #expect(custom.customType == "envoy.clusters.dynamic_forward_proxy")
    }

    @Test("-o json: filtered, sorted, four-space indent, @type dropped, key order and numbers kept")
    func json() throws {
        let clusters = try Self.waypointClusters()
        let output = IstioctlClusterTable(filter: ClusterFilter(fqdn: "agent")).renderJSON(clusters)
        #expect(output.hasPrefix("[\n    {\n        \"name\": \"agent\",\n        \"type\": \"STATIC\",\n        \"connect_timeout\": \"0.250s\",\n"))
        #expect(output.hasSuffix("\n    }\n]\n"))
        #expect(output.contains("\"port_value\": 15020"))
        #expect(!output.contains("@type"))
        let reparsed = try OrderedJSON(parsing: Data(output.utf8))
        #expect(reparsed.arrayValue?.count == 1)

        let all = IstioctlClusterTable().renderJSON(clusters)
        let names = try OrderedJSON(parsing: Data(all.utf8)).arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["agent", "inbound-vip|8000|http|httpbin.default.svc.cluster.local", "prometheus_stats"])
        #expect(IstioctlClusterTable(filter: ClusterFilter(fqdn: "none")).renderJSON(clusters) == "[]\n")
    }
}
