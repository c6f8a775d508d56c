import Testing
@testable import MeshtrimCore

/// ``ListenerHosts``: the one host-matching rule the engine imports by and the editor marks by.
@Suite("ListenerHosts")
struct ListenerHostsTests {
    static let v131 = IstioVersion(major: 1, minor: 31)
    static let v130 = IstioVersion(major: 1, minor: 30)

    @Test("Exclusions of the service's namespace and of * remove it; other namespaces stay imported")
    func exclusions() {
        let hosts = ListenerHosts(
            ["*/*", "~payments/*", "~/legacy.example.com", "~bookinfo/reviews.bookinfo.svc.cluster.local"],
            configNamespace: "shipping", version: Self.v131)
        #expect(hosts.importingEntry(hostname: "api.payments.svc.cluster.local", namespace: "payments") == nil)
        #expect(hosts.importingEntry(hostname: "reviews.bookinfo.svc.cluster.local", namespace: "bookinfo") == nil)
        #expect(hosts.importingEntry(hostname: "legacy.example.com", namespace: "shipping") == nil, "bare ~ is ~*")
        #expect(hosts.importingEntry(hostname: "details.bookinfo.svc.cluster.local", namespace: "bookinfo") == "*/*")
        #expect(!hosts.importsEveryService(of: "payments"))
        #expect(!hosts.importsEveryService(of: "bookinfo"), "~*/legacy.example.com subtracts from every namespace")
    }

    @Test("A namespace is wholly imported through ns/*, */* or ./* in the proxy's namespace, not through one service")
    func wholeNamespaces() {
        let hosts = ListenerHosts(
            ["./*", "istio-system/*", "payments/api.payments.svc.cluster.local"], configNamespace: "shipping",
            version: Self.v131)
        #expect(hosts.importsEveryService(of: "shipping"))
        #expect(hosts.importsEveryService(of: "istio-system"))
        #expect(!hosts.importsEveryService(of: "payments"))
        #expect(hosts.importingEntry(hostname: "api.payments.svc.cluster.local", namespace: "payments")
            == "payments/api.payments.svc.cluster.local")
        #expect(hosts.importingEntry(hostname: "db.payments.svc.cluster.local", namespace: "payments") == nil)
    }

    @Test("Before 1.31 ~payments is a namespace name that matches nothing and excludes nothing")
    func noExclusionsBefore131() {
        let hosts = ListenerHosts(["*/*", "~payments/*"], configNamespace: "shipping", version: Self.v130)
        #expect(hosts.importingEntry(hostname: "api.payments.svc.cluster.local", namespace: "payments") == "*/*")
        #expect(hosts.importsEveryService(of: "payments"))
    }
}
