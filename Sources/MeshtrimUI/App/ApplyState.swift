import MeshtrimCore

/// The apply confirmation screen (`a` in the YAML preview on a live cluster): the cluster's answer to the check
/// (RBAC, diff against the live object, server-side dry-run, pods that get it), then Cancel or Apply.
///
/// The choice starts on Cancel: `enter` cancels unless the person moved to Apply (`tab`, `←`/`→`) or pressed `y`.
public struct ApplyState: Hashable, Sendable {
    /// Where the apply is.
    public enum Phase: Hashable, Sendable {
        /// Waiting for the cluster's answer to the check.
        case checking
        /// The check came back; the person decides.
        case checked(ApplyCheck)
        /// Applying.
        case applying(ApplyCheck)
        /// The apply was refused; nothing changed.
        case failed(ApplyCheck?, ApplyFailure)
    }

    /// The two buttons.
    public enum Choice: Hashable, Sendable {
        /// Leave the cluster as it is (the default).
        case cancel
        /// Apply.
        case apply
    }

    /// What is applied.
    public var document: ApplyDocument
    /// meshtrim's estimate for the change (clusters and Envoy memory before → after), from the preview.
    public var estimate: [String]
    /// The safety checks' findings, from the preview (shown with the check).
    public var safety: [SafetyFinding]
    /// Where the apply is.
    public var phase: Phase
    /// The highlighted button.
    public var choice: Choice
    /// Everything shown above the buttons, wrapped to ``wrapWidth``.
    public var lines: [PreviewLine]
    /// The width ``lines`` were wrapped to.
    public var wrapWidth: Int
    /// The first line on screen.
    public var offset: Int

    /// A screen waiting for the check of `document`.
    public init(document: ApplyDocument, estimate: [String], safety: [SafetyFinding] = []) {
        self.document = document
        self.estimate = estimate
        self.safety = safety
        self.phase = .checking
        self.choice = .cancel
        self.lines = []
        self.wrapWidth = 0
        self.offset = 0
    }

    /// The check, once it came back.
    public var check: ApplyCheck? {
        switch phase {
        case .checking: return nil
        case .checked(let check), .applying(let check): return check
        case .failed(let check, _): return check
        }
    }

    /// Whether Apply can be chosen now: the check allows it and nothing is running or has failed.
    public var canApply: Bool {
        if case .checked(let check) = phase { return check.mayApply }
        return false
    }

    /// Rebuilds ``lines`` for a terminal `width`.
    public mutating func rewrap(width: Int) {
        let wrapAt = max(10, width - 2)
        var lines: [PreviewLine] = []
        func add(_ text: String, _ kind: PreviewLine.Kind, indent: String = "  ") {
            for line in Formatting.wrap(text, width: wrapAt, indent: indent) { lines.append(PreviewLine(line, kind)) }
        }
        switch phase {
        case .checking:
            add("Apply Sidecar \(document.qualifiedName) to the cluster", .heading)
            add("checking: RBAC (SelfSubjectAccessReview), the live object, a server-side dry-run, the pods it selects…", .note)
        case .applying:
            add("applying Sidecar \(document.qualifiedName) (server-side apply, field manager meshtrim)…", .heading)
        case .failed(_, let failure):
            add("✗ not applied: \(failure.message)", .error)
            if let hint = failure.hint { add(hint, .note) }
            add("Nothing was changed in the cluster.", .note)
            lines.append(PreviewLine("", .note))
        case .checked:
            break
        }
        if let check {
            for line in ApplyReport.lines(for: check, safety: safety) {
                switch line.kind {
                case .added, .removed, .context, .diffHeader:
                    lines.append(line)
                default:
                    add(line.text, line.kind)
                }
                if line.kind == .heading, line.text.hasPrefix("Sidecar ") {
                    for text in estimate { add(text, .note) }
                }
            }
        }
        self.lines = lines
        wrapWidth = width
    }
}
