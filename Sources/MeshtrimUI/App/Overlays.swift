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

    /// The prompt's label.
    public var label: String {
        switch self {
        case .filter: return "/"
        case .command: return ":"
        case .addHost: return "add host: "
        case .writePath: return "write to: "
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

/// A yes/no question; the default answer (enter, esc, anything but `y`) is No.
public struct ConfirmState: Hashable, Sendable {
    /// What happens on yes.
    public enum Intent: Hashable, Sendable {
        /// Overwrite the file at `path` with `contents`.
        case overwrite(path: String, contents: String)
    }

    /// The question.
    public var question: String
    /// What a yes does.
    public var intent: Intent

    /// Makes a dialog.
    public init(question: String, intent: Intent) {
        self.question = question
        self.intent = intent
    }
}

/// The label picker shown before a workload Sidecar: which of the pod's labels go into the workloadSelector.
public struct LabelPickerState: Hashable, Sendable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod.
    public var podName: String
    /// The pod's labels, `app` first, then by key.
    public var labels: [LabelPair]
    /// Keys chosen.
    public var chosen: Set<String>
    /// The row the cursor is on.
    public var cursor: Int

    /// Makes a picker.
    public init(namespace: String, podName: String, labels: [LabelPair], chosen: Set<String>, cursor: Int = 0) {
        self.namespace = namespace
        self.podName = podName
        self.labels = labels
        self.chosen = chosen
        self.cursor = cursor
    }

    /// The chosen labels as a selector.
    public var selector: [String: String] {
        var result: [String: String] = [:]
        for pair in labels where chosen.contains(pair.key) { result[pair.key] = pair.value }
        return result
    }
}

/// A label `key=value`.
public struct LabelPair: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String

    /// Makes a pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// The `?` overlay's scroll position.
public struct HelpState: Hashable, Sendable {
    /// The first line shown.
    public var offset: Int

    /// Makes the overlay state.
    public init(offset: Int = 0) { self.offset = offset }
}

/// A transient message on the flash line.
public struct Flash: Hashable, Sendable {
    /// Info or error.
    public enum Kind: Hashable, Sendable {
        /// Good news or a hint.
        case info
        /// Something failed.
        case error
    }

    /// The text.
    public var message: String
    /// Its kind.
    public var kind: Kind
    /// Its id: a `tick(id)` for it clears it.
    public var id: Int

    /// Makes a flash.
    public init(_ message: String, kind: Kind, id: Int) {
        self.message = message
        self.kind = kind
        self.id = id
    }
}
