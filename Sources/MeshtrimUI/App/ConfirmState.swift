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
