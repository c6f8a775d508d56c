import Foundation
import Testing

@testable import MeshtrimCore

/// Reading Envoy admin `/config_dump` JSON: real dumps from istio/istio, masked shapes, and broken input.
@Suite("EnvoyConfigDump")
struct EnvoyConfigDumpTests {
    static let waypointDump = "istioctl/pkg/proxyconfig/testdata/config_dump.json"
    static let endpointDump = "istioctl/pkg/writer/envoy/configdump/testdata/endpoint/configdump.json"
    static let compareDump = "istioctl/pkg/writer/compare/testdata/configdump.json"
    static let describeDump = "istioctl/pkg/describe/testdata/describe/http_config.json"

    static func load(_ path: String) throws -> EnvoyConfigDump {
        try EnvoyConfigDump(data: Data(contentsOf: Fixtures.istio(path)))
    }

    /// What each real dump must yield.
    struct Expectation: Sendable, CustomTestStringConvertible {
        var path: String
        var sections: [String]
        var dynamicClusters: [String]
        var staticClusters: [String]
        var testDescription: String { path }
    }

    static let expectations: [Expectation] = [
        Expectation(
            path: waypointDump,
            sections: ["Bootstrap", "Clusters", "Endpoints", "Listeners", "ScopedRoutes", "Routes", "Secrets"]
                .map { "type.googleapis.com/envoy.admin.v3.\($0)ConfigDump" },
            dynamicClusters: ["inbound-vip|8000|http|httpbin.default.svc.cluster.local"],
            staticClusters: ["agent", "prometheus_stats"]),
        Expectation(
            path: compareDump,
            sections: ["Clusters", "Listeners", "Routes"].map { "type.googleapis.com/envoy.admin.v3.\($0)ConfigDump" },
            dynamicClusters: ["inbound-vip|9080|http|ratings.default.svc.cluster.local"],
            staticClusters: []),
    ]

    @Test("real dumps: sections, cluster names, static vs dynamic", arguments: expectations)
    func realDump(_ expected: Expectation) throws {
        let dump = try Self.load(expected.path)
        #expect(dump.sectionTypes == expected.sections)
        #expect(dump.hasClusterSection)
        let clusters = try dump.requireClusters()
        #expect(clusters.filter { !$0.isStatic }.map(\.name) == expected.dynamicClusters)
        #expect(clusters.filter(\.isStatic).map(\.name) == expected.staticClusters)
        // istioctl's order before sorting: dynamic, then static.
        #expect(clusters.map(\.name) == expected.dynamicClusters + expected.staticClusters)
    }

    @Test("waypoint dump: types, no DestinationRule, original JSON kept")
    func waypointDetails() throws {
        let clusters = try Self.load(Self.waypointDump).requireClusters()
        #expect(clusters.map(\.type) == ["EDS", "STATIC", "STATIC"])
        #expect(clusters.allSatisfy { $0.destinationRule.isEmpty })
        #expect(clusters.allSatisfy { $0.customType == nil })
        let agent = try #require(clusters.first { $0.name == "agent" })
        #expect(agent.json["connect_timeout"] == .string("0.250s"))
        #expect(agent.json["@type"]?.stringValue == "type.googleapis.com/envoy.config.cluster.v3.Cluster")
    }

    @Test("endpoint-only dump: 5 static + 32 dynamic cluster names, and no clusters section")
    func endpointOnlyDump() throws {
        let dump = try Self.load(Self.endpointDump)
        #expect(!dump.hasClusterSection)
        #expect(dump.hasEndpointSection)
        #expect(dump.staticEndpointClusterNames == ["zipkin", "sds-grpc", "agent", "xds-grpc", "prometheus_stats"])
        #expect(dump.dynamicEndpointClusterNames.count == 32)
        #expect(Set(dump.dynamicEndpointClusterNames).count == 32)
        for name in ["BlackHoleCluster", "PassthroughCluster", "inbound|9080||", "InboundPassthroughClusterIpv4",
                     "outbound|9080||reviews.default.svc.cluster.local",
                     "outbound|443||kubernetes.default.svc.cluster.local"] {
            #expect(dump.dynamicEndpointClusterNames.contains(name), "\(name)")
        }
        let outbound = dump.dynamicEndpointClusterNames.filter { $0.hasPrefix("outbound|") }
        #expect(outbound.count == 28)
        #expect(dump.clusterNames.count == 37)
        #expect(throws: EnvoyConfigDumpError.noClusterSection(
            presentSections: ["type.googleapis.com/envoy.admin.v3.EndpointsConfigDump"])) {
            try dump.requireClusters()
        }
        let message = EnvoyConfigDumpError.noClusterSection(presentSections: dump.sectionTypes).description
        #expect(message.contains("no clusters section"))
        #expect(message.contains("EndpointsConfigDump"))
    }

    /// `istioctl x describe`'s own test input (istio/istio `istioctl/pkg/describe/describe_test.go` reads
    /// `testdata/describe/http_config.json`), vendored under Tests/Fixtures/istio.
    @Test("describe dump: the productpage v1 subset cluster shows its DestinationRule")
    func describeDumpDestinationRule() throws {
        let clusters = try Self.load(Self.describeDump).requireClusters()
        let subset = try #require(clusters.first { $0.name == "outbound|9080|v1|productpage.default.svc.cluster.local" })
        #expect(subset.destinationRule == "productpage.default")
        let row = IstioctlClusterRow(subset)
        #expect(row.cells == ["productpage.default.svc.cluster.local", "9080", "v1", "outbound", subset.type,
                              "productpage.default"])
    }

    @Test("masked ?resource=…&mask=cluster.name shape (per-cluster configs entries)")
    func maskedShape() throws {
        let text = """
            {"configs":[
             {"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster",
              "cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"outbound|80||svc-0.ns-0.svc.cluster.local"}},
             {"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.StaticCluster",
              "cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"prometheus_stats"}},
             {"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster",
              "cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"BlackHoleCluster"},
              "version_info":"10","last_updated":"2026-11-27T06:00:35.214Z"}
            ]}
            """
        let dump = try EnvoyConfigDump(data: Data(text.utf8))
        let clusters = try dump.requireClusters()
        #expect(clusters.map(\.name) == ["outbound|80||svc-0.ns-0.svc.cluster.local", "BlackHoleCluster", "prometheus_stats"])
        #expect(clusters.map(\.origin) == [.dynamicActive, .dynamicActive, .static])
        // The mask dropped `type`: protobuf's zero value, STATIC, is what istioctl would print.
        #expect(clusters.allSatisfy { $0.type == "STATIC" })
    }

    @Test("istioctl's mask form, camelCase keys, warming clusters ignored, unknown sections and fields skipped")
    func fieldVariants() throws {
        let text = """
            {"unknown": 1, "configs": [
              {"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", "dynamic_listeners": []},
              {"novelty": true},
              {"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
               "dynamicWarmingClusters": [{"cluster": {"name": "outbound|1||warming.ns.svc.cluster.local"}}],
               "dynamicActiveClusters": [{"cluster": {"name": "outbound|9080||a.ns.svc.cluster.local", "type": "EDS",
                  "metadata": {"filterMetadata": {"istio": {"config": "/apis/networking.istio.io/v1alpha3/namespaces/ns/destination-rule/a"}}}}},
                  {"version_info": "no cluster here"}],
               "staticClusters": [{"cluster": {"name": "xds-grpc", "type": 1}}]}
            ]}
            """
        let dump = try EnvoyConfigDump(data: Data(text.utf8))
        #expect(dump.sectionTypes.count == 3)
        #expect(dump.sectionTypes[1] == "(no @type)")
        #expect(dump.warmingClusterCount == 1)
        let clusters = try dump.requireClusters()
        #expect(clusters.map(\.name) == ["outbound|9080||a.ns.svc.cluster.local", "xds-grpc"])
        #expect(clusters.map(\.type) == ["EDS", "STRICT_DNS"])
        #expect(clusters[0].destinationRule == "a.ns")
    }

    @Test("a clusters section without clusters, and the empty dump Envoy returns when a filter matches nothing")
    func emptyDumps() throws {
        let emptySection = try EnvoyConfigDump(
            data: Data(#"{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump"}]}"#.utf8))
        #expect(throws: EnvoyConfigDumpError.noClusters) { try emptySection.requireClusters() }
        #expect(EnvoyConfigDumpError.noClusters.description.hasPrefix("no clusters found"))

        let nothing = try EnvoyConfigDump(data: Data("{}".utf8))
        #expect(throws: EnvoyConfigDumpError.noClusterSection(presentSections: [])) { try nothing.requireClusters() }
        #expect(EnvoyConfigDumpError.noClusterSection(presentSections: []).description.contains("{}"))
    }

    /// Truncating a real dump anywhere must give a truncation error with the exact offset, never a crash.
    @Test("truncated dumps report the byte offset", arguments: [1, 2, 100, 1_000, 10_000, 30_000, 56_000])
    func truncated(length: Int) throws {
        let data = try Data(contentsOf: Fixtures.istio(Self.waypointDump))
        let prefix = data.prefix(length)
        do {
            _ = try EnvoyConfigDump(data: prefix)
            Issue.record("a truncated dump parsed")
        } catch {
            guard case .invalidJSON(let jsonError) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(jsonError.isTruncation)
            #expect(jsonError.offset == prefix.count)
            #expect(error.description.contains("at byte \(prefix.count)"))
            #expect(error.description.contains("truncated"))
        }
    }

    /// Garbage of every kind is an error with a message, never a crash.
    @Test(
        "garbage is rejected with a clear message",
        arguments: [
            ("", "the input is empty"),
            ("   \n", "the input is empty"),
            ("<html><body>503 Service Unavailable</body></html>", "unexpected '<' at byte 0 (line 1, column 1)"),
            ("{\"configs\": [}", "unexpected '}' at byte 13"),
            ("{\"configs\": []} trailing", "unexpected data after the end of the JSON value at byte 16"),
            ("{\"a\": 01}", "unexpected '1' at byte 7 (line 1, column 8), expected ',' or '}'"),
            ("{\"a\": -}", "malformed number at byte 7"),
            ("{\"a\": 1.e5}", "malformed number at byte 8"),
            ("{\"a\": \"\\x\"}", "invalid escape"),
            ("{\"a\": \"tab\there\"}", "raw control character"),
            ("{'a': 1}", "expected a member name in double quotes"),
            ("{\"a\" 1}", "expected ':'"),
            ("[1, 2", "unexpected end of input while reading ',' or ']' at byte 5"),
            ("\n\n  {\"a\": tru}", "unexpected '}' at byte 13 (line 3, column 12), expected 'true'"),
            (String(repeating: "[", count: 600), "nested more than 512 deep"),
        ])
    func garbage(input: String, message: String) {
        do {
            _ = try EnvoyConfigDump(data: Data(input.utf8))
            Issue.record("garbage parsed: \(input.prefix(40))")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("JSON that is not a config dump")
    func wrongShape() {
        #expect(throws: EnvoyConfigDumpError.notAConfigDump("the top-level value is an array, not an object")) {
            try EnvoyConfigDump(data: Data("[]".utf8))
        }
        #expect(throws: EnvoyConfigDumpError.notAConfigDump("\"configs\" is a string, not an array")) {
            try EnvoyConfigDump(data: Data(#"{"configs": "x"}"#.utf8))
        }
    }

    /// Parsing and printing a 5,000-cluster dump stays well under a second even in a debug build.
    @Test("5,000 clusters parse, sort and print quickly")
    func performance() throws {
        var text = #"{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","dynamic_active_clusters":["#
        for index in 0..<5_000 {
            if index > 0 { text += "," }
            text += """
                {"version_info":"2026-01-01T00:00:00Z/\(index)","cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster",\
                "name":"outbound|\(8000 + index % 7)||svc-\(index).ns-\(index % 50).svc.cluster.local","type":"EDS",\
                "eds_cluster_config":{"eds_config":{"ads":{},"initial_fetch_timeout":"0s","resource_api_version":"V3"},\
                "service_name":"outbound|\(8000 + index % 7)||svc-\(index).ns-\(index % 50).svc.cluster.local"},\
                "connect_timeout":"10s","circuit_breakers":{"thresholds":[{"max_connections":4294967295,"max_pending_requests":4294967295,\
                "max_requests":4294967295,"max_retries":4294967295,"track_remaining":true}]},\
                "metadata":{"filter_metadata":{"istio":{"services":[{"host":"svc-\(index).ns.svc.cluster.local","name":"svc-\(index)","namespace":"ns"}]}}}},\
                "last_updated":"2026-01-01T00:00:00.000Z"}
                """
        }
        text += "]}]}"
        let data = Data(text.utf8)
        // Speed is measured by `meshtrim bench`, not asserted here; this checks the big dump is read completely.
        let clusters = try EnvoyConfigDump(data: data).requireClusters()
        let output = IstioctlClusterTable().render(clusters)
        #expect(output.split(separator: "\n").count == 5_001)
    }
}
