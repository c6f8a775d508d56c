/// The key tables of what covers a screen (prompt, yes/no question, label picker, help) and of the loading screen:
/// like the screens' tables, each is the single source of its dispatch, its hint bar and its lines in `?` help.
extension KeyMap {
    /// A text prompt (``PromptState``); any other typed character is added to the text.
    public static let prompt = KeyMap(
        title: "prompts",
        bindings: [
            KeyBinding([.enter], .confirmPrompt, hint: "confirm", "confirm"),
            KeyBinding([.escape], .cancelPrompt, hint: "cancel", "cancel"),
            KeyBinding([.control("u")], .clearPrompt, hint: "clear", "clear the text"),
            KeyBinding([.control("w")], .deletePromptWord, "delete the last word (up to a space or /)"),
            KeyBinding([.backspace], .deletePromptCharacter, "delete the last character"),
            KeyBinding([.delete], .deletePromptCharacter, "delete the last character, as backspace"),
            KeyBinding([.tab], .completePrompt, "complete a : command"),
        ])

    /// A yes/no question (``ConfirmState``): only `y` says yes; `n`, `esc`, `enter` and every other key say no.
    public static let confirm = KeyMap(
        title: "question",
        bindings: [
            KeyBinding([.character("y"), .character("Y")], .answerYes, hint: "yes", "yes: do what the question names", isDangerous: true),
            KeyBinding(
                [.character("n"), .enter, .escape], .answerNo, hint: "no", hintKey: "n/enter/esc",
                "no, the default (any other key says no too)"),
        ])

    /// The label picker (``LabelPickerState``), opened by `e` on a pod or the sidecar detail: which of the pod's
    /// labels its Sidecar selects on.
    public static let labelPicker = KeyMap(
        title: "label picker",
        bindings: [
            KeyBinding([.character(" ")], .toggle, hint: "toggle", "choose or drop the label under the cursor"),
            KeyBinding([.enter], .openEditor, hint: "open editor", "open the egress editor for the chosen labels (none: the namespace)"),
            KeyBinding([.escape], .back, hint: "cancel", "cancel"),
            KeyBinding([.up, .character("k")], .up, "up one label"),
            KeyBinding([.down, .character("j")], .down, "down one label"),
            KeyBinding([.character("q")], .quit, "quit meshtrim"),
        ])

    /// The `?` overlay (``HelpState``).
    public static let helpOverlay = KeyMap(
        title: "help",
        bindings: [
            KeyBinding([.escape, .character("?")], .back, hint: "close", "close help"),
            KeyBinding([.up, .character("k")], .up, hint: "scroll", hintKey: "↑↓", "scroll up one line"),
            KeyBinding([.down, .character("j")], .down, "scroll down one line"),
            KeyBinding([.pageUp, .control("b")], .pageUp, "up one page"),
            KeyBinding([.pageDown, .control("f")], .pageDown, "down one page"),
            KeyBinding([.character(" ")], .pageDown, "down one page"),
            KeyBinding([.home, .character("g")], .top, "first line"),
            KeyBinding([.end, .character("G")], .bottom, "last line"),
            KeyBinding([.character("q")], .quit, hint: "quit", "quit meshtrim"),
        ])

    /// The loading screen (and a failed load): only help and quit.
    public static let loading = KeyMap(
        title: "loading",
        bindings: [
            KeyBinding([.character("?")], .help, hint: "help", "show this help"),
            KeyBinding([.character("q")], .quit, hint: "quit", "quit meshtrim"),
        ])

    /// The tables of what covers a screen, in the order help lists them.
    public static let modals: [KeyMap] = [prompt, confirm, labelPicker, helpOverlay]

    /// The hint bar of a modal table: every hinted binding, all of them (a question's `y` is not hidden by
    /// `--read-only`: the question only opens for what is allowed).
    public func hints() -> [KeyBinding] { bindings.filter { !$0.hint.isEmpty } }
}
