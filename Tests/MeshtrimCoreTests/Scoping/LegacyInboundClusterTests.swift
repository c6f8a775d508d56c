import Foundation
import Testing

@testable import MeshtrimCore

/// Inbound clusters before Istio 1.8 (issue #11, item 5): `inbound|SERVICE_PORT|PORT_NAME|HOSTNAME`, `STATIC`, one per
/// port of each selecting service, plus the management cluster of the proxy's readiness port until 1.6; then
/// `inbound|TARGET_PORT||`, still `STATIC` in 1.8 and 1.9. A real Istio 1.4.10 sidecar dump
/// (`Tests/Fixtures/snowcat/SOURCES.md`), istiod's `buildInboundClusters` of those releases and the Istio 1.8 upgrade
/// notes are the reference.
@Suite("Inbound clusters before Istio 1.10")
struct LegacyInboundClusterTests {
    static let dumpPath = Fixtures.repositoryRoot
        .appendingPathComponent("Tests/Fixtures/snowcat/istio-1.4.10-gke-httpbin1-config_dump.json")

    /// What the real dump implies: the sidecar's pod (`node.metadata` NAME, NAMESPACE, LABELS, INSTANCE_IPS) and the
    /// one Service of its namespace it can see (`outbound|443||kubernetes.default…`, no selector); no Service selects
    /// the pod, so istiod built no service inbound cluster.
    static let dumpInventory = """
        apiVersion: v1
        kind: Service
        metadata: {name: kubernetes, namespace: default}
        spec:
          ports:
          - {name: https, port: 443, targetPort: 443}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: httpbin1-6c97fbc967-lz4fb
          namespace: default
          labels: {app: httpbin1, pod-template-hash: 6c97fbc967}
        spec:
          containers:
          - name: httpbin
          - name: istio-proxy
            image: gke.gcr.io/istio/proxyv2:1.4.10-gke.8
        status:
          podIP: 10.124.2.21
        """

    @Test("the real 1.4.10 sidecar: exactly its inbound cluster names and types")
    func realIstio14Dump() throws {
        let data = try Data(contentsOf: Self.dumpPath)
        let dump = try EnvoyConfigDump(data: data)
        let real = try dump.requireClusters().filter { $0.parsedName.direction == "inbound" }
        // The dump's own Istio version (node.metadata.ISTIO_VERSION, "1.4.10-gke.8").
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let configs = try #require(root["configs"] as? [[String: Any]])
        let node = try #require((configs.first?["bootstrap"] as? [String: Any])?["node"] as? [String: Any])
        let versionText = try #require((node["metadata"] as? [String: Any])?["ISTIO_VERSION"] as? String)
        let version = try #require(IstioVersion(versionText))
        #expect(version == IstioVersion(major: 1, minor: 4))

        let mesh = try inventory(Self.dumpInventory, version: version)
        let pod = try #require(mesh.pods.first)
        let scope = ScopeEngine(inventory: mesh).scope(for: pod)
        let predicted = scope.clusters.filter { $0.direction == .inbound }
        #expect(!real.isEmpty)
        #expect(predicted.map(\.name) == real.map(\.name))
        #expect(predicted.map(\.type) == real.map(\.type))
        #expect(real.map(\.name) == ["inbound|15020|mgmt-15020|mgmtCluster"])
        // The inbound passthrough cluster of that era, as the dump has it.
        let passthrough = try dump.requireClusters().filter { $0.name.hasPrefix("InboundPassthrough") }
        #expect(scope.clusters.filter { $0.name.hasPrefix("InboundPassthrough") }.map(\.name) == passthrough.map(\.name))
    }

    /// One rule of istiod's pre-1.10 inbound clusters.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var minor: Int
        var yaml: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let web = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: 8080}
        ---

        """
    static let admin = """
        apiVersion: v1
        kind: Service
        metadata: {name: web-admin, namespace: shop}
        spec:
          selector: {app: web}
          ports:
          - {name: http-admin, port: 9090, targetPort: 8080}
          - {name: dns, port: 53, protocol: UDP}
        ---

        """
    static let ingressSidecar = """
        apiVersion: networking.istio.io/v1alpha3
        kind: Sidecar
        metadata: {name: web-ingress, namespace: shop}
        spec:
          workloadSelector: {labels: {app: web}}
          ingress:
          - port: {number: 8080, protocol: HTTP, name: http-in}
            defaultEndpoint: 127.0.0.1:8080
          - port: {number: 7070, protocol: TCP, name: tcp-local}
            defaultEndpoint: 127.0.0.1:7071
          egress:
          - hosts: ["./*"]
        ---

        """

    static let cases = [
        Case(
            name: "1.7: the service port, its name and the service's hostname (not the target port)", minor: 7, yaml: web,
            expected: ["inbound|80|http|web.shop.svc.cluster.local"]),
        Case(
            name: "1.7: two Services on one target port give two clusters; UDP ports none", minor: 7, yaml: web + admin,
            expected: ["inbound|80|http|web.shop.svc.cluster.local", "inbound|9090|http-admin|web-admin.shop.svc.cluster.local"]),
        Case(
            name: "1.6: plus the management cluster of the readiness port 15021", minor: 6, yaml: web,
            expected: ["inbound|80|http|web.shop.svc.cluster.local", "inbound|15021|mgmt-15021|mgmtCluster"]),
        Case(
            name: "1.5: the readiness port is 15020", minor: 5, yaml: web,
            expected: ["inbound|80|http|web.shop.svc.cluster.local", "inbound|15020|mgmt-15020|mgmtCluster"]),
        Case(
            name: "1.7 with Sidecar ingress: per ingress port, the hostname of the service targeting it, else SIDECAR.NAMESPACE",
            minor: 7, yaml: web + ingressSidecar,
            expected: ["inbound|8080|http-in|web.shop.svc.cluster.local", "inbound|7070|tcp-local|web-ingress.shop"]),
        Case(
            name: "1.8 (1.8.1+ proxies): one inbound|TARGET_PORT|| per target port, still STATIC", minor: 8, yaml: web + admin,
            expected: ["inbound|8080||"]),
        Case(
            name: "1.9 with Sidecar ingress: inbound|PORT|| per ingress port", minor: 9, yaml: web + ingressSidecar,
            expected: ["inbound|8080||", "inbound|7070||"]),
        Case(
            name: "1.10: as in 1.8, now ORIGINAL_DST", minor: 10, yaml: web + admin, expected: ["inbound|8080||"]),
    ]

    @Test(arguments: cases)
    func istiodRule(_ testCase: Case) throws {
        let mesh = try inventory(testCase.yaml, version: IstioVersion(major: 1, minor: testCase.minor))
        let inbound = ScopeEngine(inventory: mesh).scope(namespace: "shop", labels: ["app": "web"]).clusters
            .filter { $0.direction == .inbound }
        #expect(inbound.map(\.name) == testCase.expected)
        #expect(inbound.allSatisfy { $0.type == (testCase.minor < 10 ? "STATIC" : "ORIGINAL_DST") })
        // The name parses back into the parts istioctl's table shows.
        for cluster in inbound {
            let parsed = ClusterName(cluster.name)
            #expect(parsed.port == cluster.port && parsed.subset == cluster.subset)
            #expect(parsed.host == cluster.serviceFQDN || cluster.serviceFQDN.isEmpty)
        }
    }
}
