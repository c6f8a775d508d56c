import Testing

@testable import MeshtrimCore

/// Outbound policy ALLOW_ANY_DYNAMIC_DNS (Istio 1.31, mesh config only) reaches every sidecar whose Sidecar sets no
/// policy; with it comes the dynamic forward proxy cluster (issue #11, item 6).
///
/// The cases of istio/istio's integration tests `TestAllowAnyDynamicDNSPolicy` and `TestAllowAnyDynamicDNSWithTLS`
/// (`tests/integration/telemetry/policy/dynamicdns/traffic_allow_any_dynamic_dns_test.go` at 3d069d1933d4, mesh
/// config from its `main_test.go` at 2392533cac45) are ported row by row below. A unit test named
/// `TestSidecarOutboundTrafficPolicyAllowAnyDynamicDNS` was not found: the index holds only older versions of
/// `pilot/pkg/model/sidecar_test.go`, whose `TestSidecarOutboundTrafficPolicy` has no dynamic-DNS rows.
@Suite("ALLOW_ANY_DYNAMIC_DNS")
struct DynamicDNSPolicyTests {
    static let meshConfig = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio, namespace: istio-system}
        data:
          mesh: |-
            outboundTrafficPolicy:
              mode: ALLOW_ANY_DYNAMIC_DNS
        ---

        """

    static func sidecarWithPolicy(_ namespace: String, _ mode: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: \(namespace)}
        spec:
          egress:
          - hosts: ["./*"]
          outboundTrafficPolicy: {mode: \(mode)}
        ---

        """
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var namespace: String
        var expected: OutboundTrafficPolicy
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "no Sidecar: the mesh's mode", namespace: "plain", expected: .allowAnyDynamicDNS),
        Case(name: "a Sidecar without a policy: the mesh's mode", namespace: "scoped", expected: .allowAnyDynamicDNS),
        Case(name: "a Sidecar with REGISTRY_ONLY replaces it", namespace: "locked", expected: .registryOnly),
        Case(name: "a Sidecar with ALLOW_ANY replaces it", namespace: "open", expected: .allowAny),
    ]

    static func mesh(version: IstioVersion) throws -> MeshInventory {
        try inventory(
            meshConfig + sidecar("default", "scoped", hosts: ["./*"]) + sidecarWithPolicy("locked", "REGISTRY_ONLY")
                + sidecarWithPolicy("open", "ALLOW_ANY"), version: version)
    }

    @Test(arguments: cases)
    func propagatesToEverySidecarWithoutItsOwnPolicy(_ testCase: Case) throws {
        let mesh = try Self.mesh(version: .defaultVersion)
        #expect(mesh.meshConfig.outboundTrafficPolicy == .allowAnyDynamicDNS, "read from the mesh config")
        let scope = ScopeEngine(inventory: mesh).scope(namespace: testCase.namespace, labels: [:])
        #expect(scope.outboundTrafficPolicy == testCase.expected)
        let hasForwardProxy = scope.clusters.contains { $0.name == "AllowAnyDynamicDNSCluster" }
        #expect(hasForwardProxy == (testCase.expected == .allowAnyDynamicDNS))
    }

    /// `TestAllowAnyDynamicDNSPolicy`'s Sidecar: the app namespace imports only the service namespace and
    /// istio-system, with no policy of its own.
    static let restrictEgress = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: restrict-egress, namespace: app}
        spec:
          egress:
          - hosts:
            - "service/*"
            - "istio-system/*"
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: destination, namespace: app}
        spec:
          selector: {app: destination}
          ports:
          - {name: http, port: 80, targetPort: 8080}
          - {name: https, port: 443, targetPort: 8443}
        ---

        """

    struct IntegrationRow: Sendable, CustomTestStringConvertible {
        var name: String
        /// The mesh config's `outboundTrafficPolicy`, as the test installs or patches it.
        var policy: String
        var testDescription: String { name }
    }

    static let integrationRows = [
        IntegrationRow(name: "TestAllowAnyDynamicDNSPolicy (main_test.go's mesh config)", policy: "mode: ALLOW_ANY_DYNAMIC_DNS"),
        IntegrationRow(
            name: "TestAllowAnyDynamicDNSWithTLS (PatchMeshConfig with tls SIMPLE)",
            policy: "mode: ALLOW_ANY_DYNAMIC_DNS\ntls:\n  mode: SIMPLE\n  insecureSkipVerify: true"),
    ]

    /// The destination in the Sidecar's own namespace is not imported, so its HTTP goes to
    /// `AllowAnyDynamicDNSCluster` (the `http-via-dfp` subtest) and its HTTPS to `PassthroughCluster`
    /// (`https-via-passthrough`): the scope has both and no cluster of the destination.
    @Test(arguments: integrationRows)
    func istioIntegrationCases(_ row: IntegrationRow) throws {
        let config = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: istio, namespace: istio-system}
            data:
              mesh: |-
                outboundTrafficPolicy:
            \(row.policy.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
            ---

            """
        let mesh = try inventory(config + Self.restrictEgress, version: .defaultVersion)
        #expect(mesh.meshConfig.outboundTrafficPolicy == .allowAnyDynamicDNS)
        let scope = ScopeEngine(inventory: mesh).scope(namespace: "app", labels: ["app": "client"])
        #expect(scope.outboundTrafficPolicy == .allowAnyDynamicDNS, "the Sidecar sets no policy: the mesh's")
        let names = scope.clusters.map(\.name)
        #expect(names.contains("AllowAnyDynamicDNSCluster"))
        #expect(names.contains("PassthroughCluster"))
        #expect(!names.contains { $0.hasSuffix("destination.app.svc.cluster.local") }, "not imported by restrict-egress")
    }

    @Test func beforeIstio131ThereIsNoForwardProxyCluster() throws {
        let mesh = try Self.mesh(version: IstioVersion(major: 1, minor: 30))
        let scope = ScopeEngine(inventory: mesh).scope(namespace: "plain", labels: [:])
        #expect(!scope.clusters.contains { $0.name == "AllowAnyDynamicDNSCluster" })
    }

    @Test func aGatewayGetsNoForwardProxyCluster() throws {
        var mesh = try Self.mesh(version: .defaultVersion)
        mesh.pods.append(
            Pod(meta: ObjectMeta(name: "ingressgateway", namespace: "plain", labels: ["istio": "ingressgateway"]), proxyKind: .gateway))
        let pod = try #require(mesh.pods.last)
        try #require(pod.isGateway, "labelled istio: ingressgateway")
        #expect(!ScopeEngine(inventory: mesh).scope(for: pod).clusters.contains { $0.name == "AllowAnyDynamicDNSCluster" })
    }
}
