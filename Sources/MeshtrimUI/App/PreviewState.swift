import MeshtrimCore

/// One line of the YAML preview, with what it is (so the view can colour it): the same ``ReportLine`` as the apply
/// report's, so the apply screen shows those lines without translating them.
public typealias PreviewLine = ReportLine

/// The YAML preview: the manifest, a diff against the Sidecar it replaces, and validation, as one scrollable text.
///
/// ``lines`` are derived from the other fields for the current width (long messages wrap), and rebuilt by the
/// reducer when the terminal is resized.
public struct PreviewState: Hashable, Sendable {
    /// Whom the Sidecar is for.
    public var target: EditorTarget
    /// The manifest to write.
    public var manifest: SidecarManifest
    /// Validation problems (Istio's webhook rules and meshtrim's warnings).
    public var problems: [SidecarProblem]
    /// `ns/name` of the Sidecar it replaces, if any.
    public var replaces: String?
    /// The replaced Sidecar as YAML, the whole object as it is in the mesh (``SidecarManifest/yaml(of:)``), for the diff.
    public var replacedYAML: String?
    /// What the Sidecar would do: clusters and memory before and after, pods affected.
    public var summary: [String]
    /// Observed traffic it would cut, one line per destination (empty when none).
    public var cuts: [String]
    /// What the safety checks found (cut traffic, istiod namespace, conflicts, ambient, …), errors first; shown in
    /// the SAFETY section, and errors make `w` ask for confirmation.
    public var safety: [SafetyFinding]
    /// Everything shown, in order, wrapped to ``wrapWidth``.
    public var lines: [PreviewLine]
    /// Index of the diff section (for `d`).
    public var diffStart: Int
    /// The width ``lines`` were wrapped to.
    public var wrapWidth: Int
    /// The first line on screen.
    public var offset: Int
    /// The last path written, if any.
    public var lastPath: String?
    /// Whether it is the mesh-wide default (`ROOT/default` without a selector, from `:mesh`).
    public var isMeshDefault = false

    /// Makes a preview state; call ``rewrap(width:)`` to fill ``lines``.
    public init(
        target: EditorTarget, manifest: SidecarManifest, problems: [SidecarProblem], replaces: String?,
        replacedYAML: String?, summary: [String], cuts: [String], safety: [SafetyFinding] = []
    ) {
        self.target = target
        self.manifest = manifest
        self.problems = problems
        self.replaces = replaces
        self.replacedYAML = replacedYAML
        self.summary = summary
        self.cuts = cuts
        self.safety = safety
        self.lines = []
        self.diffStart = 0
        self.wrapWidth = 0
        self.offset = 0
        self.lastPath = nil
    }

    /// Whether Istio would reject the manifest.
    public var hasErrors: Bool { problems.contains { $0.severity == .error } }

    /// Whether a safety check found an error (writing or applying it would break traffic or be undefined).
    public var hasSafetyErrors: Bool { safety.hasErrors }
}
