import Testing

@testable import MeshtrimCore

/// Outbound policy ALLOW_ANY_DYNAMIC_DNS (Istio 1.31, mesh config only) reaches every sidecar whose Sidecar sets no
/// policy, as in istio/istio's `TestSidecarOutboundTrafficPolicyAllowAnyDynamicDNS`; with it comes the dynamic
/// forward proxy cluster (issue #11, item 6).
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
