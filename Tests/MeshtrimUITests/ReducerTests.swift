import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// The source indices of the rows the namespaces screen shows, as names.
func namespaceNames(_ state: AppState) -> [String] {
    guard let data = state.data, case .namespaces(let screen) = state.top else { return [] }
    return screen.list.rows.map { data.analysis.namespaces[$0].name }
}

/// The editor on top, or a test failure.
func editor(_ state: AppState) throws -> EditorState {
    guard case .editor(let editor) = state.top else { throw TestFailure("the editor is not on top: \(state.breadcrumbs)") }
    return editor
}

@Suite("Lists: sort, filter, navigation")
struct ListReducerTests {
    @Test("Namespaces start sorted by Envoy memory, biggest first")
    func defaultSort() {
        let state = TestMesh.state()
        #expect(namespaceNames(state) == ["bookinfo", "payments", "shipping", "scoped", "istio-system", "legacy"])
    }

    @Test("A sort key sorts by its column; pressing it again reverses")
    func sortAndReverse() {
        var state = TestMesh.state()
        state.press(.character("N"))
        #expect(namespaceNames(state) == ["bookinfo", "istio-system", "legacy", "payments", "scoped", "shipping"])
        state.press(.character("N"))
        #expect(namespaceNames(state) == ["shipping", "scoped", "payments", "legacy", "istio-system", "bookinfo"])
        state.press(.character("M"))
        #expect(namespaceNames(state).first == "bookinfo")
        state.press(.character("M"))
        #expect(namespaceNames(state).last == "bookinfo")
    }

    @Test("Sorting selects the first row of the new order (the old selection is not kept in view)")
    func sortSelectsTop() throws {
        var state = TestMesh.state()
        state.goToNamespace("shipping")
        state.press(.character("N"))
        let data = try #require(state.data)
        guard case .namespaces(let screen) = state.top else { throw TestFailure("not on namespaces: \(state.breadcrumbs)") }
        let index = try #require(screen.list.selectedSource, "a row is selected")
        #expect(data.analysis.namespaces[index].name == "bookinfo")
        #expect(screen.list.selection == 0 && screen.list.offset == 0)
    }

    @Test("The filter applies as typed, ! inverts it, esc in the prompt restores the old one")
    func filter() {
        var state = TestMesh.state()
        state.press(.character("/"))
        state.type("pay")
        #expect(namespaceNames(state) == ["payments"])
        state.press(.enter)
        #expect(state.prompt == nil)
        #expect(namespaceNames(state) == ["payments"])
        state.press(.character("/"), .control("u"))
        state.type("!s")
        #expect(namespaceNames(state) == ["bookinfo", "legacy"])
        state.press(.escape)
        #expect(namespaceNames(state) == ["payments"], "esc restores the filter the prompt started from")
        state.press(.escape)
        #expect(namespaceNames(state).count == 6, "esc on the screen clears the filter first")
        #expect(state.stack.count == 1)
    }

    @Test("A filter that matches nothing shows an explanation, and enter does not crash")
    func emptyFilter() {
        var state = TestMesh.state()
        state.press(.character("/"))
        state.type("zzz")
        state.press(.enter)
        #expect(render(state).text.contains("no namespace matches /zzz"))
        state.press(.enter, .character("e"), .down, .end)
        #expect(state.stack.count == 1)
        #expect(state.checkInvariants() == [])
    }

    @Test("Movement scrolls so the selection stays on screen, also after a resize")
    func scrolling() throws {
        var state = stateOn(.detail, width: 80, height: 12)
        state.press(.end)
        let list = try #require(state.top.list, "the detail screen has a list")
        #expect(list.selection == list.rows.count - 1)
        #expect(list.offset == list.rows.count - state.pageSize)
        _ = reduce(&state, .resize(width: 80, height: 8))
        #expect(state.checkInvariants() == [])
        _ = reduce(&state, .resize(width: 120, height: 40))
        #expect(state.checkInvariants() == [])
        #expect(state.top.list?.offset == 0, "everything fits again")
    }

    @Test("enter drills in, esc goes back, and each screen keeps its selection")
    func drillAndBack() {
        var state = TestMesh.state()
        state.goToNamespace("bookinfo")
        state.press(.enter, .down, .enter)
        #expect(state.breadcrumbs == ["namespaces", "bookinfo", "reviews-v1-545db77b95-kfqzl"])
        state.press(.escape)
        #expect(state.top.list?.selection == 1)
        state.press(.escape)
        #expect(state.breadcrumbs == ["namespaces"])
    }

    @Test("A pod without a sidecar has no detail screen, just a message")
    func podWithoutSidecar() {
        var state = TestMesh.state()
        state.goToNamespace("legacy")
        state.press(.enter, .enter)
        #expect(state.stack.count == 2)
        #expect(state.flash?.message.contains("no istio-proxy") == true)
    }

    @Test("enter on a cluster shows its reason; esc hides it before going back")
    func clusterReason() throws {
        var state = stateOn(.detail)
        state.press(.enter)
        guard case .detail(let detail) = state.top else { throw TestFailure("not on detail") }
        #expect(detail.showsReason)
        #expect(render(state).text.contains("why: "))
        state.press(.escape)
        #expect(state.top.kind == .detail)
        state.press(.escape)
        #expect(state.top.kind == .pods)
    }

    @Test("The mouse wheel scrolls and a click selects, a second click opens")
    func mouse() {
        var state = TestMesh.state()
        _ = reduce(&state, .mouse(.wheelDown))
        #expect(state.top.list?.selection == 3)
        let firstRow = state.layout.firstListRow(for: .namespaces)
        _ = reduce(&state, .mouse(.click(x: 5, y: firstRow + 1)))
        #expect(state.top.list?.selection == 1)
        _ = reduce(&state, .mouse(.click(x: 5, y: firstRow + 1)))
        #expect(state.top.kind == .pods)
        _ = reduce(&state, .mouse(.click(x: 5, y: 0)))
        #expect(state.checkInvariants() == [])
    }
}

@Suite("Prompts and commands")
struct PromptTests {
    @Test("ctrl-u clears, backspace deletes, ctrl-w deletes a word")
    func editing() {
        var state = TestMesh.state()
        state.press(.character(":"))
        state.type("pods bookinfo")
        state.press(.control("w"))
        #expect(state.prompt?.text == "pods ")
        state.press(.backspace)
        #expect(state.prompt?.text == "pods")
        state.press(.control("u"))
        #expect(state.prompt?.text == "")
    }

    @Test("tab completes commands and namespace names")
    func completion() {
        var state = TestMesh.state()
        state.press(.character(":"), .character("p"), .character("o"), .character("d"), .tab)
        #expect(state.prompt?.text == "pods ")
        state.type("sh")
        state.press(.tab)
        #expect(state.prompt?.text == "pods shipping")
        state.press(.enter)
        #expect(state.breadcrumbs == ["namespaces", "shipping"])
    }

    @Test(":ns goes to the namespaces screen, :help opens help, :q quits")
    func commands() {
        var state = stateOn(.detail)
        state.press(.character(":"))
        state.type("ns")
        state.press(.enter)
        #expect(state.breadcrumbs == ["namespaces"])
        state.press(.character(":"))
        state.type("help")
        state.press(.enter)
        #expect(state.help != nil)
        state.press(.escape, .character(":"))
        state.type("q")
        #expect(state.press(.enter) == [.quit])
        #expect(state.isQuitting)
    }

    @Test("An unknown command or namespace is an error flash, not a crash")
    func unknownCommand() {
        var state = TestMesh.state()
        state.press(.character(":"))
        state.type("frobnicate")
        state.press(.enter)
        #expect(state.flash?.kind == .error)
        state.press(.character(":"))
        state.type("pods nowhere")
        state.press(.enter)
        #expect(state.flash?.message == "no namespace nowhere")
        #expect(state.stack.count == 1)
    }

    @Test("ctrl-c quits from inside a prompt, a dialog or help")
    func controlCQuitsEverywhere() {
        for scenario in [Scenario.commandPrompt, .help, .labelPicker, .confirmOverwrite, .editorCustomHostPrompt, .loading] {
            var state = scenario.state(width: 80, height: 24)
            #expect(state.press(.control("c")) == [.quit], "\(scenario)")
            #expect(state.isQuitting)
        }
    }

    @Test("Flashes expire on their own tick only")
    func flashExpiry() {
        var state = TestMesh.state()
        let effects = state.press(.escape)
        guard case .scheduleTick(let id, let milliseconds) = effects.first else {
            Issue.record("no tick scheduled: \(effects)")
            return
        }
        #expect(milliseconds > 0)
        _ = reduce(&state, .tick(id: id + 100))
        #expect(state.flash != nil)
        _ = reduce(&state, .tick(id: id))
        #expect(state.flash == nil)
    }
}

@Suite("Loading")
struct LoadingTests {
    @Test("While loading, keys other than q, ? and ctrl-c do nothing; loaded shows the namespaces")
    func loading() {
        var state = Scenario.loading.state(width: 80, height: 24)
        #expect(render(state).text.contains("analysing 1,560 pods…"))
        state.press(.enter, .character("e"), .down, .character(":"))
        #expect(state.prompt == nil && state.stack.count == 1)
        _ = reduce(&state, .loadProgress("still going"))
        #expect(state.load == .loading("still going"))
        _ = reduce(&state, .loaded(TestMesh.data))
        #expect(namespaceNames(state).count == 6)
        #expect(state.checkInvariants() == [])
    }

    @Test("A load failure is shown; q quits")
    func failure() {
        var state = Scenario.loadFailed.state(width: 80, height: 24)
        #expect(render(state).text.contains("version 9"))
        #expect(state.press(.character("q")) == [.quit])
    }
}
