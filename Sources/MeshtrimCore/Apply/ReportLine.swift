/// One line of text meshtrim shows in a report, with what it is, so a terminal can colour it: the lines of
/// ``ApplyReport`` (`meshtrim apply` and the UI's apply confirmation) and of the UI's YAML preview.
///
/// One type for both, so the apply screen shows the report's lines as they are instead of translating kinds.
public struct ReportLine: Hashable, Sendable {
    /// What kind of line.
    public enum Kind: Hashable, Sendable {
        /// A section title.
        case heading
        /// Manifest text (the preview highlights its keys).
        case yaml
        /// Good news (allowed, accepted, valid).
        case success
        /// A refusal or a validation error.
        case error
        /// Something to read before saying yes.
        case warning
        /// Explanation.
        case note
        /// `---`, `+++`, `@@` lines.
        case diffHeader
        /// A line only in the new document.
        case added
        /// A line only in the live (or replaced) object.
        case removed
        /// A line in both.
        case context
    }

    /// The text (diff lines carry their `+`/`-`/space prefix).
    public var text: String
    /// Its kind.
    public var kind: Kind

    /// Makes a line.
    public init(_ text: String, _ kind: Kind) {
        self.text = text
        self.kind = kind
    }
}
