import Testing

@testable import MeshtrimCore

/// Clusters that depend on the Istio version and the mesh config (issue #11, item 5): the inbound cluster type
/// before 1.10, the bootstrap zipkin cluster only with tracing on, and the mesh config of the revision in use.
@Suite("Version- and mesh-config-dependent clusters")
struct VersionAndMeshConfigClusterTests {
    static let app = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: 8080}
        ---

        """

    static func meshConfig(_ name: String = "istio", _ body: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: \(name), namespace: istio-system}
        data:
          mesh: |-
        \(body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        ---

        """
    }

    static func clusters(_ yaml: String, version: IstioVersion) throws -> [PredictedCluster] {
        let mesh = try inventory(yaml, version: version)
        return ScopeEngine(inventory: mesh).scope(namespace: "shop", labels: ["app": "web"]).clusters
    }

    /// Before 1.8 the name was `inbound|SERVICE_PORT|PORT_NAME|HOSTNAME` too (`LegacyInboundClusterTests`).
    @Test(arguments: [
        (7, "inbound|80|http|web.shop.svc.cluster.local", "STATIC"), (9, "inbound|8080||", "STATIC"),
        (10, "inbound|8080||", "ORIGINAL_DST"), (31, "inbound|8080||", "ORIGINAL_DST"),
    ])
    func inboundClusterTypeByVersion(_ minor: Int, _ name: String, _ type: String) throws {
        let inbound = try Self.clusters(Self.app, version: IstioVersion(major: 1, minor: minor)).filter { $0.direction == .inbound }
        #expect(inbound.map(\.name) == [name])
        #expect(inbound.map(\.type) == [type])
    }

    struct TracingCase: Sendable, CustomTestStringConvertible {
        var name: String
        var mesh: String?
        var minor: Int
        var zipkin: Bool
        var testDescription: String { name }
    }

    static let tracingCases = [
        TracingCase(name: "1.20, no mesh config: zipkin was the default tracer", mesh: nil, minor: 20, zipkin: true),
        TracingCase(name: "1.20 with enableTracing: false: none", mesh: "enableTracing: false", minor: 20, zipkin: false),
        TracingCase(name: "1.20 with defaultConfig.tracing: {}: none", mesh: "defaultConfig:\n  tracing: {}", minor: 20, zipkin: false),
        TracingCase(
            name: "1.20 with lightstep: no zipkin", mesh: "defaultConfig:\n  tracing:\n    lightstep:\n      address: ls:8080", minor: 20,
            zipkin: false),
        TracingCase(name: "1.24 without a tracer: none (no default since 1.22)", mesh: "enableTracing: true", minor: 24, zipkin: false),
        TracingCase(
            name: "1.24 with defaultConfig.tracing.zipkin: zipkin",
            mesh: "defaultConfig:\n  tracing:\n    sampling: 1\n    zipkin:\n      address: zipkin.istio-system:9411", minor: 24, zipkin: true),
    ]

    @Test(arguments: tracingCases)
    func zipkinOnlyWithTracingOn(_ testCase: TracingCase) throws {
        let yaml = (testCase.mesh.map { Self.meshConfig("istio", $0) } ?? "") + Self.app
        let names = try Self.clusters(yaml, version: IstioVersion(major: 1, minor: testCase.minor)).map(\.name)
        #expect(names.contains("zipkin") == testCase.zipkin)
    }

    @Test func theRevisionInUsePicksItsConfigMap() throws {
        let configs = Self.meshConfig("istio", "outboundTrafficPolicy:\n  mode: ALLOW_ANY")
            + Self.meshConfig("istio-canary", "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY")
        let revisioned = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {istio.io/rev: canary}}
            ---

            """
        #expect(try inventory(configs + revisioned + Self.app).meshConfig.outboundTrafficPolicy == .registryOnly)
        #expect(try inventory(revisioned + configs + Self.app).meshConfig.outboundTrafficPolicy == .registryOnly)
        #expect(try inventory(configs + Self.app).meshConfig.outboundTrafficPolicy == .allowAny, "no revision: istio")
        let onlyRevisioned = Self.meshConfig("istio-1-20", "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY")
        #expect(try inventory(onlyRevisioned + Self.app).meshConfig.outboundTrafficPolicy == .registryOnly)
    }
}
