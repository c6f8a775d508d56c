import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// docs/safety-checks.md: each check on small inventories, and the lint against Istio's own analyzer fixtures.
@Suite("Sidecar safety checks")
struct SidecarSafetyCheckerTests {
    // MARK: Istio's analyzer fixtures

    struct AnalyzerCase: CustomTestStringConvertible, Sendable {
        let fixture: String
        /// (code, subject) pairs istio's analyzers_test.go expects, plus meshtrim's extra findings where noted.
        let expected: Set<String>
        var testDescription: String { fixture }
    }

    /// `pkg/config/analysis/analyzers/analyzers_test.go`: `sidecarSelector` and `sidecarDefaultSelector` (the latter
    /// run through SelectorAnalyzer, which also reports IST0167 for ambient).
    static let analyzerCases: [AnalyzerCase] = [
        AnalyzerCase(
            fixture: "pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml",
            expected: [
                "IST0101 Sidecar default/maps-to-nonexistent", "IST0101 Sidecar other/maps-to-different-ns",
                "IST0110 Sidecar default/dupe-1", "IST0110 Sidecar default/dupe-2",
                "IST0110 Sidecar default/overlap-1", "IST0110 Sidecar default/overlap-2",
            ]),
        AnalyzerCase(
            fixture: "pkg/config/analysis/analyzers/testdata/sidecar-default-selector.yaml",
            expected: [
                "IST0111 Sidecar ns2/has-conflict-2", "IST0111 Sidecar ns2/has-conflict-1",
                "IST0167 Sidecar ns-ambient/namespace-scoped", "IST0167 Sidecar ns-ambient/pod-scoped",
                // pod-scoped has no egress (MT0003), but in ambient mode it has no effect at all, so only IST0167.
            ]),
    ]

    @Test("the inventory lint reports what istioctl analyze reports", arguments: analyzerCases)
    func lintMatchesIstio(_ test: AnalyzerCase) throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio(test.fixture).path])
        let analysis = MeshAnalysis(inventory: set.inventory, observations: [], source: "fixture")
        let findings = analysis.safetyFindings()
        let got = Set(findings.map { "\($0.code) \($0.subject ?? "")" })
        #expect(got == test.expected)
        #expect(findings.count == test.expected.count, "one finding per Sidecar and code: \(findings.map(\.description))")
    }

    @Test("conflicting selectors name the pod they share")
    func conflictNamesPod() throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml").path])
        let findings = MeshAnalysis(inventory: set.inventory, observations: [], source: "fixture").safetyFindings()
        let dupe = try #require(findings.first { $0.subject == "Sidecar default/dupe-1" })
        #expect(dupe.severity == .error)
        #expect(dupe.message.contains("pod reviews"))
        #expect(dupe.message.contains("dupe-1, dupe-2"))
        let overlap = try #require(findings.first { $0.subject == "Sidecar default/overlap-2" })
        #expect(overlap.message.contains("pod ratings"))
        let missing = try #require(findings.first { $0.subject == "Sidecar other/maps-to-different-ns" })
        #expect(missing.message.contains("app=reviews"))
    }

    @Test("a proposed Sidecar in an analyzer fixture: the same conflicts, as the candidate sees them")
    func candidateAgainstFixture() throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml").path])
        let analysis = MeshAnalysis(inventory: set.inventory, observations: [], source: "fixture")
        let third = SidecarManifest(namespace: "default", hosts: ["./*", "istio-system/*"], workload: "reviews", workloadSelector: ["app": "reviews"])
        let findings = analysis.safetyFindings(for: third)
        let conflicts = findings.filter { $0.code == "IST0110" }
        #expect(conflicts.count == 2)
        #expect(conflicts.allSatisfy { $0.message.contains("reviews") && $0.severity == .error })
        // Replacing dupe-1 by name conflicts only with dupe-2.
        let replacing = SidecarManifest(
            namespace: "default", hosts: ["./*", "istio-system/*"], name: "dupe-1", workload: "reviews", workloadSelector: ["app": "reviews"])
        #expect(analysis.safetyFindings(for: replacing).filter { $0.code == "IST0110" }.map(\.message).allSatisfy { $0.contains("default/dupe-2") })
        #expect(analysis.safetyFindings(for: replacing).filter { $0.code == "IST0110" }.count == 1)
    }

    // MARK: Each check on a small mesh

    static let mesh = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: lake
          labels:
            istio.io/dataplane-mode: ambient
        ---
        \(pod("cart-1", "shop", app: "cart"))\(pod("cart-2", "shop", app: "cart"))\(pod("web-1", "shop", app: "web"))\
        \(pod("fish-1", "lake", app: "fish"))\
        \(service("cart", "shop"))\(service("web", "shop"))\(service("pay", "bank"))\(service("istiod", "istio-system", ports: [15012]))
        """

    static func pod(_ name: String, _ namespace: String, app: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: \(namespace)
          labels:
            app: \(app)
        spec:
          containers:
          - name: app
          - name: istio-proxy
            image: docker.io/istio/proxyv2:1.31.0
        ---

        """
    }

    static func analysis(extra: String = "", observations: [ProxyObservation] = []) throws -> MeshAnalysis {
        MeshAnalysis(inventory: try inventory(mesh + "---\n" + extra), observations: observations, source: "test")
    }

    @Test("MT0001: observed traffic the Sidecar would cut names host, requests and pods; an error under REGISTRY_ONLY")
    func cutTraffic() throws {
        let observations = [
            ProxyObservation(
                namespace: "shop", pod: "cart-1",
                destinations: [ObservedDestination(host: "pay.bank.svc.cluster.local", namespace: "bank", requests: 42)]),
            ProxyObservation(
                namespace: "shop", pod: "cart-2",
                destinations: [ObservedDestination(host: "pay.bank.svc.cluster.local", namespace: "bank", requests: 8)]),
        ]
        let analysis = try Self.analysis(observations: observations)
        let narrow = SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"])
        let finding = try #require(analysis.safetyFindings(for: narrow).first { $0.code == "MT0001" })
        #expect(finding.severity == .warning, "ALLOW_ANY: the calls leave through PassthroughCluster")
        #expect(finding.message.contains("PassthroughCluster"))
        #expect(finding.message.hasPrefix("pay.bank.svc.cluster.local: 50 requests"))
        #expect(finding.message.contains("cart-1, cart-2"))
        #expect(finding.message.contains("\"bank/pay.bank.svc.cluster.local\""))
        var blocking = narrow
        blocking.outboundTrafficPolicy = .registryOnly
        let blocked = try #require(analysis.safetyFindings(for: blocking).first { $0.code == "MT0001" })
        #expect(blocked.severity == .error)
        #expect(blocked.message.contains("BlackHoleCluster"))
        var meshBlocking = analysis.inventory
        meshBlocking.meshConfig.outboundTrafficPolicy = .registryOnly
        let strict = MeshAnalysis(inventory: meshBlocking, observations: observations, source: "test")
        #expect(strict.safetyFindings(for: narrow).first { $0.code == "MT0001" }?.severity == .error)
        let wide = SidecarManifest(namespace: "shop", hosts: ["./*", "bank/*", "istio-system/*"])
        #expect(!analysis.safetyFindings(for: wide).contains { $0.code == "MT0001" })
    }

    @Test("MT0002: the istiod namespace must stay imported", arguments: [
        (["./*"], true), (["./*", "istio-system/*"], false), (["*/*"], false),
        (["./*", "*/istiod.istio-system.svc.cluster.local"], false), (["./*", "istio-system/foo.example.com"], true),
        (["~/*"], true),
    ])
    func istiodNamespace(hosts: [String], warns: Bool) throws {
        let analysis = try Self.analysis()
        let findings = analysis.safetyFindings(for: SidecarManifest(namespace: "shop", hosts: hosts))
        #expect(findings.contains { $0.code == "MT0002" && $0.severity == .warning } == warns)
    }

    @Test("MT0002: in the root namespace \"./*\" means each proxy's namespace, so it does not cover istiod's")
    func istiodFromRoot() throws {
        let analysis = try Self.analysis()
        let root = SidecarManifest(namespace: "istio-system", hosts: ["./*"])
        #expect(analysis.safetyFindings(for: root).contains { $0.code == "MT0002" })
        let local = SidecarManifest(namespace: "istio-system", hosts: ["./*"], workload: "gw", workloadSelector: ["app": "gw"])
        #expect(!analysis.safetyFindings(for: local).contains { $0.code == "MT0002" })
    }

    @Test("MT0003: a workload Sidecar without egress imports */* (istio/istio#59376)")
    func noEgress() throws {
        let analysis = try Self.analysis()
        let bare = Sidecar(meta: ObjectMeta(name: "cart", namespace: "shop"), workloadSelector: LabelSelector(["app": "cart"]))
        let finding = try #require(analysis.safetyFindings(for: bare).first { $0.code == "MT0003" })
        #expect(finding.message.contains("59376"))
        let namespaceWide = Sidecar(meta: ObjectMeta(name: "default", namespace: "shop"))
        #expect(!analysis.safetyFindings(for: namespaceWide).contains { $0.code == "MT0003" })
    }

    @Test("IST0167: a Sidecar in an ambient namespace has no effect; an injection label overrides the ambient one")
    func ambient() throws {
        let analysis = try Self.analysis()
        let lake = SidecarManifest(namespace: "lake", hosts: ["./*", "istio-system/*"])
        let finding = try #require(analysis.safetyFindings(for: lake).first { $0.code == "IST0167" })
        #expect(finding.message.contains("ambient"))
        let bare = SidecarManifest(namespace: "lake", hosts: ["./*"])
        #expect(analysis.safetyFindings(for: bare).map(\.code) == ["IST0167"], "no MT0002 for a Sidecar without effect")
        // A selector that picks ambient and sidecar pods: the warning names the ambient one, the other checks still run.
        let mixed = try Self.analysis(extra: """
            apiVersion: v1
            kind: Pod
            metadata:
              name: cart-ambient
              namespace: shop
              labels:
                app: cart
              annotations:
                ambient.istio.io/redirection: enabled
            spec:
              containers:
              - name: app
            """)
        let carts = SidecarManifest(namespace: "shop", hosts: ["./*"], workload: "cart", workloadSelector: ["app": "cart"])
        let findings = mixed.safetyFindings(for: carts)
        #expect(findings.map(\.code) == ["IST0167", "MT0002"])
        #expect(findings.first?.message.contains("(cart-ambient)") == true)
        #expect(!analysis.safetyFindings(for: SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"])).contains { $0.code == "IST0167" })
        let injected = try Self.analysis(extra: """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: both
              labels:
                istio.io/dataplane-mode: ambient
                istio-injection: enabled
            """)
        #expect(!injected.safetyFindings(for: SidecarManifest(namespace: "both", hosts: ["./*"])).contains { $0.code == "IST0167" })
    }

    @Test("IST0111: a second selector-less Sidecar conflicts; one with the same name replaces it")
    func secondNamespaceSidecar() throws {
        let analysis = try Self.analysis(extra: sidecar("default", "shop", hosts: ["*/*"]))
        let other = SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"], name: "trim")
        let finding = try #require(analysis.safetyFindings(for: other).first { $0.code == "IST0111" })
        #expect(finding.severity == .error)
        #expect(finding.message.contains("default, trim"))
        let same = SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"])
        #expect(!analysis.safetyFindings(for: same).contains { $0.code == "IST0111" })
    }

    @Test("IST0110: overlapping selectors name the shared pods; IST0101: a selector without pods warns")
    func selectors() throws {
        let analysis = try Self.analysis(extra: sidecar("carts", "shop", hosts: ["./*"], selector: "cart"))
        let overlap = SidecarManifest(
            namespace: "shop", hosts: ["./*", "istio-system/*"], name: "cart-trim", workload: "cart", workloadSelector: ["app": "cart"])
        let finding = try #require(analysis.safetyFindings(for: overlap).first { $0.code == "IST0110" })
        #expect(finding.message.contains("cart-1, cart-2"))
        #expect(finding.message.contains("shop/carts"))
        let disjoint = SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"], workload: "web", workloadSelector: ["app": "web"])
        #expect(analysis.safetyFindings(for: disjoint).isEmpty)
        let nobody = SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"], workload: "ghost", workloadSelector: ["app": "ghost"])
        let none = try #require(analysis.safetyFindings(for: nobody).first { $0.code == "IST0101" })
        #expect(none.severity == .warning)
        #expect(none.message.contains("app=ghost"))
    }

    @Test("MT0004 and MT0005: root-namespace Sidecars")
    func rootNamespace() throws {
        let analysis = try Self.analysis()
        let selected = SidecarManifest(namespace: "istio-system", hosts: ["./*"], workload: "cart", workloadSelector: ["app": "cart"])
        #expect(analysis.safetyFindings(for: selected).contains { $0.code == "MT0004" && $0.severity == .warning })
        let meshWide = SidecarManifest(namespace: "istio-system", hosts: ["./*", "istio-system/*"])
        let info = try #require(analysis.safetyFindings(for: meshWide).first { $0.code == "MT0005" })
        #expect(info.severity == .info)
        #expect(info.message.contains("2 namespace(s)"))
    }

    @Test("request counts are grouped by thousands", arguments: [(0, "0"), (999, "999"), (1_000, "1,000"), (69_921_838, "69,921,838")])
    func grouping(number: Int, text: String) {
        #expect(SidecarSafetyChecker.grouped(number) == text)
    }

    @Test("findings come errors first, and the description reads like istioctl analyze")
    func ordering() throws {
        let observations = [
            ProxyObservation(
                namespace: "shop", pod: "web-1",
                destinations: [ObservedDestination(host: "pay.bank.svc.cluster.local", namespace: "bank", requests: 3)])
        ]
        let analysis = try Self.analysis(extra: sidecar("default", "shop", hosts: ["*/*"]), observations: observations)
        // The checks run istiod before conflicts; the istiod warning must still come after the conflict error.
        let findings = analysis.safetyFindings(
            for: SidecarManifest(namespace: "shop", hosts: ["./*"], name: "trim", outboundTrafficPolicy: .registryOnly))
        // The older "default" keeps applying, so "trim" cuts nothing: no MT0001.
        #expect(findings.map(\.code) == ["IST0111", "MT0002"])
        #expect(findings.map(\.severity) == [.error, .warning])
        #expect(findings.hasErrors)
        #expect(findings[0].description.hasPrefix("Error [IST0111] (Sidecar shop/trim) namespace shop would have"))
        #expect(findings[1].description.hasPrefix("Warning [MT0002] (Sidecar shop/trim) does not import"))
    }
}
