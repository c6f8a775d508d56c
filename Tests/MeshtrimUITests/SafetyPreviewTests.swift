import Foundation
import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// docs/safety-checks.md in the UI: the preview's SAFETY section, the confirmation before writing a Sidecar whose
/// checks found errors, and the memory model's basis in the editor and preview.
@Suite("Safety checks and the memory basis in the editor and preview")
struct SafetyPreviewTests {
    /// The test mesh with REGISTRY_ONLY, where cutting observed traffic is an error.
    static let registryOnly: MeshData = {
        var inventory = TestMesh.inventory
        inventory.meshConfig.outboundTrafficPolicy = .registryOnly
        return MeshData(analysis: MeshAnalysis(inventory: inventory, observations: TestMesh.observations, source: "registry-only.json"))
    }()

    /// The shipping preview after the common fix, which cuts tracker's calls to payments.
    static func shippingPreview(_ data: MeshData = TestMesh.data) -> AppState {
        var state = AppState(data: data, width: 80, height: 24, colorEnabled: true, readOnly: false)
        state.goToNamespace("shipping")
        state.press(.character("e"), .character("1"), .character("y"))
        return state
    }

    @Test("The preview lists the findings in a SAFETY section right after the summary, warnings in yellow")
    func safetySection() throws {
        let state = Self.shippingPreview()
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview") }
        let texts = preview.lines.map(\.text)
        let heading = try #require(texts.firstIndex(of: "SAFETY"))
        let validation = try #require(texts.firstIndex(of: "VALIDATION"))
        #expect(heading < validation)
        let finding = try #require(preview.lines.first { $0.text.hasPrefix("! MT0001 api.payments.svc.cluster.local: 150 requests") })
        #expect(finding.kind == .warning)
        #expect(preview.safety.map(\.code) == ["MT0001"])
        #expect(!preview.hasSafetyErrors)
    }

    @Test("Errors show in red, and w asks first; the default answer writes nothing, y opens the path prompt")
    func errorsAskBeforeWriting() throws {
        var state = Self.shippingPreview(Self.registryOnly)
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview") }
        let finding = try #require(preview.lines.first { $0.text.hasPrefix("✗ MT0001 api.payments.svc.cluster.local") })
        #expect(finding.kind == .error)
        #expect(preview.safety.first?.message.contains("BlackHoleCluster") == true)
        #expect(preview.hasSafetyErrors)
        state.press(.character("w"))
        #expect(state.prompt == nil)
        let question = try #require(state.confirm?.question)
        #expect(question.contains("1 error (MT0001"))
        #expect(render(state).text.contains("write anyway"))
        #expect(!state.press(.enter).contains { if case .writeFile = $0 { return true } else { return false } })
        #expect(state.confirm == nil && state.prompt == nil)
        #expect(state.flash?.message.hasPrefix("not written") == true)
        state.press(.character("w"), .character("y"))
        #expect(state.prompt?.kind == .writePath)
        let effects = state.press(.enter)
        guard case .writeFile(let path, _, let overwrite) = effects.first else {
            Issue.record("no write: \(effects)")
            return
        }
        #expect(path == "sidecar-shipping.yaml" && !overwrite)
    }

    @Test("The safety confirmation reads well at 80×24, 120×40 and 40×10", arguments: [(80, 24), (120, 40), (40, 10)])
    func confirmGolden(width: Int, height: Int) throws {
        var state = AppState(data: Self.registryOnly, width: width, height: height, colorEnabled: true, readOnly: false)
        state.goToNamespace("shipping")
        state.press(.character("e"), .character("1"), .character("y"), .character("w"))
        #expect(state.confirm?.intent == .writeDespiteSafetyErrors)
        #expect(state.checkInvariants() == [])
        try assertGolden(render(state).golden, named: "confirmSafety-\(width)x\(height)")
    }

    @Test("w in the editor goes through the same question")
    func editorWriteAsks() {
        var state = AppState(data: Self.registryOnly, width: 80, height: 24, colorEnabled: true, readOnly: false)
        state.goToNamespace("shipping")
        state.press(.character("e"), .character("1"), .character("w"))
        #expect(state.top.kind == .preview)
        #expect(state.confirm?.intent == .writeDespiteSafetyErrors)
        #expect(state.prompt == nil)
    }

    @Test("A Sidecar without findings says so")
    func clean() throws {
        var state = TestMesh.state()
        state.goToNamespace("bookinfo")
        state.press(.character("e"), .character("2"), .character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview") }
        #expect(preview.safety.isEmpty, "\(preview.safety)")
        #expect(preview.lines.contains { $0.kind == .success && $0.text.hasPrefix("✓ no findings") })
    }

    /// The editor's side panel (right of `│`) as one line, so wrapped sentences read whole.
    static func panelText(_ screen: String) -> String {
        screen.split(separator: "\n").compactMap { line in
            line.firstIndex(of: "│").map { line[line.index(after: $0)...].trimmingCharacters(in: .whitespaces) }
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// `count` observed proxies in one namespace with clusters and memory on a line (base 5 MiB, 30 KiB a cluster).
    static func fittedData(count: Int) -> MeshData {
        let pods = (0..<count).map { index in
            TestMesh.pod("app-\(index)", "fleet", labels: ["app": "app\(index % 3)"])
        }
        var inventory = TestMesh.inventory
        inventory.pods += pods
        inventory.namespaces.append(MeshNamespace(meta: ObjectMeta(name: "fleet")))
        let observations = (0..<count).map { index in
            let clusters = 20 + index * 10
            return ProxyObservation(
                namespace: "fleet", pod: "app-\(index)", envoyAllocatedBytes: 5 * TestMesh.mebibyte + clusters * 30_720,
                activeClusters: clusters)
        }
        return MeshData(analysis: MeshAnalysis(inventory: inventory, observations: observations, source: "fleet.json"))
    }

    @Test("With 8 or more observed proxies the editor and preview say the estimate is a fit, with its figures")
    func fittedBasis() throws {
        let data = Self.fittedData(count: 9)
        #expect(data.analysis.memoryModel.basis == .fitted(proxies: 9))
        var state = AppState(data: data, width: 120, height: 40, colorEnabled: true, readOnly: false)
        state.goToNamespace("fleet")
        state.press(.character("e"), .character("1"))
        let editor = Self.panelText(render(state).text)
        #expect(editor.contains("estimate: fit on 9 proxies (base 5.0Mi, 30Ki per cluster); working set falls only after the pods restart"), "\(editor)")
        state.press(.character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview") }
        #expect(preview.summary.joined().contains("fit on 9 proxies (base 5.0Mi, 30Ki per cluster)"))
    }

    @Test("Without enough observed proxies the editor names the measured table")
    func measuredBasis() throws {
        #expect(TestMesh.data.analysis.memoryModel.basis == .measuredTable)
        var state = AppState(data: TestMesh.data, width: 120, height: 40, colorEnabled: true, readOnly: false)
        state.goToNamespace("shipping")
        state.press(.character("e"), .character("1"))
        let editor = Self.panelText(render(state).text)
        #expect(editor.contains("estimate: Envoy 1.40 measured table; working set falls only after the pods restart"), "\(editor)")
        #expect(!editor.contains("fit on"))
        #expect(Self.fittedData(count: 7).analysis.memoryModel.basis == .measuredTable, "7 proxies are too few to fit on")
    }
}
