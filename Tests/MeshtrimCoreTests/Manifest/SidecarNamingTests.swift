import Testing

@testable import MeshtrimCore

/// One rule names the Sidecar meshtrim writes, in the editor, `recommend` and `plan` (issue #13 item 5).
@Suite("SidecarNaming")
struct SidecarNamingTests {
    @Test(arguments: [
        (["app": "cart"], "cart"),
        (["app": "cart", "app.kubernetes.io/name": "basket"], "cart"),
        (["app.kubernetes.io/name": "basket", "version": "v2"], "basket"),
        (["tier": "web", "team": "shop"], "shop-web"),
        (["app": "Cart_Service.v2"], "cart-service-v2"),
        (["app": "-edge-"], "edge"),
        (["app": "___"], "workload"),
        (["app": String(repeating: "a", count: 70)], String(repeating: "a", count: 63)),
        (["team": String(repeating: "b", count: 40), "tier": String(repeating: "c", count: 40)], String(repeating: "b", count: 40) + "-" + String(repeating: "c", count: 22)),
    ])
    func workloadNames(_ selector: [String: String], _ expected: String) {
        let name = SidecarNaming.workloadName(selector: selector)
        #expect(name == expected)
        #expect(name.count <= 63 && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
    }

    static let existing = Sidecar(
        meta: ObjectMeta(name: "cart-egress", namespace: "shop"), workloadSelector: LabelSelector(["app": "cart"]),
        egress: [SidecarEgressListener(hosts: ["./*"])])
    static let namespaceWide = Sidecar(meta: ObjectMeta(name: "narrow", namespace: "shop"), egress: [SidecarEgressListener(hosts: ["./*"])])

    @Test func anExistingSidecarWithTheSameSelectorKeepsItsNameAndIsEdited() {
        let choice = SidecarNaming.choose(namespace: "shop", selector: ["app": "cart"], sidecars: [Self.existing, Self.namespaceWide])
        #expect(choice.name == "cart-egress")
        #expect(choice.workload == "cart")
        #expect(choice.replacing == Self.existing)
        let wide = SidecarNaming.choose(namespace: "shop", selector: nil, sidecars: [Self.existing, Self.namespaceWide])
        #expect(wide.name == "narrow" && wide.workload == nil && wide.replacing == Self.namespaceWide)
    }

    @Test func otherwiseTheWorkloadOrDefault() {
        #expect(SidecarNaming.choose(namespace: "shop", selector: ["app": "web"], sidecars: [Self.existing]).name == "web")
        #expect(SidecarNaming.choose(namespace: "shop", selector: ["app": "web"], sidecars: [Self.existing]).replacing == nil)
        #expect(SidecarNaming.choose(namespace: "shop", selector: [:], sidecars: []).name == "default")
        #expect(SidecarNaming.choose(namespace: "other", selector: ["app": "cart"], sidecars: [Self.existing]).name == "cart")
    }

    @Test func anExplicitNameWinsAndReplacesOnlyTheSameNameAndSelector() {
        let given = SidecarNaming.choose(namespace: "shop", selector: ["app": "cart"], explicitName: "mine", sidecars: [Self.existing])
        #expect(given.name == "mine" && given.replacing == nil)
        let same = SidecarNaming.choose(namespace: "shop", selector: ["app": "cart"], explicitName: "cart-egress", sidecars: [Self.existing])
        #expect(same.replacing == Self.existing)
    }

    /// `recommend` and the editor name a selector without `app` the same way (they differed: the first sorted value
    /// against the joined values).
    @Test func recommendUsesTheRule() throws {
        let inventory = MeshInventory(
            namespaces: [MeshNamespace(meta: ObjectMeta(name: "shop"))],
            pods: [Pod(meta: ObjectMeta(name: "w-1", namespace: "shop", labels: ["team": "shop", "tier": "web"]), readyContainers: 2, hasSidecar: true)])
        let analysis = MeshAnalysis(inventory: inventory, observations: [], source: "test")
        let recommender = EgressRecommender(analysis: analysis)
        let selector = ["team": "shop", "tier": "web"]
        let recommendation = recommender.recommend(
            namespace: "shop", workloadSelector: selector, evidence: recommender.counterEvidence(namespace: "shop", workloadSelector: selector))
        #expect(recommendation.manifest.name == "shop-web")
        #expect(recommendation.manifest.fileName == "sidecar-shop-shop-web.yaml")
    }
}
