import Testing
@testable import MeshtrimCore

/// istio-scoping.md §1.5, §1.7–§1.9: VirtualService-inferred services, subsets, cluster types, always-present ones.
@Suite("Clusters and VirtualService-inferred services")
struct ClusterTests {
    static let virtualService = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-route, namespace: client}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews.bookinfo.svc.cluster.local, port: {number: 9080}}
          - match:
            - sourceNamespace: elsewhere
            route:
            - destination: {host: ratings.bookinfo.svc.cluster.local}
        ---

        """

    @Test("a VirtualService in an imported namespace adds the services it routes to, with the reason")
    func virtualServiceInferred() throws {
        let yaml = service("reviews", "bookinfo", ports: [9080, 9090]) + service("ratings", "bookinfo", ports: [9080])
            + Self.virtualService + sidecar("s", "client", hosts: ["./*"])
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(hostnames(scope) == ["reviews.bookinfo.svc.cluster.local"])
        #expect(scope.services.first?.ports.map(\.number) == [9080])
        #expect(scope.services.first?.reason == .virtualService("client/reviews-route"))
    }

    @Test("a route limited to another source namespace adds nothing; one limited to ours does")
    func sourceNamespace() throws {
        let yaml = service("ratings", "bookinfo", ports: [9080]) + Self.virtualService.replacingOccurrences(of: "elsewhere", with: "client")
            + sidecar("s", "client", hosts: ["./*"])
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(hostnames(scope) == ["ratings.bookinfo.svc.cluster.local"])
    }

    @Test("a VirtualService bound only to a gateway is not used by sidecars")
    func gatewayOnly() throws {
        let yaml = service("reviews", "bookinfo", ports: [9080])
            + Self.virtualService.replacingOccurrences(of: "  hosts: [reviews]", with: "  hosts: [reviews]\n  gateways: [ingress]")
            + sidecar("s", "client", hosts: ["./*"])
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(hostnames(scope).isEmpty)
    }

    @Test("a VirtualService exported only to its own namespace is invisible elsewhere")
    func virtualServiceExportTo() throws {
        let yaml = service("reviews", "bookinfo", ports: [9080])
            + Self.virtualService.replacingOccurrences(of: "  hosts: [reviews]", with: "  hosts: [reviews]\n  exportTo: [\".\"]")
            + sidecar("s", "other", hosts: ["client/*"])
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "other", labels: [:])
        #expect(hostnames(scope).isEmpty)
    }

    @Test("explicitly imported services keep their place and ports over VirtualService-inferred ones")
    func explicitWins() throws {
        let yaml = service("reviews", "bookinfo", ports: [9080, 9090]) + Self.virtualService
            + sidecar("s", "client", hosts: ["./*", "bookinfo/*"])
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(scope.services.count == 1)
        #expect(scope.services.first?.ports.map(\.number) == [9080, 9090])
        #expect(scope.services.first?.reason == .egressHost("bookinfo/*", port: nil))
    }

    @Test("DestinationRule subsets add one cluster per subset and port; the proxy namespace's rule wins")
    func subsets() throws {
        let rules = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              host: reviews
              subsets: [{name: v1}, {name: v2}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: local-reviews, namespace: client}
            spec:
              host: reviews.bookinfo.svc.cluster.local
              subsets: [{name: canary}]
            ---

            """
        let yaml = service("reviews", "bookinfo", ports: [9080]) + rules
        let engine = ScopeEngine(inventory: try inventory(yaml))
        let fromElsewhere = engine.scope(namespace: "other", labels: [:])
        #expect(outboundNames(fromElsewhere) == [
            "outbound|9080|v1|reviews.bookinfo.svc.cluster.local", "outbound|9080|v2|reviews.bookinfo.svc.cluster.local",
            "outbound|9080||reviews.bookinfo.svc.cluster.local",
        ])
        #expect(fromElsewhere.clusters.first?.destinationRule == "reviews.bookinfo")
        let fromClient = engine.scope(namespace: "client", labels: [:])
        #expect(outboundNames(fromClient) == [
            "outbound|9080|canary|reviews.bookinfo.svc.cluster.local", "outbound|9080||reviews.bookinfo.svc.cluster.local",
        ])
    }

    @Test("a root-namespace wildcard DestinationRule names the cluster when nothing closer matches")
    func rootRule() throws {
        let yaml = service("reviews", "bookinfo", ports: [9080]) + """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: default, namespace: istio-system}
            spec:
              host: "*.local"
            """
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(scope.outboundClusters.map(\.destinationRule) == ["default.istio-system"])
    }

    struct TypeCase: CustomTestStringConvertible, Sendable {
        let manifest: String
        let expectedType: String?
        let label: String
        var testDescription: String { label }
    }

    static let typeCases: [TypeCase] = [
        TypeCase(manifest: service("plain", "ns"), expectedType: "EDS", label: "ClusterIP Service → EDS"),
        TypeCase(manifest: service("headless", "ns", extra: "\n  clusterIP: None"), expectedType: "ORIGINAL_DST",
                 label: "headless Service → ORIGINAL_DST"),
        TypeCase(manifest: service("ext", "ns", extra: "\n  type: ExternalName\n  externalName: example.com"),
                 expectedType: nil, label: "ExternalName → no cluster"),
        TypeCase(manifest: serviceEntry("dns", "ns", host: "a.corp", resolution: "DNS"), expectedType: "STRICT_DNS",
                 label: "DNS ServiceEntry → STRICT_DNS"),
        TypeCase(manifest: serviceEntry("rr", "ns", host: "b.corp", resolution: "DNS_ROUND_ROBIN"),
                 expectedType: "LOGICAL_DNS", label: "DNS_ROUND_ROBIN → LOGICAL_DNS"),
        TypeCase(manifest: serviceEntry("st", "ns", host: "c.corp", resolution: "STATIC"), expectedType: "EDS",
                 label: "STATIC ServiceEntry → EDS"),
        TypeCase(manifest: serviceEntry("none", "ns", host: "d.corp", resolution: "NONE"), expectedType: "ORIGINAL_DST",
                 label: "NONE ServiceEntry → ORIGINAL_DST"),
    ]

    @Test("cluster type follows the service's resolution", arguments: typeCases)
    func clusterTypes(_ testCase: TypeCase) throws {
        let scope = ScopeEngine(inventory: try inventory(testCase.manifest)).scope(namespace: "client", labels: [:])
        #expect(scope.outboundClusters.first?.type == testCase.expectedType)
        #expect(scope.services.count == 1, "the service is imported even when it gets no cluster")
    }

    @Test("UDP ports get no cluster")
    func udpSkipped() throws {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: dns, namespace: kube-system}
            spec:
              ports:
              - {name: dns, port: 53, protocol: UDP}
              - {name: dns-tcp, port: 53, protocol: TCP}
              - {name: metrics, port: 9153}
            """
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(outboundNames(scope) == ["outbound|53||dns.kube-system.svc.cluster.local", "outbound|9153||dns.kube-system.svc.cluster.local"])
    }

    @Test("always-present clusters follow the Istio version", arguments: [
        (IstioVersion(major: 1, minor: 31), ["BlackHoleCluster", "PassthroughCluster", "InboundPassthroughCluster"], false),
        (IstioVersion(major: 1, minor: 22), ["BlackHoleCluster", "PassthroughCluster", "InboundPassthroughClusterIpv4"], false),
        (IstioVersion(major: 1, minor: 21), ["BlackHoleCluster", "PassthroughCluster", "InboundPassthroughClusterIpv4"], true),
    ])
    func alwaysPresent(version: IstioVersion, dynamic: [String], zipkin: Bool) throws {
        let scope = ScopeEngine(inventory: MeshInventory(), istioVersion: version).scope(namespace: "a", labels: [:])
        #expect(scope.clusters.filter { !$0.isStatic }.map(\.name) == dynamic)
        #expect(scope.clusters.contains { $0.name == "zipkin" } == zipkin)
        #expect(Set(scope.clusters.filter(\.isStatic).map(\.name)).isSuperset(of: ["agent", "prometheus_stats", "sds-grpc", "xds-grpc"]))
    }

    @Test("inbound clusters come from target ports of Services that select the pod")
    func inboundFromServices() throws {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports:
              - {name: http, port: 80, targetPort: 8080}
              - {name: admin, port: 81, targetPort: admin}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, namespace: shop, labels: {app: web}}
            spec:
              containers:
              - name: app
                ports: [{name: admin, containerPort: 9901}]
              - name: istio-proxy
                image: docker.io/istio/proxyv2:1.31.0
            """
        let mesh = try inventory(yaml)
        let pod = try #require(mesh.pods.first)
        #expect(pod.hasSidecar && pod.proxyVersion == "1.31.0")
        let scope = ScopeEngine(inventory: mesh).scope(for: pod)
        #expect(scope.clusters.filter { $0.direction == .inbound }.map(\.name) == ["inbound|8080||", "inbound|9901||"])
    }

    @Test("the Sidecar's outboundTrafficPolicy replaces the mesh's")
    func trafficPolicy() throws {
        var mesh = try inventory(sidecar("s", "a", hosts: ["./*"]) + """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: locked, namespace: b}
            spec:
              outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """)
        mesh.meshConfig.outboundTrafficPolicy = .allowAny
        let engine = ScopeEngine(inventory: mesh)
        #expect(engine.scope(namespace: "a", labels: [:]).outboundTrafficPolicy == .allowAny)
        #expect(engine.scope(namespace: "b", labels: [:]).outboundTrafficPolicy == .registryOnly)
        mesh.meshConfig.outboundTrafficPolicy = .registryOnly
        #expect(ScopeEngine(inventory: mesh).scope(namespace: "a", labels: [:]).outboundTrafficPolicy == .registryOnly)
    }
}
