/// A yes/no question; the default answer (enter, esc, anything but `y`; ``KeyMap/confirm``) is No.
public struct ConfirmState: Hashable, Sendable {
    /// What happens on yes.
    public enum Intent: Hashable, Sendable {
        /// Overwrite the file at `path` with `contents`.
        case overwrite(path: String, contents: String)
        /// Open the write prompt for the top preview although its safety checks found errors.
        case writeDespiteSafetyErrors
        /// Apply the Sidecar of the top apply screen although its safety checks found errors.
        case applyDespiteSafetyErrors
        /// Leave the egress editor, throwing away a selection that differs from the one it opened with.
        case discardEditorChanges
    }

    /// The question.
    public var question: String
    /// What a yes does.
    public var intent: Intent

    /// What the `y` button says (`overwrite`, `write anyway`).
    public var yesLabel: String {
        switch intent {
        case .overwrite: return "overwrite"
        case .writeDespiteSafetyErrors: return "write anyway"
        case .applyDespiteSafetyErrors: return "apply anyway"
        case .discardEditorChanges: return "discard"
        }
    }

    /// What the `N` button (the default) says.
    public var noLabel: String {
        switch intent {
        case .overwrite: return "keep it"
        case .writeDespiteSafetyErrors, .applyDespiteSafetyErrors: return "cancel"
        case .discardEditorChanges: return "keep editing"
        }
    }

    /// Makes a dialog.
    public init(question: String, intent: Intent) {
        self.question = question
        self.intent = intent
    }
}
