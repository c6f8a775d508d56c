/// One thing `meshtrim check` found about the Sidecars under its paths: where (file and line of the Sidecar, or of
/// the host at fault), a code, a severity and a message a person can act on.
public struct CheckFinding: Hashable, Sendable {
    /// Errors fail the check; warnings only with `--strict`.
    public enum Severity: String, Hashable, Sendable {
        /// Applying the Sidecars breaks traffic, is rejected, or leaves what `--require-scope` forbids.
        case error
        /// Probably not what was meant, or worth a look (drift); fails only with `--strict`.
        case warning
    }

    /// The file of the Sidecar; `nil` for a finding about a namespace no Sidecar under the paths governs.
    public var file: String?
    /// The 1-based line: of the host at fault where one is, else of the Sidecar; `nil` without a file.
    public var line: Int?
    /// Error or warning.
    public var severity: Severity
    /// A stable id: Istio's analyzer code (`IST0110`), meshtrim's (`MT0001`, docs/check.md), or `webhook` for a
    /// rule of Istio's validating webhook (whose messages have no code).
    public var code: String
    /// What is wrong and what to do.
    public var message: String
    /// The namespace concerned.
    public var namespace: String?
    /// `namespace/name` of the Sidecar concerned.
    public var sidecar: String?
    /// `namespace/name` of the pod whose traffic would be cut.
    public var pod: String?
    /// `namespace/hostname` of the service it would no longer reach.
    public var destination: String?

    /// Makes a finding.
    public init(
        file: String?, line: Int?, severity: Severity, code: String, message: String, namespace: String? = nil,
        sidecar: String? = nil, pod: String? = nil, destination: String? = nil
    ) {
        self.file = file
        self.line = line
        self.severity = severity
        self.code = code
        self.message = message
        self.namespace = namespace
        self.sidecar = sidecar
        self.pod = pod
        self.destination = destination
    }

    /// Whether it fails the check: errors always, warnings with `strict`.
    public func fails(strict: Bool) -> Bool {
        severity == .error || strict
    }
}

extension CheckFinding {
    /// meshtrim's codes for what only `meshtrim check` looks at (the others are the safety checks' and the
    /// validator's, docs/safety-checks.md and docs/validation.md).
    public enum Code {
        /// A rule of Istio's validating webhook (Istio gives its messages no code).
        public static let webhook = "webhook"
        /// `--require-scope`: a namespace whose sidecars still import every service.
        public static let importsEverything = "MT0201"
        /// `--drift`: the Sidecar differs from the one in the mesh, or is not there.
        public static let drift = "MT0202"
        /// The same Sidecar (namespace and name) twice under the paths.
        public static let duplicate = "MT0203"
        /// A Sidecar without `metadata.namespace`.
        public static let noNamespace = "MT0204"
    }
}

/// A Sidecar read from a file under `meshtrim check`'s paths.
public struct CheckedSidecar: Sendable {
    /// The file, as given or found under a directory.
    public var file: String
    /// The Sidecar as written, with its lines.
    public var document: SidecarDocument

    /// Makes a checked Sidecar.
    public init(file: String, document: SidecarDocument) {
        self.file = file
        self.document = document
    }

    /// `namespace/name`.
    public var qualifiedName: String { document.sidecar.meta.qualifiedName }
}
