import Testing
@testable import MeshtrimCore

/// istio-scoping.md §1.1: which Sidecar applies to a proxy.
@Suite("Sidecar selection and precedence")
struct SidecarSelectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let sidecars: String
        let namespace: String
        let app: String
        let expected: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no Sidecar anywhere: default scope", sidecars: "", namespace: "shop", app: "cart", expected: nil),
        Case(
            name: "selector Sidecar beats the namespace Sidecar",
            sidecars: sidecar("ns-wide", "shop", hosts: ["./*"], created: 1)
                + sidecar("for-cart", "shop", hosts: ["*/*"], selector: "cart", created: 5),
            namespace: "shop", app: "cart", expected: "shop/for-cart"),
        Case(
            name: "selector Sidecar that does not match falls back to the namespace Sidecar",
            sidecars: sidecar("ns-wide", "shop", hosts: ["./*"], created: 1)
                + sidecar("for-web", "shop", hosts: ["*/*"], selector: "web", created: 0),
            namespace: "shop", app: "cart", expected: "shop/ns-wide"),
        Case(
            name: "oldest selector-less Sidecar wins",
            sidecars: sidecar("newer", "shop", hosts: ["./*"], created: 9) + sidecar("older", "shop", hosts: ["*/*"], created: 2),
            namespace: "shop", app: "cart", expected: "shop/older"),
        Case(
            name: "oldest matching selector Sidecar wins",
            sidecars: sidecar("b", "shop", hosts: ["./*"], selector: "cart", created: 9)
                + sidecar("a", "shop", hosts: ["*/*"], selector: "cart", created: 3),
            namespace: "shop", app: "cart", expected: "shop/a"),
        Case(
            name: "root namespace Sidecar applies when the namespace has none",
            sidecars: sidecar("default", "istio-system", hosts: ["./*", "istio-system/*"]),
            namespace: "shop", app: "cart", expected: "istio-system/default"),
        Case(
            name: "non-matching selector Sidecars fall through to the root Sidecar",
            sidecars: sidecar("default", "istio-system", hosts: ["./*"])
                + sidecar("for-web", "shop", hosts: ["*/*"], selector: "web"),
            namespace: "shop", app: "cart", expected: "istio-system/default"),
        Case(
            name: "a selector Sidecar in the root namespace does not apply elsewhere",
            sidecars: sidecar("root-cart", "istio-system", hosts: ["./*"], selector: "cart"),
            namespace: "shop", app: "cart", expected: nil),
        Case(
            name: "a selector Sidecar in the root namespace applies to root-namespace workloads",
            sidecars: sidecar("root-cart", "istio-system", hosts: ["./*"], selector: "cart"),
            namespace: "istio-system", app: "cart", expected: "istio-system/root-cart"),
        Case(
            name: "namespace Sidecar beats the root Sidecar",
            sidecars: sidecar("default", "istio-system", hosts: ["./*"]) + sidecar("mine", "shop", hosts: ["*/*"], created: 50),
            namespace: "shop", app: "cart", expected: "shop/mine"),
    ]

    @Test("picks the Sidecar Istio picks", arguments: cases)
    func picksSidecar(_ testCase: Case) throws {
        let engine = ScopeEngine(inventory: try inventory(testCase.sidecars))
        let selection = engine.selectSidecar(namespace: testCase.namespace, labels: ["app": testCase.app])
        #expect(selection.sidecar?.meta.qualifiedName == testCase.expected, "\(selection.reason)")
    }

    @Test("a candidate Sidecar replaces the one with its name and keeps its age")
    func candidateReplacesSameName() throws {
        let engine = ScopeEngine(inventory: try inventory(
            sidecar("a", "shop", hosts: ["*/*"], created: 1) + sidecar("b", "shop", hosts: ["./*"], created: 2)))
        var candidate = engine.inventory.sidecars.first { $0.meta.name == "a" }
        candidate?.egress = [SidecarEgressListener(hosts: ["./*"])]
        let selection = engine.selectSidecar(namespace: "shop", labels: [:], candidate: candidate)
        #expect(selection.sidecar?.meta.name == "a")
        #expect(selection.sidecar?.egress.first?.hosts == ["./*"])
    }

    @Test("a new selector-less candidate is shadowed by an older namespace Sidecar, and says so")
    func candidateShadowed() throws {
        let engine = ScopeEngine(inventory: try inventory(sidecar("existing", "shop", hosts: ["*/*"])))
        let candidate = Sidecar(meta: ObjectMeta(name: "new", namespace: "shop"), egress: [.init(hosts: ["./*"])])
        let selection = engine.selectSidecar(namespace: "shop", labels: [:], candidate: candidate)
        #expect(selection.sidecar?.meta.name == "existing")
        #expect(selection.warnings.contains { $0.contains("shop/new has no effect") })
    }

    @Test("a workload Sidecar without egress imports everything and is warned about (istio/istio#59376)")
    func workloadSidecarWithoutEgress() throws {
        let yaml = service("a", "other") + sidecar("default", "istio-system", hosts: ["./*"]) + """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: ingress-only, namespace: shop}
            spec:
              workloadSelector: {labels: {app: cart}}
              ingress:
              - port: {number: 9080, protocol: HTTP, name: http}
                defaultEndpoint: 127.0.0.1:8080
            """
        let scope = ScopeEngine(inventory: try inventory(yaml)).scope(namespace: "shop", labels: ["app": "cart"])
        #expect(scope.sidecar?.meta.name == "ingress-only")
        #expect(hostnames(scope) == ["a.other.svc.cluster.local"])
        #expect(scope.warnings.contains { $0.contains("59376") })
        #expect(scope.clusters.contains { $0.name == "inbound|9080||" })
    }
}
