import Testing
@testable import MeshtrimCore

/// istio-scoping.md §1.2–§1.6: hosts syntax, exportTo, port-bound listeners, one namespace per hostname, merging.
@Suite("Egress host import")
struct EgressImportTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let mesh: String
        let hosts: [String]
        let proxyNamespace: String
        let expected: [String]
        var version: IstioVersion = .defaultVersion
        var testDescription: String { name }
    }

    static let mesh = service("reviews", "bookinfo", ports: [9080], created: 1)
        + service("ratings", "bookinfo", ports: [9080], created: 2)
        + service("cart", "shop", ports: [8080], created: 3)
        + service("istiod", "istio-system", ports: [15010, 15012], created: 0)
        + serviceEntry("wiki", "shop", host: "en.wikipedia.org", ports: [443], created: 4)
        + serviceEntry("wild", "shop", host: "*.example.com", ports: [443], created: 5)
        + serviceEntry("apex", "shop", host: "example.com", ports: [443], created: 6)

    static let cases: [Case] = [
        Case(name: "*/* imports everything visible", mesh: mesh, hosts: ["*/*"], proxyNamespace: "shop",
             expected: ["istiod.istio-system.svc.cluster.local", "reviews.bookinfo.svc.cluster.local",
                        "ratings.bookinfo.svc.cluster.local", "cart.shop.svc.cluster.local", "en.wikipedia.org",
                        "*.example.com", "example.com"]),
        Case(name: "./* is the proxy's namespace", mesh: mesh, hosts: ["./*"], proxyNamespace: "bookinfo",
             expected: ["reviews.bookinfo.svc.cluster.local", "ratings.bookinfo.svc.cluster.local"]),
        Case(name: "ns/* imports one namespace", mesh: mesh, hosts: ["istio-system/*"], proxyNamespace: "shop",
             expected: ["istiod.istio-system.svc.cluster.local"]),
        Case(name: "ns/fqdn imports one service", mesh: mesh, hosts: ["bookinfo/reviews.bookinfo.svc.cluster.local"],
             proxyNamespace: "shop", expected: ["reviews.bookinfo.svc.cluster.local"]),
        Case(name: "a short name matches nothing", mesh: mesh, hosts: ["bookinfo/reviews"], proxyNamespace: "shop",
             expected: []),
        Case(name: "*/fqdn matches in any namespace", mesh: mesh, hosts: ["*/cart.shop.svc.cluster.local"],
             proxyNamespace: "bookinfo", expected: ["cart.shop.svc.cluster.local"]),
        Case(name: "wildcard dnsName matches subdomains only", mesh: mesh, hosts: ["*/*.wikipedia.org"],
             proxyNamespace: "bookinfo", expected: ["en.wikipedia.org"]),
        Case(name: "*.example.com covers the wildcard service but not the apex", mesh: mesh, hosts: ["shop/*.example.com"],
             proxyNamespace: "bookinfo", expected: ["*.example.com"]),
        Case(name: "an exact host never imports a wildcard service", mesh: mesh, hosts: ["*/api.example.com"],
             proxyNamespace: "bookinfo", expected: []),
        Case(name: "*.svc.cluster.local imports every Kubernetes service", mesh: mesh, hosts: ["*/*.svc.cluster.local"],
             proxyNamespace: "shop",
             expected: ["istiod.istio-system.svc.cluster.local", "reviews.bookinfo.svc.cluster.local",
                        "ratings.bookinfo.svc.cluster.local", "cart.shop.svc.cluster.local"]),
        Case(name: "a host without namespace/ is skipped", mesh: mesh, hosts: ["reviews.bookinfo.svc.cluster.local"],
             proxyNamespace: "shop", expected: []),
        Case(name: "~/* imports nothing (1.31)", mesh: mesh, hosts: ["~/*"], proxyNamespace: "shop", expected: []),
        Case(name: "~/* imports nothing (1.30, a namespace named ~)", mesh: mesh, hosts: ["~/*"], proxyNamespace: "shop",
             expected: [], version: IstioVersion(major: 1, minor: 30)),
        Case(name: "~ns/* excludes a namespace from */* (1.31)", mesh: mesh, hosts: ["*/*", "~bookinfo/*"],
             proxyNamespace: "shop",
             expected: ["istiod.istio-system.svc.cluster.local", "cart.shop.svc.cluster.local", "en.wikipedia.org",
                        "*.example.com", "example.com"]),
        Case(name: "~ns/* excludes nothing before 1.31", mesh: mesh, hosts: ["bookinfo/*", "~bookinfo/*"],
             proxyNamespace: "shop",
             expected: ["reviews.bookinfo.svc.cluster.local", "ratings.bookinfo.svc.cluster.local"],
             version: IstioVersion(major: 1, minor: 30)),
        Case(name: "~*/host excludes one host everywhere (1.31)", mesh: mesh,
             hosts: ["bookinfo/*", "~*/ratings.bookinfo.svc.cluster.local"], proxyNamespace: "shop",
             expected: ["reviews.bookinfo.svc.cluster.local"]),
        Case(name: "~/*.org is ~*/*.org (1.31)", mesh: mesh, hosts: ["shop/*", "~/*.org"], proxyNamespace: "shop",
             expected: ["cart.shop.svc.cluster.local", "*.example.com", "example.com"]),
    ]

    @Test("imports what istiod imports", arguments: cases)
    func imports(_ testCase: Case) throws {
        let yaml = testCase.mesh + sidecar("s", testCase.proxyNamespace, hosts: testCase.hosts)
        let engine = ScopeEngine(inventory: try inventory(yaml), istioVersion: testCase.version)
        let scope = engine.scope(namespace: testCase.proxyNamespace, labels: [:])
        #expect(hostnames(scope) == testCase.expected)
    }

    @Test("a skipped host is reported as a warning")
    func skippedHostWarns() throws {
        let yaml = Self.mesh + sidecar("s", "shop", hosts: ["reviews", "./*"])
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "shop", labels: [:])
        #expect(scope.warnings.contains { $0.contains("\"reviews\" skipped") })
        #expect(hostnames(scope).contains("cart.shop.svc.cluster.local"))
    }

    // MARK: exportTo

    struct ExportCase: CustomTestStringConvertible, Sendable {
        let exportTo: String
        let visibleFrom: [String: Bool]
        var testDescription: String { "exportTo \(exportTo)" }
    }

    static let exportCases: [ExportCase] = [
        ExportCase(exportTo: "*", visibleFrom: ["owner": true, "other": true]),
        ExportCase(exportTo: ".", visibleFrom: ["owner": true, "other": false]),
        ExportCase(exportTo: "~", visibleFrom: ["owner": false, "other": false]),
        ExportCase(exportTo: "other", visibleFrom: ["owner": false, "other": true, "third": false]),
        ExportCase(exportTo: ".,other", visibleFrom: ["owner": true, "other": true, "third": false]),
        ExportCase(exportTo: "*,~", visibleFrom: ["owner": true, "other": true]),
    ]

    @Test("Service exportTo annotation decides visibility", arguments: exportCases)
    func serviceExportTo(_ testCase: ExportCase) throws {
        let engine = ScopeEngine(inventory: try inventory(service("svc", "owner", exportTo: testCase.exportTo)))
        for (namespace, visible) in testCase.visibleFrom {
            let scope = engine.scope(namespace: namespace, labels: [:])
            #expect(hostnames(scope).contains("svc.owner.svc.cluster.local") == visible, "from \(namespace)")
        }
    }

    @Test("ServiceEntry exportTo decides visibility", arguments: exportCases)
    func serviceEntryExportTo(_ testCase: ExportCase) throws {
        let exports = testCase.exportTo.split(separator: ",").map(String.init)
        let engine = ScopeEngine(inventory: try inventory(serviceEntry("se", "owner", host: "api.corp", exportTo: exports)))
        for (namespace, visible) in testCase.visibleFrom {
            let scope = engine.scope(namespace: namespace, labels: [:])
            #expect(hostnames(scope).contains("api.corp") == visible, "from \(namespace)")
        }
    }

    @Test("meshConfig.defaultServiceExportTo applies to services without exportTo")
    func defaultServiceExportTo() throws {
        var mesh = try inventory(service("svc", "owner") + service("open", "owner", exportTo: "*"))
        mesh.meshConfig.defaultServiceExportTo = ["."]
        let scope = ScopeEngine(inventory: mesh).scope(namespace: "other", labels: [:])
        #expect(hostnames(scope) == ["open.owner.svc.cluster.local"])
    }

    // MARK: Port-bound listeners and merging

    @Test("a port-bound listener imports only that port; two listeners merge ports")
    func portBoundListeners() throws {
        let yaml = service("bar", "foo", ports: [8000, 7000, 9000]) + """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: s, namespace: client}
            spec:
              egress:
              - port: {number: 8000, protocol: HTTP, name: h8000}
                hosts: ["foo/*"]
              - port: {number: 7000, protocol: HTTP, name: h7000}
                hosts: ["foo/*"]
            """
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(scope.services.map { $0.ports.map(\.number) } == [[8000, 7000]])
        #expect(outboundNames(scope) == ["outbound|7000||bar.foo.svc.cluster.local", "outbound|8000||bar.foo.svc.cluster.local"])
    }

    @Test("a port-bound listener skips services without that port")
    func portBoundSkipsOtherPorts() throws {
        let yaml = service("a", "foo", ports: [80]) + service("b", "foo", ports: [9080])
            + sidecar("s", "client", hosts: ["foo/*"], port: 9080)
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(hostnames(scope) == ["b.foo.svc.cluster.local"])
    }

    @Test("a catch-all listener after a port-bound one restores the other ports")
    func catchAllAfterPortBound() throws {
        let yaml = service("bar", "foo", ports: [8000, 9000]) + """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: s, namespace: client}
            spec:
              egress:
              - port: {number: 8000, protocol: HTTP, name: h}
                hosts: ["foo/*"]
              - hosts: ["foo/*"]
            """
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "client", labels: [:])
        #expect(scope.services.first?.ports.map(\.number) == [8000, 9000])
    }

    // MARK: One namespace per hostname

    @Test("the same hostname in two namespaces: the proxy's namespace wins")
    func sameHostProxyNamespaceWins() throws {
        let yaml = serviceEntry("a", "ns1", host: "db.corp", ports: [5432], created: 1)
            + serviceEntry("b", "ns2", host: "db.corp", ports: [3306], created: 2)
        let engine = ScopeEngine(inventory: try inventory(yaml))
        #expect(engine.scope(namespace: "ns2", labels: [:]).services.map(\.service.namespace) == ["ns2"])
        #expect(engine.scope(namespace: "ns1", labels: [:]).services.map(\.service.namespace) == ["ns1"])
        #expect(engine.scope(namespace: "ns3", labels: [:]).services.map(\.service.namespace) == ["ns1"])
    }

    @Test("a Kubernetes service beats a ServiceEntry for one hostname from 1.24, not before")
    func kubernetesPreferred() throws {
        let yaml = serviceEntry("alias", "ns1", host: "web.ns2.svc.cluster.local", ports: [80], created: 1)
            + service("web", "ns2", ports: [80], created: 2)
        let modern = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "ns3", labels: [:])
        #expect(modern.services.map(\.service.registry) == [.kubernetes])
        let legacy = ScopeEngine(inventory: try inventory(yaml), istioVersion: IstioVersion(major: 1, minor: 22))
            .scope(namespace: "ns3", labels: [:])
        #expect(legacy.services.map(\.service.registry) == [.serviceEntry])
    }

    @Test("services are listed by creation time, then name, then namespace")
    func istioOrder() throws {
        let yaml = service("zeta", "a", created: 1) + service("alpha", "b", created: 2) + service("alpha", "a", created: 2)
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "x", labels: [:])
        #expect(hostnames(scope) == ["zeta.a.svc.cluster.local", "alpha.a.svc.cluster.local", "alpha.b.svc.cluster.local"])
    }
}
