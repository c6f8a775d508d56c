import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// One key of one screen's table, as a test argument.
struct KeyCase: Sendable, CustomTestStringConvertible {
    let kind: ScreenKind
    let key: Key
    let command: Command

    var testDescription: String { "\(kind.rawValue): \(key)" }

    /// Every key of every screen (screen table, navigation, global).
    static var all: [KeyCase] {
        ScreenKind.allCases.flatMap { kind in
            KeyMap.tables(for: kind, readOnly: false).flatMap { table in
                table.bindings.flatMap { binding in binding.keys.map { KeyCase(kind: kind, key: $0, command: binding.command) } }
            }
        }
    }
}

/// A state on `kind` with the selection in the middle, so every movement key has somewhere to go.
func stateOn(_ kind: ScreenKind, width: Int = 80, height: Int = 12) -> AppState {
    var state = TestMesh.state(width: width, height: height)
    switch kind {
    case .namespaces:
        state.press(.down, .down)
    case .pods:
        state.goToNamespace("bookinfo")
        state.press(.enter, .down, .down)
    case .detail:
        state.goToNamespace("bookinfo")
        state.press(.enter, .enter)
        for _ in 0..<8 { state.press(.down) }
    case .editor:
        state.goToNamespace("bookinfo")
        state.press(.character("e"), .character("a"))
        state.type("*/api.example.com")
        state.press(.enter)
        state.press(.home, .down, .down, .enter, .down)
    case .preview:
        state.goToNamespace("scoped")
        state.press(.character("e"), .character("2"), .character("y"), .down, .down, .down)
    case .apply:
        state.canApplyToCluster = true
        state.goToNamespace("shipping")
        state.press(.character("e"), .character("1"), .character("y"))
        if case .checkApply(let document)? = state.press(.character("a")).first {
            _ = reduce(&state, .applyChecked(ApplyReducerTests.check(document, live: ApplyReducerTests.liveShipping)))
        }
        state.press(.down, .down)
    case .plan:
        // The cursor starts on the first Sidecar's line, below the totals: every movement has somewhere to go.
        state.press(.character(":"))
        state.type("plan")
        state.press(.enter)
    }
    return state
}

@Suite("Key tables")
struct KeyTableTests {
    @Test("Every key of every screen does something and keeps the state consistent", arguments: KeyCase.all)
    func everyKey(_ keyCase: KeyCase) throws {
        var state = stateOn(keyCase.kind)
        #expect(state.top.kind == keyCase.kind)
        #expect(state.checkInvariants() == [])
        let before = state
        let effects = state.press(keyCase.key)
        #expect(state.checkInvariants() == [], "after \(keyCase.key)")
        #expect(state != before || !effects.isEmpty, "\(keyCase.key) changed nothing on \(keyCase.kind)")
        switch keyCase.command {
        case .quit:
            #expect(state.isQuitting && effects == [.quit])
        case .help:
            #expect(state.help != nil)
        case .commandPrompt:
            #expect(state.prompt?.kind == .command)
        case .filter:
            #expect(state.prompt?.kind == .filter)
        case .back:
            // A changed editor selection asks "discard changes?" first.
            #expect(
                state.stack.count == before.stack.count - 1 || keyCase.kind == .namespaces
                    || (keyCase.kind == .editor && state.confirm?.intent == .discardEditorChanges))
        case .up, .pageUp, .top:
            #expect(selectionPosition(state) < selectionPosition(before))
        case .down, .pageDown, .bottom:
            #expect(selectionPosition(state) > selectionPosition(before))
        case .sort(let column):
            #expect(state.top.list?.sort?.column == column)
        case .drillIn:
            #expect(state.stack.count == before.stack.count + 1 || keyCase.kind == .detail)
        case .openEditor:
            #expect(state.top.kind == .editor || state.labelPicker != nil)
        case .openMeshDefault:
            guard case .editor(let editor) = state.top else { throw TestFailure("E did not open the editor") }
            #expect(editor.isMeshDefault)
        case .scrollImpact:
            // A namespace's editor has no breakdown to scroll: it says where the one that scrolls is.
            #expect(state.flash?.message.contains(":mesh") == true)
        case .write:
            #expect(state.prompt?.kind == (keyCase.kind == .plan ? .writePlanDirectory : .writePath))
        case .preview:
            #expect(state.top.kind == .preview)
        case .addHost:
            #expect(state.prompt?.kind == .addHost)
        case .jumpToDiff:
            #expect(selectionPosition(state) > 0)
            #expect(state.top.kind == keyCase.kind)
        case .apply:
            // On the preview of a file source it explains that apply needs a live cluster; on the apply screen y applies.
            let asked = effects.contains { if case .checkApply = $0 { return true } else if case .apply = $0 { return true } else { return false } }
            #expect(asked || state.flash?.message.hasPrefix("apply needs a live cluster") == true)
        case .toggleChoice:
            guard case .apply(let apply) = state.top else { throw TestFailure("not on the apply screen") }
            #expect(apply.choice == .apply)
        case .confirmChoice:
            #expect(state.top.kind == .preview, "enter on the default Cancel goes back")
        case .refresh:
            #expect(effects.first == .refresh)
        case .toggle, .preset, .expand, .collapse, .removeHost:
            break
        case .answerYes, .answerNo:
            throw TestFailure("the question's keys are not a screen's (KeyMap.confirm)")
        case .confirmPrompt, .cancelPrompt, .clearPrompt, .deletePromptWord, .deletePromptCharacter, .completePrompt:
            throw TestFailure("the prompt's keys are not a screen's (KeyMap.prompt)")
        }
    }

    @Test("The hint bar and help come from the same tables as dispatch", arguments: ScreenKind.allCases)
    func hintsMatchDispatch(_ kind: ScreenKind) {
        for binding in KeyMap.hints(for: kind, readOnly: false) {
            #expect(KeyMap.binding(for: binding.keys[0], on: kind)?.command == binding.command)
        }
        let help = KeyMap.helpLines(for: kind, readOnly: false)
        for table in KeyMap.tables(for: kind, readOnly: false) {
            for binding in table.bindings {
                #expect(help.contains(.binding(binding.keyLabel, binding.description)), "\(binding.keyLabel) missing from help")
            }
        }
        let bar = render(stateOn(kind, width: 200, height: 30)).line(29)
        for binding in KeyMap.hints(for: kind, readOnly: false) {
            #expect(bar.contains("\(binding.keys[0]) \(binding.hint)"), "hint bar lacks \(binding.hint): \(bar)")
        }
    }

    @Test("No key is bound twice on one screen", arguments: ScreenKind.allCases)
    func noDuplicateKeys(_ kind: ScreenKind) {
        let keys = KeyMap.tables(for: kind, readOnly: false).flatMap { $0.bindings.flatMap(\.keys) }
        #expect(Set(keys).count == keys.count)
    }

    @Test("Read-only hides dangerous keys and refuses them with a message")
    func readOnly() {
        var state = stateOn(.editor)
        state.readOnly = true
        #expect(!KeyMap.hints(for: .editor, readOnly: true).contains { $0.isDangerous })
        #expect(!KeyMap.helpLines(for: .preview, readOnly: true).contains { if case .binding("w", _) = $0 { return true } else { return false } })
        let before = state.stack
        let effects = state.press(.character("w"))
        #expect(state.prompt == nil)
        #expect(state.stack == before)
        #expect(state.flash?.kind == .error)
        #expect(state.flash?.message.contains("read-only") == true)
        #expect(effects.allSatisfy { if case .writeFile = $0 { return false } else { return true } })
    }
}

/// A state with `table`'s modal open (the loading table: a state still loading).
func stateWithModal(_ table: KeyMap, width: Int = 120, height: Int = 40) -> AppState {
    var state: AppState
    switch table.title {
    case KeyMap.prompt.title:
        state = TestMesh.state(width: width, height: height)
        state.press(.character(":"))
        state.type("pods bookinfo")
        state.prompt?.message = nil
    case KeyMap.confirm.title:
        state = stateOn(.editor, width: width, height: height)
        state.press(.escape)
    case KeyMap.labelPicker.title:
        state = TestMesh.state(width: width, height: height)
        state.goToNamespace("bookinfo")
        state.press(.enter, .character("e"))
    case KeyMap.helpOverlay.title:
        state = TestMesh.state(width: width, height: 12)
        state.press(.character("?"), .down)
    default:
        state = AppState(width: width, height: height, sourceLabel: "test")
    }
    return state
}

@Suite("Modal key tables")
struct ModalKeyTableTests {
    static let tables = KeyMap.modals + [KeyMap.loading]

    @Test("Each modal's hint bar is its table's hinted keys", arguments: tables)
    func hintBar(_ table: KeyMap) {
        let state = stateWithModal(table)
        let bar = render(state).line(state.height - 1)
        let expected = table.hints().map { "\($0.hintKeyLabel) \($0.hint)" }.joined(separator: "  ")
        #expect(!table.hints().isEmpty)
        #expect(bar.trimmingCharacters(in: .whitespaces) == expected, "\(table.title): \(bar)")
    }

    @Test("Every key of every modal table does something and keeps the state consistent", arguments: tables)
    func everyKey(_ table: KeyMap) throws {
        for binding in table.bindings {
            for key in binding.keys {
                var state = stateWithModal(table)
                if table == KeyMap.labelPicker && binding.command == .up {
                    state.press(.down)  // somewhere to go up to
                    try #require(state.labelPicker?.cursor == 1)
                }
                try #require(state.checkInvariants() == [])
                let before = state
                let effects = state.press(key)
                #expect(state.checkInvariants() == [], "\(table.title): after \(key)")
                #expect(state != before || !effects.isEmpty, "\(table.title): \(key) changed nothing")
                #expect(
                    KeyMap.modals.contains(table) || binding.command != .quit || effects == [.quit],
                    "\(table.title): \(key)")
            }
        }
    }

    @Test("Help lists every key of the prompt, question, label picker and help tables: ctrl-w and the picker included",
        arguments: ScreenKind.allCases)
    func helpListsModals(_ kind: ScreenKind) {
        let help = KeyMap.helpLines(for: kind, readOnly: false)
        for table in KeyMap.modals {
            #expect(help.contains(.title(table.title.uppercased())))
            for binding in table.bindings {
                #expect(help.contains(.binding(binding.keyLabel, binding.description)), "\(table.title): \(binding.keyLabel)")
            }
        }
        #expect(help.contains { if case .binding("ctrl-w", _) = $0 { true } else { false } })
    }

    @Test("No key is bound twice in a modal table", arguments: tables)
    func noDuplicateKeys(_ table: KeyMap) {
        let keys = table.bindings.flatMap(\.keys)
        #expect(Set(keys).count == keys.count)
    }
}

@Suite("Command table")
struct CommandTableTests {
    /// Every spelling of every `:` command, with its spec.
    static var spellings: [String] {
        CommandSpec.all.flatMap { $0.completedNames + $0.otherSpellings }
    }

    @Test("Every spelling of every : command runs its own action", arguments: spellings)
    func everySpelling(_ word: String) throws {
        let spec = try #require(CommandSpec.command(named: word))
        var state = stateOn(.detail)
        state.press(.character(":"))
        state.type(word)
        let effects = state.press(.enter)
        #expect(state.checkInvariants() == [])
        #expect(state.flash?.kind != .error, "\(word): \(state.flash?.message ?? "")")
        switch spec.action {
        case .quit: #expect(effects == [.quit] && state.isQuitting)
        case .help: #expect(state.help != nil)
        case .namespaces: #expect(state.breadcrumbs == ["namespaces"])
        case .pods: #expect(state.top.kind == .pods)
        case .meshDefault:
            guard case .editor(let editor) = state.top else { throw TestFailure(":\(word) did not open the editor") }
            #expect(editor.isMeshDefault)
        case .plan: #expect(state.top.kind == .plan)
        case .context: #expect(effects.contains(.switchContext(nil)))
        }
    }

    @Test("No two commands share a spelling")
    func uniqueSpellings() {
        #expect(Set(Self.spellings).count == Self.spellings.count)
    }

    @Test("tab completes every name and alias from the table, :context included", arguments: CommandSpec.completedNames)
    func completesEveryName(_ name: String) throws {
        let spec = try #require(CommandSpec.command(named: name))
        var state = TestMesh.state()
        state.press(.character(":"))
        state.type(name)
        #expect(state.prompt?.message?.contains(name) == true)
        state.press(.tab)
        let text = try #require(state.prompt?.text)
        #expect(text == name || text == name + " " || CommandSpec.completedNames.contains { $0 != name && $0.hasPrefix(name) })
        #expect(text.hasPrefix(name))
        if text == name + " " { #expect(spec.argument == .namespace) }
    }

    @Test(":cont completes to :context, and :context NAME switches to it")
    func contextCompletes() {
        var state = TestMesh.state()
        state.press(.character(":"))
        state.type("cont")
        state.press(.tab)
        #expect(state.prompt?.text == "context")
        state.type(" lab")
        #expect(state.press(.enter).contains(.switchContext("lab")))
    }

    @Test("The unknown-command errors and the help overlay list every command of the table")
    func errorsAndHelp() {
        var state = TestMesh.state()
        state.press(.character(":"))
        state.type("frobnicate")
        #expect(state.prompt?.message == "unknown command; try ns, pods NS, mesh, plan, ctx NAME, help, q")
        state.press(.enter)
        #expect(state.flash?.message == "unknown command :frobnicate (try :ns, :pods NS, :mesh, :plan, :ctx NAME, :help, :q)")
        for kind in ScreenKind.allCases {
            let help = KeyMap.helpLines(for: kind, readOnly: false)
            for spec in CommandSpec.all {
                #expect(help.contains(.binding(spec.helpLabel, spec.helpDescription)), ":\(spec.name) missing from help")
            }
        }
    }
}

/// Where the selection (or scroll) of the top screen is, for movement checks.
func selectionPosition(_ state: AppState) -> Int {
    switch state.top {
    case .namespaces, .pods, .detail: return state.top.list?.selection ?? 0
    case .editor(let editor): return editor.cursor
    case .preview(let preview): return preview.offset
    case .apply(let apply): return apply.offset
    case .plan(let plan): return plan.cursor
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
