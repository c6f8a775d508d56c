import MeshtrimCore
import Testing
@testable import MeshtrimUI

@Suite("Runtime loop")
struct RuntimeTests {
    /// A runtime on a scripted terminal whose inbox already holds the loaded mesh.
    func runtime(_ script: [TerminalEvent?], width: Int = 80, height: Int = 24, effects: @escaping (Effect, Inbox) -> Void = { _, _ in })
        -> (Runtime<ScriptedTerminal>, ScriptedTerminal)
    {
        let terminal = ScriptedTerminal(width: width, height: height, script: script)
        let inbox = Inbox()
        inbox.post(.loaded(TestMesh.data))
        let state = AppState(width: width, height: height, sourceLabel: "test-mesh.json")
        let runtime = Runtime(state: state, terminal: terminal, inbox: inbox) { effects($0, inbox) }
        return (runtime, terminal)
    }

    @Test("The first frame shows loading at once; posted actions and keys follow; q ends the loop")
    func journey() {
        let (runtime, terminal) = runtime([nil, .key(.enter), .key(.enter), .key(.character("q"))])
        let final = runtime.run()
        #expect(final.isQuitting)
        #expect(!terminal.ranOut)
        #expect(terminal.frames.first?.text.contains("loading test-mesh.json…") == true)
        #expect(terminal.frames.contains { $0.text.contains("CLUSTERS/SIDECAR") })
        #expect(terminal.lastFrame?.text.contains("SERVICE FQDN") == true)
        #expect(final.breadcrumbs == ["namespaces", "bookinfo", "productpage-v1-6b746f74dc-9stvs"])
        #expect(!terminal.isClosed, "the caller closes the terminal")
    }

    @Test("Idle polls draw nothing: frames only when the state changed")
    func drawsOnlyOnChange() {
        let (runtime, terminal) = runtime([nil, nil, nil, nil, .key(.down), nil, nil, .key(.character("q"))])
        runtime.run()
        // loading, loaded (after the first poll drains the inbox), moved down; the quitting state is not drawn.
        #expect(terminal.frames.count == 3)
        #expect(runtime.framesDrawn == 3)
    }

    @Test("A resize event redraws at the new size and moves the hint bar")
    func resize() {
        let (runtime, terminal) = runtime([nil, .resize(width: 60, height: 12), .key(.character("q"))])
        let final = runtime.run()
        #expect(final.width == 60 && final.height == 12)
        let last = terminal.lastFrame
        #expect(last?.width == 60 && last?.height == 12)
        #expect(last?.line(11).contains("enter pods") == true)
    }

    @Test("The terminal's real size wins over the initial state's")
    func initialSize() {
        let terminal = ScriptedTerminal(width: 50, height: 15, keys: [.character("q")])
        let runtime = Runtime(state: AppState(width: 80, height: 24, sourceLabel: "x"), terminal: terminal) { _ in }
        runtime.run()
        #expect(terminal.frames.first?.width == 50)
    }

    @Test("Effects go to the handler; what it posts back is reduced on the next turn")
    func effectsRoundTrip() {
        var written: [String] = []
        let script: [TerminalEvent?] =
            [nil, .key(.character("e")), .key(.character("1")), .key(.character("y")), .key(.character("w")), .key(.enter), nil, nil, .key(.character("q"))]
        let (runtime, terminal) = runtime(script) { effect, inbox in
            if case .writeFile(let path, let contents, _) = effect {
                written.append(contents)
                inbox.post(.fileWritten(path: "/tmp/" + path))
            }
        }
        runtime.run()
        #expect(written.count == 1)
        #expect(written.first?.contains("kind: Sidecar") == true)
        #expect(terminal.frames.contains { $0.text.contains("✓ wrote /tmp/sidecar-bookinfo.yaml") })
    }

    @Test("A script that never quits ends with ctrl-c from the terminal (and says so)")
    func runsOut() {
        let terminal = ScriptedTerminal(width: 40, height: 10, script: [], idleLimit: 3)
        let runtime = Runtime(state: AppState(width: 40, height: 10, sourceLabel: "x"), terminal: terminal) { _ in }
        #expect(runtime.run().isQuitting)
        #expect(terminal.ranOut)
    }

    @Test("The inbox keeps every action posted from many tasks, in per-task order")
    func inboxUnderLoad() async {
        let inbox = Inbox()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<200 { inbox.post(.tick(id: task * 1000 + index)) }
                }
            }
        }
        let drained = inbox.drain()
        #expect(drained.count == 1600)
        #expect(inbox.drain().isEmpty)
        for task in 0..<8 {
            let ids = drained.compactMap { action -> Int? in
                if case .tick(let id) = action, id / 1000 == task { return id }
                return nil
            }
            #expect(ids == ids.sorted())
        }
    }
}
