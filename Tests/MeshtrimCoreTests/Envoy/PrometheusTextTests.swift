import Foundation
import Testing

@testable import MeshtrimCore

/// Prometheus text exposition as Envoy (`:15090/stats/prometheus`) and pilot-agent (`:15020`) emit it.
@Suite("PrometheusText")
struct PrometheusTextTests {
    /// A realistic sidecar scrape, shaped after kubernetes-and-envoy.md §4.4–§4.6 and §5.1: Envoy's empty `{}`
    /// label sets, Istio's standard metrics with their full label sets, a histogram, a pilot-agent metric.
    static let sidecarScrape = """
        # TYPE envoy_cluster_manager_active_clusters gauge
        envoy_cluster_manager_active_clusters{} 101
        # TYPE envoy_cluster_manager_warming_clusters gauge
        envoy_cluster_manager_warming_clusters{} 0
        # TYPE envoy_server_memory_allocated gauge
        envoy_server_memory_allocated{} 8788032
        # TYPE envoy_server_memory_heap_size gauge
        envoy_server_memory_heap_size{} 12582912
        # TYPE envoy_server_memory_physical_size gauge
        envoy_server_memory_physical_size{} 15657790
        # TYPE envoy_cluster_manager_cds_update_duration histogram
        envoy_cluster_manager_cds_update_duration_bucket{le="0.5"} 0
        envoy_cluster_manager_cds_update_duration_bucket{le="1"} 0
        envoy_cluster_manager_cds_update_duration_bucket{le="10"} 1
        envoy_cluster_manager_cds_update_duration_bucket{le="+Inf"} 1
        envoy_cluster_manager_cds_update_duration_sum{} 5.5
        envoy_cluster_manager_cds_update_duration_count{} 1
        # TYPE istio_requests_total counter
        istio_requests_total{reporter="source",source_workload="productpage-v1",source_canonical_service="productpage",source_canonical_revision="v1",source_workload_namespace="bookinfo",source_principal="spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",source_app="productpage",source_version="v1",source_cluster="Kubernetes",destination_workload="reviews-v1",destination_workload_namespace="bookinfo",destination_principal="spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews",destination_app="reviews",destination_version="v1",destination_service="reviews.bookinfo.svc.cluster.local",destination_canonical_service="reviews",destination_canonical_revision="v1",destination_service_name="reviews",destination_service_namespace="bookinfo",destination_cluster="Kubernetes",request_protocol="http",response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="unknown"} 40
        istio_requests_total{reporter="source",source_workload="productpage-v1",destination_workload="reviews-v1",destination_service="reviews.bookinfo.svc.cluster.local",destination_service_name="reviews",destination_service_namespace="bookinfo",request_protocol="http",response_code="503",response_flags="UF"} 2
        istio_requests_total{reporter="source",source_workload="productpage-v1",destination_workload="reviews-v2",destination_service="reviews.bookinfo.svc.cluster.local",destination_service_name="reviews",destination_service_namespace="bookinfo",request_protocol="http",response_code="200",response_flags="-"} 18
        istio_requests_total{reporter="source",source_workload="productpage-v1",destination_workload="details-v1",destination_service="details.bookinfo.svc.cluster.local",destination_service_name="details",destination_service_namespace="bookinfo",request_protocol="http",response_code="200",response_flags="-"} 60
        istio_requests_total{reporter="source",source_workload="productpage-v1",destination_workload="unknown",destination_service="httpbin.org",destination_service_name="PassthroughCluster",destination_service_namespace="unknown",request_protocol="http",response_code="200",response_flags="-"} 5
        istio_requests_total{reporter="destination",source_workload="istio-ingressgateway",destination_workload="productpage-v1",destination_service="productpage.bookinfo.svc.cluster.local",destination_service_name="productpage",destination_service_namespace="bookinfo",request_protocol="http",response_code="200",response_flags="-"} 60
        # TYPE istio_tcp_connections_opened_total counter
        istio_tcp_connections_opened_total{reporter="source",source_workload="productpage-v1",destination_workload="mysqldb-v1",destination_service="mysqldb.bookinfo.svc.cluster.local",destination_service_name="mysqldb",destination_service_namespace="bookinfo",request_protocol="tcp",response_flags="-"} 3
        # TYPE istio_request_duration_milliseconds histogram
        istio_request_duration_milliseconds_bucket{reporter="source",destination_service="reviews.bookinfo.svc.cluster.local",le="0.5"} 0
        istio_request_duration_milliseconds_bucket{reporter="source",destination_service="reviews.bookinfo.svc.cluster.local",le="+Inf"} 60
        istio_request_duration_milliseconds_sum{reporter="source",destination_service="reviews.bookinfo.svc.cluster.local"} 1234.5
        istio_request_duration_milliseconds_count{reporter="source",destination_service="reviews.bookinfo.svc.cluster.local"} 60
        # HELP istio_agent_go_goroutines Number of goroutines that currently exist.
        # TYPE istio_agent_go_goroutines gauge
        istio_agent_go_goroutines 42

        """

    @Test("a realistic sidecar scrape parses completely")
    func sidecarScrape() throws {
        let text = PrometheusText(parsing: Self.sidecarScrape)
        #expect(text.problems.isEmpty, "\(text.problems)")
        #expect(text.samples.count == 23)
        #expect(text.firstSample(named: "envoy_cluster_manager_active_clusters")?.value == 101)
        #expect(text.firstSample(named: "envoy_cluster_manager_active_clusters")?.labels.isEmpty == true)
        #expect(text.types["istio_requests_total"] == .counter)
        #expect(text.types.count == 10)
        #expect(text.help["istio_agent_go_goroutines"] == "Number of goroutines that currently exist.")
        let buckets = text.samples(named: "envoy_cluster_manager_cds_update_duration_bucket")
        #expect(buckets.map { $0[label: "le"] } == ["0.5", "1", "10", "+Inf"])
        #expect(text.type(ofSampleNamed: "envoy_cluster_manager_cds_update_duration_bucket") == .histogram)
        #expect(text.type(ofSampleNamed: "istio_request_duration_milliseconds_sum") == .histogram)
        #expect(text.type(ofSampleNamed: "envoy_server_memory_allocated") == .gauge)
        #expect(text.type(ofSampleNamed: "nothing_count") == nil)
        let first = try #require(text.samples(named: "istio_requests_total").first)
        #expect(first.labels.count == 25)
        #expect(first[label: "grpc_response_status"] == "")
        #expect(first[label: "source_principal"] == "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage")
    }

    @Test("values, timestamps, escapes, whitespace, CRLF, trailing comma")
    func syntax() throws {
        let text = PrometheusText(parsing: [
            #"a{} NaN"#,
            #"b +Inf"#,
            #"c{x="y"} -Inf 1712345678901"#,
            #"d{path="C:\\dir\\file",quote="say \"hi\"",multi="line1\nline2"} 1.5e3"#,
            "  e{x=\"1\",} 2  \r",
            "f\t{ x = \"2\" }\t3",
            "# HELP g A \\\\ backslash\\nand a newline",
            "# a plain comment",
            "#",
            "g:sub_total 7",
        ].joined(separator: "\n"))
        #expect(text.problems.isEmpty, "\(text.problems)")
        #expect(text.samples.map(\.name) == ["a", "b", "c", "d", "e", "f", "g:sub_total"])
        #expect(text.samples[0].value.isNaN)
        #expect(text.samples[1].value == .infinity)
        #expect(text.samples[2].value == -.infinity)
        #expect(text.samples[2].timestamp == 1_712_345_678_901)
        #expect(text.samples[3][label: "path"] == #"C:\dir\file"#)
        #expect(text.samples[3][label: "quote"] == #"say "hi""#)
        #expect(text.samples[3][label: "multi"] == "line1\nline2")
        #expect(text.samples[3].value == 1500)
        #expect(text.samples[4].labels == ["x": "1"])
        #expect(text.samples[5].labels == ["x": "2"])
        #expect(text.help["g"] == "A \\ backslash\nand a newline")
        #expect(text.samples[0].integerValue == nil)
        #expect(text.samples[3].integerValue == 1500)
    }

    @Test(
        "garbage lines are reported with their line number and skipped; good lines around them survive",
        arguments: [
            ("garbage line", "value \"line\" is not a number"),
            ("{bad} 1", "not a metric name"),
            ("9metric 1", "not a metric name"),
            (#"m{a="unterminated} 1"#, "unterminated label value"),
            (#"m{a=b} 1"#, "label a has no quoted value"),
            (#"m{a="x" b="y"} 1"#, "expected ',' or '}' after label a"),
            (#"m{a="\q"} 1"#, #"invalid escape \q"#),
            (#"m{a="x""#, "expected ',' or '}' after label a"),
            (#"m{a="x","#, "unterminated label set"),
            (#"m{="x"} 1"#, "bad label name"),
            (#"m{a "x"} 1"#, "expected '=' after label a"),
            ("m", "missing value"),
            ("m{}", "missing value"),
            ("m 1 2 3", "unexpected text after the value"),
            ("m 1 later", "timestamp \"later\" is not an integer"),
            ("# TYPE m bogus", "unknown metric type \"bogus\""),
            ("# TYPE", "# TYPE without a metric name"),
            ("\u{0}\u{1}\u{7F}", "not a metric name"),
            ("<html><body>404</body></html>", "not a metric name"),
        ])
    func garbage(line: String, reason: String) throws {
        let text = PrometheusText(parsing: "before 1\n\(line)\nafter 2\n")
        #expect(text.samples.map(\.name) == ["before", "after"])
        let problem = try #require(text.problems.first)
        #expect(text.problems.count == 1)
        #expect(problem.line == 2)
        #expect(problem.reason == reason)
        #expect(problem.description.hasPrefix("line 2: \(reason): "))
    }

    @Test("the name filter skips samples before their labels are read")
    func nameFilter() {
        let text = PrometheusText(parsing: Self.sidecarScrape + "skipped{broken 1\n", where: { $0.hasPrefix("envoy_server") })
        #expect(text.samples.map(\.name) == ["envoy_server_memory_allocated", "envoy_server_memory_heap_size",
                                              "envoy_server_memory_physical_size"])
        #expect(text.problems.isEmpty)
    }

    @Test("empty and whitespace-only input")
    func empty() {
        #expect(PrometheusText(parsing: "").samples.isEmpty)
        let blank = PrometheusText(parsing: "\n  \n\t\n")
        #expect(blank.samples.isEmpty && blank.problems.isEmpty)
    }

    @Test("a large scrape parses completely")
    func largeScrape() {
        var lines: [String] = []
        for index in 0..<50_000 {
            lines.append(#"envoy_cluster_upstream_rq_total{cluster_name="outbound|80||svc-\#(index).ns.svc.cluster.local"} \#(index)"#)
        }
        let parsed = PrometheusText(parsing: lines.joined(separator: "\n"))
        #expect(parsed.samples.count == 50_000)
        #expect(parsed.samples.last?.value == 49_999)
    }
}
