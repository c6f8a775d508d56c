import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// The egress editor never produces what it cannot stand behind (issue 12, item 10).
@Suite("Egress editor: what it writes is what it says")
struct EditorTrustTests {
    /// The workload editor of `bookinfo`'s productpage (label picker: `app`).
    func workloadEditor() throws -> AppState {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace("bookinfo")
        state.press(.enter, .character("e"), .enter)
        #expect(try editor(state).target.workloadSelector != nil)
        return state
    }

    @Test("0 then y or w on a workload editor refuses (no hosts: [] preview, no write prompt) and says why")
    func emptySelectionRefused() throws {
        var state = try workloadEditor()
        state.press(.character("1"), .character("0"))
        #expect(try editor(state).hosts.isEmpty)
        state.press(.character("y"))
        #expect(state.top.kind == .editor, "no preview of an invalid hosts: []")
        #expect(state.flash?.kind == .error)
        #expect(state.flash?.message.contains("hosts: [] is invalid") == true)
        let effects = state.press(.character("w"))
        #expect(state.top.kind == .editor && state.prompt == nil, "no write prompt")
        #expect(!effects.contains { if case .writeFile = $0 { true } else { false } })
        // Any host makes it previewable again.
        state.press(.character("1"), .character("y"))
        #expect(state.top.kind == .preview)
    }

    @Test("A partly chosen namespace counts only its cut services' requests as cut")
    func partlyChosenNamespace() throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace("bookinfo")
        state.press(.character("e"), .character("2"))
        // Uncheck one observed service of bookinfo: only its requests are cut.
        let service = EditorRow.service(namespace: "bookinfo", hostname: "details.bookinfo.svc.cluster.local")
        let row = try #require(try editor(state).rows.firstIndex(of: service))
        state.press(.home)
        while try editor(state).cursor < row { state.press(.down) }
        state.press(.character(" "))
        let current = try editor(state)
        let cut = current.impact.cutDestinations.reduce(0) { $0 + $1.requests }
        let total = try #require(current.observedByNamespace["bookinfo"])
        try #require(cut > 0 && cut < total, "one service cut, others kept")
        let text = render(state).text
        #expect(text.contains("✗ \(Formatting.count(cut)) of \(Formatting.count(total)) req cut"))
        #expect(!text.contains("✗ \(Formatting.count(total)) req cut"), "the whole namespace is not cut")
    }

    /// Every namespace with a Sidecar editor, under every preset that chooses hosts.
    static let cases: [(String, Key)] = ["bookinfo", "payments", "shipping", "scoped"].flatMap { namespace in
        [Key.character("1"), .character("2"), .character("3")].map { (namespace, $0) }
    }

    @Test("VALIDATION is the validation of exactly the YAML shown", arguments: cases)
    func validationOfShownYAML(_ namespace: String, _ preset: Key) throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace(namespace)
        state.press(.character("e"), preset, .character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview for \(namespace)") }
        let shown = preview.lines.filter { $0.kind == .yaml }.map(\.text).joined(separator: "\n") + "\n"
        let document = try #require(try SidecarDocumentReader.read(shown).sidecars.first)
        let expected = document.problems + SidecarValidator(version: TestMesh.data.istioVersion).validate(document.sidecar, details: document.details)
        #expect(preview.problems == expected)
    }

    @Test("After w wrote the selection, esc leaves the editor without asking")
    func writtenSelectionLeaves() throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace("bookinfo")
        state.press(.character("e"), .character("1"), .character("y"))
        #expect(state.top.kind == .preview)
        _ = reduce(&state, .fileWritten(path: "/tmp/sidecar-bookinfo.yaml"))
        state.press(.escape)
        #expect(state.top.kind == .editor)
        state.press(.escape)
        #expect(state.confirm == nil && state.top.kind == .namespaces, "written: nothing to discard")
    }

    @Test("esc on a changed selection asks \"discard changes?\"; n keeps it, y leaves; unchanged leaves at once")
    func escapeAsks() throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace("bookinfo")
        state.press(.character("e"))
        state.press(.escape)
        #expect(state.top.kind == .namespaces, "nothing changed: esc leaves")
        state.press(.character("e"), .character("1"), .escape)
        #expect(state.confirm?.intent == .discardEditorChanges)
        #expect(render(state).text.contains("Discard the changed selection"))
        state.press(.character("n"))
        #expect(state.confirm == nil)
        #expect(try editor(state).hosts == ["./*", "istio-system/*"], "kept")
        state.press(.escape, .character("y"))
        #expect(state.top.kind == .namespaces)
        // The question takes its keys from the confirm key table: esc there says no.
        state.press(.character("e"), .character("1"), .escape)
        #expect(KeyMap.confirm.binding(for: .escape)?.command == .answerNo)
        state.press(.escape)
        #expect(state.top.kind == .editor && state.confirm == nil)
    }
}
