import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// A question is on screen before it takes a key, keys typed before it appeared never answer it, and nothing acts
/// while the terminal is too small to show what it acts on.
@Suite("Questions and the too-small screen")
struct QuestionVisibilityTests {
    /// A runtime over the test mesh whose write effect answers "exists" for the first write and "written" after.
    func overwriteRuntime(_ script: [TerminalEvent?]) -> (Runtime<ScriptedTerminal>, ScriptedTerminal, Writes) {
        let terminal = ScriptedTerminal(width: 80, height: 24, script: script)
        let inbox = Inbox()
        inbox.post(.loaded(TestMesh.data))
        let writes = Writes()
        let runtime = Runtime(state: AppState(width: 80, height: 24, sourceLabel: "test-mesh.json"), terminal: terminal, inbox: inbox) {
            effect in
            guard case .writeFile(let path, _, let overwrite) = effect else { return }
            writes.overwrites.append(overwrite)
            inbox.post(overwrite ? .fileWritten(path: path) : .fileExists(path: path))
        }
        return (runtime, terminal, writes)
    }

    /// The writes the effect handler saw: `overwrite` of each.
    final class Writes {
        var overwrites: [Bool] = []
    }

    /// Keys that open the editor, choose a host, open the preview and write (enter takes the default path).
    static let writeKeys: [TerminalEvent?] = [nil, .key(.character("e")), .key(.character("1")), .key(.character("y")), .key(.character("w")), .key(.enter)]

    @Test("A y typed before the overwrite question appeared does not answer it; the question is drawn, then n keeps the file")
    func typeaheadNeverAnswers() throws {
        let script = Self.writeKeys + [.key(.character("y")), .key(.character("a")), nil, .key(.character("n")), nil, .key(.character("q"))]
        let (runtime, terminal, writes) = overwriteRuntime(script)
        runtime.run()
        #expect(writes.overwrites == [false], "only the first write, never an overwrite")
        #expect(terminal.discarded == [.key(.character("y")), .key(.character("a"))])
        let asked = try #require(terminal.frames.firstIndex { $0.text.contains("Overwrite? (y/N)") && $0.text.contains("┌─ confirm ─") })
        let kept = try #require(terminal.frames.firstIndex { $0.text.contains("was left as it was") })
        #expect(asked < kept)
        #expect(!terminal.ranOut)
    }

    @Test("A y pressed after the question is on screen answers it")
    func keyAfterTheQuestionAnswers() {
        let script = Self.writeKeys + [nil, .key(.character("y")), nil, .key(.character("q"))]
        let (runtime, terminal, writes) = overwriteRuntime(script)
        runtime.run()
        #expect(writes.overwrites == [false, true])
        #expect(terminal.discarded.isEmpty)
    }

    @Test("A resize typed ahead of a question survives the discard")
    func resizeSurvivesDiscard() {
        let script = Self.writeKeys + [.key(.character("y")), .resize(width: 100, height: 30), nil, .key(.character("q"))]
        let (runtime, terminal, _) = overwriteRuntime(script)
        let final = runtime.run()
        #expect(terminal.discarded == [.key(.character("y"))])
        #expect(terminal.lastFrame?.width == 100)
        #expect(final.width == 100)
    }

    @Test("Keys typed while a write is on its way act on nothing: not the preview below, not the question it brings")
    func keysDuringWriteAreDropped() throws {
        var state = TestMesh.state()
        state.press(.character("e"), .character("1"), .character("y"), .character("w"))
        let effects = state.press(.enter)
        let write = try #require(effects.first { if case .writeFile = $0 { true } else { false } })
        guard case .writeFile(let path, _, false) = write else { throw TestFailure("not a first write: \(write)") }
        #expect(state.isWriting)
        let before = state
        #expect(state.press(.character("y"), .character("a"), .character("w"), .enter).isEmpty)
        _ = reduce(&state, .mouse(.wheelDown))
        #expect(state == before)
        _ = reduce(&state, .fileExists(path: path))
        #expect(!state.isWriting)
        #expect(state.visibleQuestion != nil)
        #expect(state.press(.character("y")).contains(.writeFile(path: path, contents: try #require(topPreview(state)?.manifest.yaml), overwrite: true)))
        #expect(state.isWriting)
        _ = reduce(&state, .fileWritten(path: path))
        #expect(!state.isWriting)
        #expect(state.checkInvariants() == [])
    }

    @Test("Too small: keys and clicks do nothing, q quits, and a question waits until it can be seen")
    func tooSmallIgnoresKeys() {
        var state = TestMesh.state(width: 80, height: 24)
        _ = reduce(&state, .resize(width: 19, height: 4))
        #expect(state.layout.isTooSmall)
        let before = state
        for key: Key in [.enter, .character("e"), .character("/"), .character(":"), .character("?"), .down, .character("N")] {
            #expect(reduce(&state, .key(key)).isEmpty)
        }
        _ = reduce(&state, .mouse(.click(x: 1, y: 1)))
        _ = reduce(&state, .mouse(.wheelDown))
        #expect(state == before)
        #expect(render(state).text.contains("q quits"))

        state.confirm = ConfirmState(question: "x exists. Overwrite? (y/N)", intent: .overwrite(path: "x", contents: ""))
        #expect(state.visibleQuestion == nil)
        #expect(reduce(&state, .key(.character("y"))).isEmpty)
        #expect(state.confirm != nil, "an invisible question is not answered")
        _ = reduce(&state, .resize(width: 80, height: 24))
        #expect(state.visibleQuestion != nil)

        state.confirm = nil
        _ = reduce(&state, .resize(width: 12, height: 4))
        _ = reduce(&state, .key(.character("q")))
        #expect(state.isQuitting)
    }
}
