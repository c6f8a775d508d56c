/// One thing a safety check found about a Sidecar before it is written or applied, like a line of
/// `istioctl analyze`.
///
/// Codes follow `istioctl analyze` where Istio has a message for the same problem (`IST0110`, …) so people can
/// look them up; meshtrim's own checks use `MT0001`…, listed in docs/safety-checks.md.
public struct SafetyFinding: Hashable, Sendable, Codable, CustomStringConvertible {
    /// How bad it is: errors make writing ask for confirmation and `meshtrim validate` exit non-zero.
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        /// Applying this breaks traffic or makes the configuration undefined.
        case error
        /// Probably not what was meant; the Sidecar still works.
        case warning
        /// Worth knowing (scope of a mesh-wide Sidecar, …).
        case info

        private var rank: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .info: return 2
            }
        }

        /// Errors sort before warnings before infos.
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// Error, warning or info.
    public var severity: Severity
    /// A stable id: Istio's analyzer code where one exists (e.g. `IST0111`), else meshtrim's own (`MT0001`).
    public var code: String
    /// A sentence a person can act on.
    public var message: String
    /// What the finding is about, e.g. `Sidecar default/dupe-1` (as `istioctl analyze` names resources).
    public var subject: String?

    /// Makes a finding.
    public init(severity: Severity, code: String, message: String, subject: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.subject = subject
    }

    /// `Error [IST0110] (Sidecar default/dupe-1) message`, the layout of `istioctl analyze`.
    public var description: String {
        var text = severity.rawValue.prefix(1).uppercased() + severity.rawValue.dropFirst() + " [\(code)]"
        if let subject { text += " (\(subject))" }
        return text + " " + message
    }
}

extension SafetyFinding {
    /// meshtrim's own codes and Istio's analyzer codes used by ``SidecarSafetyChecker``.
    public enum Code {
        /// The Sidecar cuts destinations that had observed traffic.
        public static let cutsObservedTraffic = "MT0001"
        /// The Sidecar does not import the istiod namespace.
        public static let istiodNamespaceNotImported = "MT0002"
        /// A workload Sidecar without egress imports `*/*` (istio/istio#59376).
        public static let workloadSidecarWithoutEgress = "MT0003"
        /// A Sidecar with a workloadSelector in the root namespace only applies to the root namespace's workloads.
        public static let rootSidecarWithSelector = "MT0004"
        /// A selector-less Sidecar in the root namespace is the mesh-wide default.
        public static let meshWideSidecar = "MT0005"
        /// Istio's ReferencedResourceNotFound: the workloadSelector selects no pod.
        public static let selectorMatchesNoPod = "IST0101"
        /// Istio's ConflictingSidecarWorkloadSelectors: several Sidecars select the same pod.
        public static let conflictingSelectors = "IST0110"
        /// Istio's MultipleSidecarsWithoutWorkloadSelectors: several selector-less Sidecars in one namespace.
        public static let multipleWithoutSelector = "IST0111"
        /// Istio's IneffectivePolicy: the Sidecar targets ambient workloads or an ambient namespace.
        public static let ineffectiveInAmbient = "IST0167"
    }
}

extension Array where Element == SafetyFinding {
    /// Whether any finding is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
