import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// Issue #11: the pods list marks gateway proxies, which keep the default scope, instead of showing them as
/// sidecars without a Sidecar.
@Suite("Pods list: gateways")
struct GatewayRowTests {
    @Test("a gateway's SIDECAR cell says gateway; a sidecar without a Sidecar still says none")
    func gatewayMarker() {
        let gateway = Pod(meta: ObjectMeta(name: "istio-ingressgateway-1", namespace: "istio-system", labels: ["istio": "ingressgateway"]))
        let sidecar = Pod(meta: ObjectMeta(name: "web-1", namespace: "istio-system", labels: ["app": "web"]))
        let analysis = MeshAnalysis(inventory: MeshInventory(pods: [gateway, sidecar]), observations: [], source: "test")
        let cells = Dictionary(analysis.pods.map { ($0.pod.name, PodsView.cells($0)) }, uniquingKeysWith: { a, _ in a })
        #expect(cells["istio-ingressgateway-1"]?[6].text == "gateway (*/*)")
        #expect(cells["istio-ingressgateway-1"]?[6].short == "gateway")
        #expect(cells["web-1"]?[6].text == "none (*/*)")
    }

    @Test("e on a gateway explains that no Sidecar applies instead of opening the label picker")
    func noEditorForGateways() {
        let gateway = Pod(meta: ObjectMeta(name: "istio-ingressgateway-1", namespace: "istio-system", labels: ["istio": "ingressgateway"]))
        let analysis = MeshAnalysis(inventory: MeshInventory(pods: [gateway]), observations: [], source: "test")
        var state = AppState(width: 120, height: 40, sourceLabel: "test")
        let summary = analysis.pods[0]
        _ = openLabelPicker(&state, summary: summary)
        #expect(state.flash?.message.contains("is a gateway") == true)
    }
}
