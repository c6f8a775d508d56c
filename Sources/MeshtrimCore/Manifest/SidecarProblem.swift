/// One thing wrong with (error) or worth knowing about (warning) a Sidecar, and where it is.
public struct SidecarProblem: Hashable, Sendable, CustomStringConvertible {
    /// Whether Istio would reject the Sidecar or only warn.
    public enum Severity: String, Hashable, Sendable {
        /// The webhook rejects the Sidecar (`kubectl apply` fails).
        case error
        /// Accepted, but probably not what was meant.
        case warning
    }

    /// Whose rule found the problem.
    public enum Origin: String, Hashable, Sendable {
        /// Istio's validating webhook (messages are Istio's text).
        case istio
        /// meshtrim's own check (behaviour Istio accepts silently, or a version difference).
        case meshtrim
    }

    /// Where in the Sidecar the problem is.
    public enum Location: Hashable, Sendable, CustomStringConvertible {
        /// The Sidecar as a whole.
        case sidecar
        /// `spec.workloadSelector`.
        case workloadSelector
        /// `spec.egress[index]`.
        case egressListener(Int)
        /// `spec.egress[listener].hosts[index]`, with the host text.
        case egressHost(listener: Int, index: Int, host: String)
        /// `spec.ingress[index]`.
        case ingressListener(Int)
        /// `spec.outboundTrafficPolicy`.
        case outboundTrafficPolicy
        /// `spec.inboundConnectionPool`.
        case inboundConnectionPool

        /// The YAML path, e.g. `spec.egress[0].hosts[1] "bookinfo/reviews"`; empty for the whole Sidecar.
        public var description: String {
            switch self {
            case .sidecar: return ""
            case .workloadSelector: return "spec.workloadSelector"
            case .egressListener(let index): return "spec.egress[\(index)]"
            case .egressHost(let listener, let index, let host):
                return "spec.egress[\(listener)].hosts[\(index)] \(goQuoted(host))"
            case .ingressListener(let index): return "spec.ingress[\(index)]"
            case .outboundTrafficPolicy: return "spec.outboundTrafficPolicy"
            case .inboundConnectionPool: return "spec.inboundConnectionPool"
            }
        }
    }

    /// Error or warning.
    public var severity: Severity
    /// What is wrong (Istio's wording for Istio's rules).
    public var message: String
    /// Where.
    public var location: Location
    /// What to do about it, when meshtrim can say.
    public var hint: String?
    /// Whose rule it is.
    public var origin: Origin
    /// meshtrim's code for its own rules (`MT0003`, see docs/validation.md); `nil` for Istio's rules.
    public var code: String?

    /// Makes a problem; a `code` makes it meshtrim's.
    public init(
        _ severity: Severity, _ message: String, at location: Location = .sidecar, hint: String? = nil, origin: Origin = .istio,
        code: String? = nil
    ) {
        self.severity = severity
        self.message = message
        self.location = location
        self.hint = hint
        self.origin = code == nil ? origin : .meshtrim
        self.code = code
    }

    /// `error: spec.egress[0].hosts[1] "x": message (hint)`; meshtrim's rules say so with their code,
    /// `warning [MT0003]: …`.
    public var description: String {
        var text = severity.rawValue + (code.map { " [\($0)]" } ?? "") + ": "
        let place = location.description
        if !place.isEmpty { text += place + ": " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}
