/// What RBAC says about applying a Sidecar (SelfSubjectAccessReviews for `patch`, and `create` for a new one).
public enum ApplyPermission: Hashable, Sendable {
    /// The user may apply it.
    case allowed
    /// RBAC forbids it; the text names the verb, resource and namespace.
    case denied(String)
    /// The review could not be made (old server, reviews forbidden); meshtrim tries, and the dry-run tells.
    case unknown(String)

    /// Whether to go on: allowed or unknown.
    public var mayTry: Bool {
        if case .denied = self { return false }
        return true
    }
}

/// Why the API server refused a Sidecar (dry-run or real apply), with what to do about it. Nothing was changed.
public struct ApplyFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal.
    public enum Kind: String, Hashable, Sendable {
        /// 422: validation (Istio's webhook or the API schema) rejected it.
        case invalid
        /// 403: RBAC forbids it.
        case forbidden
        /// 409: another field manager owns fields this apply changes.
        case conflict
        /// The namespace (404) does not exist.
        case notFound
        /// Anything else (unreachable, 5xx, unauthorized).
        case other
    }

    /// The kind.
    public var kind: Kind
    /// The HTTP status, when the server answered.
    public var statusCode: Int?
    /// The API server's message (or the client's).
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Makes a failure.
    public init(_ kind: Kind, statusCode: Int? = nil, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.statusCode = statusCode
        self.message = message
        self.hint = hint
    }

    /// The message and the hint.
    public var description: String { message + (hint.map { " — \($0)" } ?? "") }
}

/// The server-side dry-run's answer.
public enum DryRunOutcome: Hashable, Sendable {
    /// The API server (admission and validation included) accepts the apply; `created` when the object is new.
    case accepted(created: Bool)
    /// It refused; nothing changed.
    case rejected(ApplyFailure)
    /// Not run (RBAC denied it already).
    case skipped(String)

    /// Whether the dry-run accepted the apply.
    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

/// What an apply preview's diff shows on its new side.
public enum ApplyDiffSource: Hashable, Sendable {
    /// The document itself (the dry-run did not answer with an object).
    case document
    /// The object the server-side dry-run returned: the live object with the apply merged in as the API server
    /// merges it, so fields other managers own (Argo CD's labels, Helm's annotations) stay as they are, as in
    /// `kubectl diff --server-side`.
    case dryRun
}

/// Everything to know before applying a Sidecar: permission, the diff against the live object, the dry-run's
/// answer, and the pods that will get the new configuration.
public struct ApplyCheck: Hashable, Sendable {
    /// The document checked.
    public var document: ApplyDocument
    /// Whether the object exists in the cluster (`nil`: it could not be read).
    public var exists: Bool?
    /// What RBAC says.
    public var permission: ApplyPermission
    /// Unified diff from the live object to the document (all additions for a new object).
    public var diff: [LineDiff.Line]
    /// The server-side dry-run's answer.
    public var dryRun: DryRunOutcome
    /// The pods with a sidecar that will use this Sidecar, in name order.
    public var pods: [PodKey]
    /// Notes: why pods could not be listed, a Sidecar that shadows this one, the live object unreadable.
    public var notes: [String]
    /// What ``diff`` compares the live object with.
    public var diffSource: ApplyDiffSource = .document

    /// Makes a check.
    public init(
        document: ApplyDocument, exists: Bool?, permission: ApplyPermission, diff: [LineDiff.Line], dryRun: DryRunOutcome,
        pods: [PodKey], notes: [String]
    ) {
        self.document = document
        self.exists = exists
        self.permission = permission
        self.diff = diff
        self.dryRun = dryRun
        self.pods = pods
        self.notes = notes
    }

    /// Whether applying can go ahead: RBAC does not forbid it and the dry-run accepted it.
    public var mayApply: Bool { permission.mayTry && dryRun.isAccepted }

    /// Whether the apply would change nothing in the object.
    public var isUnchanged: Bool { exists == true && diff.isEmpty }

    /// What happens to the pods, said plainly: nothing restarts; Envoy takes the change over xDS.
    public static let restartNote =
        "Nothing is restarted: istiod pushes the new scope and Envoy applies it over xDS within seconds (cluster "
        + "counts and Envoy's allocated memory fall then); the pods' working set falls only after they restart."
}

/// What a successful apply did.
public struct ApplyResult: Hashable, Sendable {
    /// The document applied.
    public var document: ApplyDocument
    /// Whether the object was created (rather than changed).
    public var created: Bool
    /// `metadata.generation` after the apply.
    public var generation: Int?
    /// The field managers of the object after the apply.
    public var managers: [String]
    /// How the result is known when not from the apply's own answer (it was lost; a re-read showed the change).
    public var note: String?

    /// Makes a result.
    public init(document: ApplyDocument, created: Bool, generation: Int?, managers: [String], note: String? = nil) {
        self.document = document
        self.created = created
        self.generation = generation
        self.managers = managers
        self.note = note
    }
}
