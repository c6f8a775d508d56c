import Foundation
import Testing

@testable import MeshtrimCore

/// The bootstrap (static) clusters meshtrim predicts, against Istio's own bootstrap goldens: the Envoy bootstrap
/// istio-agent writes for a sidecar, whose `static_resources.clusters` are the `static_clusters` of every config dump
/// of that sidecar. Each golden records the ProxyConfig it was made from (`node.metadata.PROXY_CONFIG`); its
/// `tracing` becomes the mesh config's `defaultConfig.tracing`, and meshtrim must predict the golden's static
/// clusters (issue #11, item 5: the zipkin cluster only with zipkin tracing).
@Suite("Istio bootstrap goldens")
struct IstioBootstrapGoldenTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        var path: String
        /// The static clusters the golden has, by name.
        var names: [String]
        var testDescription: String { path }
    }

    static let goldens = [
        Golden(path: "pkg/bootstrap/testdata/tracing_none_golden.json", names: ["prometheus_stats", "agent", "sds-grpc", "xds-grpc"]),
        Golden(
            path: "pkg/bootstrap/testdata/tracing_zipkin_golden.json",
            names: ["prometheus_stats", "agent", "sds-grpc", "xds-grpc", "zipkin"]),
    ]

    /// The golden's static clusters, read as meshtrim reads a config dump's.
    static func staticClusters(_ bootstrap: OrderedJSON) throws -> [EnvoyCluster] {
        let list = try #require(bootstrap["static_resources"]?["clusters"]?.arrayValue, "static_resources.clusters")
        return list.map { EnvoyCluster(json: $0, origin: .static) }
    }

    /// A mesh config whose `defaultConfig.tracing` is the golden's ProxyConfig tracing (JSON is YAML).
    static func meshConfig(tracing: OrderedJSON) -> String {
        let flow = tracing.formatted(indent: "").split(separator: "\n").joined()
        return """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: istio, namespace: istio-system}
            data:
              mesh: |-
                defaultConfig:
                  tracing: \(flow)
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports:
              - {name: http, port: 80}

            """
    }

    @Test("meshtrim predicts the golden's static clusters from its ProxyConfig tracing", arguments: goldens)
    func staticClustersMatch(_ golden: Golden) throws {
        let bootstrap = try OrderedJSON(parsing: Data(contentsOf: Fixtures.istio(golden.path)))
        let actual = try Self.staticClusters(bootstrap)
        #expect(actual.map(\.name) == golden.names, "the fixture is the file it was")
        let tracing = try #require(bootstrap["node"]?["metadata"]?["PROXY_CONFIG"]?["tracing"], "the golden's ProxyConfig tracing")
        // Tracing is set explicitly in both goldens, so the version does not decide; one before and one after 1.22
        // (when zipkin stopped being the default tracer).
        for version in [IstioVersion(major: 1, minor: 20), IstioVersion(major: 1, minor: 24)] {
            let mesh = try inventory(Self.meshConfig(tracing: tracing), version: version)
            let predicted = ScopeEngine(inventory: mesh).scope(namespace: "shop", labels: ["app": "web"]).clusters.filter(\.isStatic)
            #expect(predicted.map(\.name).sorted() == actual.map(\.name).sorted(), "\(version)")
            let zipkin = predicted.first { $0.name == "zipkin" }
            #expect(zipkin?.type == actual.first { $0.name == "zipkin" }?.type, "zipkin's TYPE")
        }
    }

    @Test("Tracing off: the agent's bootstrap clusters are STATIC, as meshtrim predicts, and there is no zipkin")
    func tracingOffTypes() throws {
        let golden = try #require(Self.goldens.first)
        let bootstrap = try OrderedJSON(parsing: Data(contentsOf: Fixtures.istio(golden.path)))
        let actual = try Self.staticClusters(bootstrap)
        #expect(bootstrap["tracing"] == nil, "no tracer in the bootstrap")
        let mesh = try inventory(Self.meshConfig(tracing: try #require(bootstrap["node"]?["metadata"]?["PROXY_CONFIG"]?["tracing"])))
        let predicted = ScopeEngine(inventory: mesh).alwaysPresentClusters().filter(\.isStatic)
        for cluster in actual {
            #expect(predicted.first { $0.name == cluster.name }?.type == cluster.type, "\(cluster.name)")
        }
    }
}
