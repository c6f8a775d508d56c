/// What a text prompt is for.
public enum PromptKind: Hashable, Sendable {
    /// `/`: filter the current list (live as typed).
    case filter
    /// `:`: a command (`:ns`, `:pods NS`, `:q`, `:help`).
    case command
    /// `a`/`+` in the editor: a custom egress host, validated as typed.
    case addHost
    /// `w`: where to write the manifest.
    case writePath
    /// `w` on the plan screen: the directory to write the plan into.
    case writePlanDirectory

    /// The prompt's label.
    public var label: String {
        switch self {
        case .filter: return "/"
        case .command: return ":"
        case .addHost: return "add host: "
        case .writePath: return "write to: "
        case .writePlanDirectory: return "write plan to: "
        }
    }
}

/// A one-line text prompt at the bottom of the screen: typing edits, `ctrl-u` clears, `enter` confirms, `esc`
/// cancels.
public struct PromptState: Hashable, Sendable {
    /// What it is for.
    public var kind: PromptKind
    /// The text typed so far.
    public var text: String
    /// A live message under the text (validation result, completion), `nil` for none.
    public var message: String?
    /// Whether ``message`` is an error.
    public var messageIsError: Bool
    /// The filter before the prompt opened (restored on `esc`).
    public var previousFilter: String

    /// Makes a prompt.
    public init(kind: PromptKind, text: String = "", message: String? = nil, messageIsError: Bool = false, previousFilter: String = "") {
        self.kind = kind
        self.text = text
        self.message = message
        self.messageIsError = messageIsError
        self.previousFilter = previousFilter
    }
}
