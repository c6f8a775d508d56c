import MeshtrimCore

/// What a key does; the reducer dispatches on these, never on raw keys.
public enum Command: Hashable, Sendable {
    /// Quit meshtrim.
    case quit
    /// Open the `?` overlay.
    case help
    /// Close the top screen (or clear the filter first).
    case back
    /// Open the `:` prompt.
    case commandPrompt
    /// Open the `/` prompt.
    case filter
    /// Selection up one row.
    case up
    /// Selection down one row.
    case down
    /// Up one page.
    case pageUp
    /// Down one page.
    case pageDown
    /// First row.
    case top
    /// Last row.
    case bottom
    /// Sort by a column (again: reverse).
    case sort(SortColumn)
    /// Open the selected row (pods of a namespace, a pod's sidecar, a cluster's reason).
    case drillIn
    /// Open the egress editor for the selection.
    case openEditor
    /// Open the egress editor for the mesh-wide default (`ROOT/default`, no selector).
    case openMeshDefault
    /// Scroll the mesh-wide default's per-namespace impact by this many lines (negative: up).
    case scrollImpact(Int)
    /// Toggle the host under the cursor.
    case toggle
    /// Replace the selection with a preset.
    case preset(EgressPreset)
    /// Show a namespace's services.
    case expand
    /// Hide a namespace's services.
    case collapse
    /// Prompt for a custom host.
    case addHost
    /// Remove a custom host.
    case removeHost
    /// Open the YAML preview.
    case preview
    /// Write the manifest to a file.
    case write
    /// Scroll the preview to the diff.
    case jumpToDiff
    /// Read the source again (a live cluster).
    case refresh
    /// Apply the Sidecar to the live cluster (the preview's `a` opens the check; `y` on the apply screen applies).
    case apply
    /// Move between Cancel and Apply on the apply screen.
    case toggleChoice
    /// Do the highlighted button of the apply screen.
    case confirmChoice
    /// Answer yes to the open question (overwrite, write or apply despite safety errors).
    case answerYes
    /// Answer no to the open question (the default).
    case answerNo
    /// `enter` in a prompt: do what it is for.
    case confirmPrompt
    /// `esc` in a prompt: close it (a filter goes back to what it was).
    case cancelPrompt
    /// `ctrl-u` in a prompt: clear the text.
    case clearPrompt
    /// `ctrl-w` in a prompt: delete the last word.
    case deletePromptWord
    /// `backspace` in a prompt: delete the last character.
    case deletePromptCharacter
    /// `tab` in a `:` prompt: complete the command or its namespace.
    case completePrompt
}

/// One key binding: the keys, the command, and the words for the hint bar and the help overlay.
public struct KeyBinding: Hashable, Sendable {
    /// The keys that trigger it (the first is the one shown).
    public var keys: [Key]
    /// What it does.
    public var command: Command
    /// The hint-bar word (empty: not in the hint bar).
    public var hint: String
    /// The help overlay's description.
    public var description: String
    /// Whether it changes something outside meshtrim (hidden and refused with `--read-only`).
    public var isDangerous: Bool
    /// The keys as the hint bar shows them, when not just the first key (`↑↓`, `n/enter/esc`).
    public var hintKey: String?

    /// Makes a binding.
    public init(
        _ keys: [Key], _ command: Command, hint: String = "", hintKey: String? = nil, _ description: String,
        isDangerous: Bool = false
    ) {
        self.keys = keys
        self.command = command
        self.hint = hint
        self.hintKey = hintKey
        self.description = description
        self.isDangerous = isDangerous
    }

    /// The key the hint bar shows before ``hint``: ``hintKey``, else the first key.
    public var hintKeyLabel: String { hintKey ?? keys.first?.description ?? "" }

    /// The keys as shown: `enter`, `j/↓`, `M`.
    public var keyLabel: String { keys.map(\.description).joined(separator: "/") }
}

/// A key table: the single source of truth for dispatch, the hint bar and the `?` help of a screen.
public struct KeyMap: Hashable, Sendable {
    /// The section title in help.
    public var title: String
    /// The bindings, in hint-bar order.
    public var bindings: [KeyBinding]

    /// Makes a key map.
    public init(title: String, bindings: [KeyBinding]) {
        self.title = title
        self.bindings = bindings
    }

    /// The binding for `key`, if any.
    public func binding(for key: Key) -> KeyBinding? {
        bindings.first { $0.keys.contains(key) }
    }

    /// The same table without dangerous bindings when `readOnly`.
    public func filtered(readOnly: Bool) -> KeyMap {
        readOnly ? KeyMap(title: title, bindings: bindings.filter { !$0.isDangerous }) : self
    }

    // MARK: Tables

    /// Keys every screen has.
    public static let global = KeyMap(
        title: "general",
        bindings: [
            KeyBinding([.character("?")], .help, hint: "help", "show this help (esc closes it)"),
            KeyBinding([.character(":")], .commandPrompt, hint: "cmd", "command: \(CommandSpec.all.map { ":" + $0.name }.joined(separator: " ")) (tab completes)"),
            KeyBinding([.control("r")], .refresh, "read the live cluster again (it also refreshes every minute)"),
            KeyBinding([.escape], .back, hint: "back", "back to the previous screen (clears the filter first)"),
            KeyBinding([.character("q"), .control("c")], .quit, hint: "quit", "quit meshtrim"),
        ])

    /// Movement keys of lists and text.
    public static let navigation = KeyMap(
        title: "navigation",
        bindings: [
            KeyBinding([.up, .character("k")], .up, "up one row"),
            KeyBinding([.down, .character("j")], .down, "down one row"),
            KeyBinding([.pageUp, .control("b")], .pageUp, "up one page"),
            KeyBinding([.pageDown, .control("f")], .pageDown, "down one page"),
            KeyBinding([.home, .character("g")], .top, "first row"),
            KeyBinding([.end, .character("G")], .bottom, "last row"),
        ])

    /// The namespaces screen.
    public static let namespaces = KeyMap(
        title: "namespaces",
        bindings: [
            KeyBinding([.enter], .drillIn, hint: "pods", "show the namespace's pods"),
            KeyBinding([.character("e")], .openEditor, hint: "egress", "the namespace's egress hosts (root namespace: mesh default)"),
            KeyBinding([.character("E")], .openMeshDefault, hint: "mesh", "edit the mesh-wide default (ROOT/default, no selector)"),
            KeyBinding([.character("/")], .filter, hint: "filter", "filter by substring (!text: rows without it)"),
            KeyBinding([.character("M")], .sort(.memory), hint: "mem", "sort by Envoy memory (again: reverse)"),
            KeyBinding([.character("C")], .sort(.clusters), hint: "clusters", "sort by clusters per sidecar (again: reverse)"),
            KeyBinding([.character("S")], .sort(.saving), hint: "saving", "sort by the common fix's saving (again: reverse)"),
            KeyBinding([.character("P")], .sort(.pods), "sort by pods (again: reverse)"),
            KeyBinding([.character("N")], .sort(.name), "sort by name (again: reverse)"),
        ])

    /// The pods screen.
    public static let pods = KeyMap(
        title: "pods",
        bindings: [
            KeyBinding([.enter], .drillIn, hint: "sidecar", "show the pod's sidecar: memory and clusters, with reasons"),
            KeyBinding([.character("e")], .openEditor, hint: "egress", "choose egress hosts for this workload (pick its labels)"),
            KeyBinding([.character("/")], .filter, hint: "filter", "filter by substring (!text: rows without it)"),
            KeyBinding([.character("M")], .sort(.memory), hint: "mem", "sort by Envoy memory (again: reverse)"),
            KeyBinding([.character("C")], .sort(.clusters), hint: "clusters", "sort by clusters (again: reverse)"),
            KeyBinding([.character("W")], .sort(.workingSet), "sort by working set (again: reverse)"),
            KeyBinding([.character("D")], .sort(.destinations), "sort by observed destinations (again: reverse)"),
            KeyBinding([.character("N")], .sort(.name), "sort by name (again: reverse)"),
        ])

    /// The sidecar detail screen.
    public static let detail = KeyMap(
        title: "sidecar detail",
        bindings: [
            KeyBinding([.enter], .drillIn, hint: "why", "show why the selected cluster exists (again: hide)"),
            KeyBinding([.character("e")], .openEditor, hint: "egress", "choose egress hosts for this workload (pick its labels)"),
            KeyBinding([.character("/")], .filter, hint: "filter", "filter clusters by substring (!text: rows without it)"),
            KeyBinding([.character("T")], .sort(.traffic), hint: "traffic", "sort by observed traffic (again: reverse)"),
            KeyBinding([.character("N")], .sort(.name), "sort by service FQDN (again: reverse)"),
        ])

    /// The egress editor.
    public static let editor = KeyMap(
        title: "egress editor",
        bindings: [
            KeyBinding([.character(" ")], .toggle, hint: "toggle", "toggle the host under the cursor"),
            KeyBinding([.character("1")], .preset(.commonFix), hint: "fix", "common fix: ./* and the istiod namespace"),
            KeyBinding([.character("2")], .preset(.observedTraffic), hint: "observed", "exactly the destinations with observed traffic"),
            KeyBinding([.character("3")], .preset(.nothing), hint: "none", "nothing: ~/* (receive-only workloads)"),
            KeyBinding([.character("0")], .preset(.clear), "clear the selection"),
            KeyBinding([.enter, .right], .expand, hint: "expand", "show a namespace's services (toggles other rows)"),
            KeyBinding([.left], .collapse, "hide a namespace's services"),
            KeyBinding([.character("a"), .character("+")], .addHost, hint: "add", "add a custom host (validated as you type)"),
            KeyBinding([.character("x"), .delete], .removeHost, "remove a custom host"),
            KeyBinding([.character("y")], .preview, hint: "yaml", "preview the Sidecar YAML, its diff and validation"),
            KeyBinding([.character("w")], .write, hint: "write", "write the Sidecar YAML to a file", isDangerous: true),
            KeyBinding([.character("]")], .scrollImpact(1), "mesh-wide default: scroll its per-namespace impact down"),
            KeyBinding([.character("[")], .scrollImpact(-1), "mesh-wide default: scroll its per-namespace impact up"),
            KeyBinding([.character("}")], .scrollImpact(10), "mesh-wide default: scroll its per-namespace impact down 10"),
            KeyBinding([.character("{")], .scrollImpact(-10), "mesh-wide default: scroll its per-namespace impact up 10"),
        ])

    /// The YAML preview.
    public static let preview = KeyMap(
        title: "yaml preview",
        bindings: [
            KeyBinding([.character("w")], .write, hint: "write", "write the Sidecar YAML to a file (asks before overwriting)", isDangerous: true),
            KeyBinding([.character("d")], .jumpToDiff, hint: "diff", "jump to the diff against the Sidecar it replaces"),
            KeyBinding(
                [.character("a")], .apply, hint: "apply",
                "apply to the live cluster: RBAC check, diff against the live object, server-side dry-run, then asks (default Cancel)",
                isDangerous: true),
        ])

    /// The apply confirmation.
    public static let apply = KeyMap(
        title: "apply to the cluster",
        bindings: [
            KeyBinding([.enter], .confirmChoice, hint: "ok", "do the highlighted button: Cancel unless you moved to Apply"),
            KeyBinding([.tab, .left, .right], .toggleChoice, hint: "choose", "move between Cancel and Apply"),
            KeyBinding(
                [.character("y")], .apply, hint: "apply",
                "apply now (only when RBAC and the dry-run allow it; safety errors ask again, naming them)", isDangerous: true),
            KeyBinding([.character("n")], .back, hint: "cancel", "cancel: back to the YAML preview, nothing is applied"),
            KeyBinding([.character("d")], .jumpToDiff, hint: "diff", "jump to the diff against the live object"),
        ])

    /// The table of a screen kind.
    public static func screen(_ kind: ScreenKind) -> KeyMap {
        switch kind {
        case .namespaces: return namespaces
        case .pods: return pods
        case .detail: return detail
        case .editor: return editor
        case .preview: return preview
        case .apply: return apply
        case .plan: return plan
        }
    }

    /// The tables that apply on a screen, in lookup order: the screen's, navigation, global.
    public static func tables(for kind: ScreenKind, readOnly: Bool) -> [KeyMap] {
        [screen(kind).filtered(readOnly: readOnly), navigation, global]
    }

    /// The binding `key` triggers on a screen, if any (dangerous ones included, so the reducer can explain why it
    /// refuses them in read-only mode).
    public static func binding(for key: Key, on kind: ScreenKind) -> KeyBinding? {
        for table in [screen(kind), navigation, global] {
            if let binding = table.binding(for: key) { return binding }
        }
        return nil
    }

    /// The hint bar's bindings for a screen: the screen's hinted keys, then the global ones.
    public static func hints(for kind: ScreenKind, readOnly: Bool) -> [KeyBinding] {
        (screen(kind).filtered(readOnly: readOnly).bindings + global.bindings).filter { !$0.hint.isEmpty }
    }

    /// The `?` overlay's lines for a screen: `(key label, description)` per binding, with section titles: the
    /// screen's tables, then those of prompts, questions, the label picker and help itself, then the `:` commands.
    ///
    /// - Parameter live: whether the mesh is a live cluster; file sources (demo, snapshot, manifests) have nothing
    ///   to read again, so `ctrl-r` is left out.
    public static func helpLines(for kind: ScreenKind, readOnly: Bool, live: Bool = true) -> [HelpLine] {
        var lines: [HelpLine] = []
        for table in tables(for: kind, readOnly: readOnly) {
            if !lines.isEmpty { lines.append(.blank) }
            lines.append(.title(table.title.uppercased()))
            for binding in table.bindings where live || binding.command != .refresh {
                lines.append(.binding(binding.keyLabel, binding.description))
            }
        }
        for table in modals {
            lines.append(.blank)
            lines.append(.title(table.title.uppercased()))
            for binding in table.bindings { lines.append(.binding(binding.keyLabel, binding.description)) }
        }
        lines.append(.blank)
        lines.append(.title("COMMANDS"))
        for command in CommandSpec.all { lines.append(.binding(command.helpLabel, command.helpDescription)) }
        if readOnly {
            lines.append(.blank)
            lines.append(.title("READ-ONLY"))
            lines.append(.binding("", "started with --read-only: writing files and applying to the cluster are switched off"))
        }
        return lines
    }
}

/// One line of the help overlay.
public enum HelpLine: Hashable, Sendable {
    /// A section title.
    case title(String)
    /// A key and what it does.
    case binding(String, String)
    /// Spacing.
    case blank
}
