import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// The Sidecar scenarios of istio/istio's own tests (asserted outcomes in Tests/Fixtures/istio/SOURCES.md), and Bookinfo.
@Suite("Istio's Sidecar scenarios")
struct IstioScenarioTests {
    @Test("sidecar-ns-scope: root Sidecar ./*, proxy in ns1 at 100.1.1.2 gets 9 clusters (TestLDSWithDefaultSidecar)")
    func namespaceScope() throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("tests/testdata/networking/sidecar-ns-scope/configs.yaml").path])
        var mesh = set.inventory
        mesh.meshConfig.rootNamespace = "istio-config"
        let pod = Pod(meta: ObjectMeta(name: "app", namespace: "ns1"), podIP: "100.1.1.2")
        let scope = ScopeEngine(inventory: mesh).scope(for: pod)
        #expect(scope.sidecar?.meta.qualifiedName == "istio-config/default-sidecar-scope")
        let dynamic = scope.clusters.filter { !$0.isStatic }
        #expect(dynamic.count == 9)
        #expect(outboundNames(scope) == [
            "outbound|3306||tcp1.ns1.svc.cluster.local",
            "outbound|8080|v1|http1.ns1.svc.cluster.local",
            "outbound|8080|v2|http1.ns1.svc.cluster.local",
            "outbound|8080||http1.ns1.svc.cluster.local",
            "outbound|8080||http2.ns1.svc.cluster.local",
        ])
        #expect(dynamic.contains { $0.name == "inbound|8080||" })
        #expect(set.ignoredKinds["PeerAuthentication"] == 1)
    }

    @Test("sidecar-without-service: consumer-only workload gets exactly outbound|8081||http1.ns1 (TestLDSWithSidecarForWorkloadWithoutService)")
    func workloadWithoutService() throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("tests/testdata/networking/sidecar-without-service/configs.yaml").path])
        var mesh = set.inventory
        mesh.meshConfig.rootNamespace = "istio-config"
        let scope = ScopeEngine(inventory: mesh).scope(namespace: "consumerns", labels: ["app": "consumeronly"])
        #expect(scope.sidecar?.meta.name == "consumerapp")
        let eds = scope.clusters.filter { $0.type == "EDS" }
        #expect(eds.map(\.name) == ["outbound|8081||http1.ns1.svc.cluster.local"])
        #expect(scope.clusters.contains { $0.name == "inbound|9080||" })
    }

    @Test("Bookinfo: productpage sees all four services; ./* keeps them, ~/* drops them")
    func bookinfo() throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("samples/bookinfo/platform/kube/bookinfo.yaml").path])
        let engine = ScopeEngine(inventory: set.inventory)
        let pod = try #require(set.inventory.pods.first { $0.labels["app"] == "productpage" })
        let scope = engine.scope(for: pod)
        #expect(Set(hostnames(scope)) == [
            "details.default.svc.cluster.local", "ratings.default.svc.cluster.local",
            "reviews.default.svc.cluster.local", "productpage.default.svc.cluster.local",
        ])
        #expect(scope.clusters.contains { $0.name == "inbound|9080||" })
        #expect(scope.dynamicClusterCount == 4 + 1 + 3)
        let trimmed = engine.scope(
            for: pod, candidate: Sidecar(meta: ObjectMeta(name: "none", namespace: "default"), egress: [.init(hosts: ["~/*"])]))
        #expect(trimmed.services.isEmpty)
        #expect(trimmed.dynamicClusterCount == 1 + 3)
    }
}
