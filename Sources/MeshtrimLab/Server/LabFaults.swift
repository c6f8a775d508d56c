import Foundation

/// Faults the lab injects on request, for reliability tests of clients (`--fault …`).
///
/// - `latency=300ms`: every API answer is delayed by this much.
/// - `error-rate=0.2`: this fraction of API requests fails with 503 (`Retry-After: 1`) or 500, alternately.
/// - `truncate-rate=0.1`: this fraction of answers is cut off half-way and the connection closed.
/// - `slow-envoy` or `slow-envoy=3s`: pod-proxy and port-forward answers wait this long (default 3 s) and Sidecar
///   changes reach the Envoys this much later, like an overloaded sidecar and a slow istiod push.
/// - `forbid=VERB:RESOURCE` (repeatable): RBAC denies every user that verb on that plural resource (`patch:sidecars`,
///   `*:sidecars`, `create:selfsubjectaccessreviews`), in SelfSubjectAccessReviews and in the requests themselves
///   (403), like a cluster whose RBAC is tighter than the kubeconfig suggests.
public struct LabFaults: Sendable, Hashable {
    /// Added to every API answer.
    public var latency: Duration = .zero
    /// Fraction of requests that fail.
    public var errorRate: Double = 0
    /// Fraction of answers that are truncated.
    public var truncateRate: Double = 0
    /// Delay of the sidecar paths, when the Envoys are slow.
    public var slowEnvoy: Duration = .zero
    /// `verb:resource` pairs RBAC denies every user (`*` for any verb).
    public var forbidden: Set<String> = []

    /// No faults.
    public init() {}

    /// Whether any fault is on.
    public var isEmpty: Bool { self == LabFaults() }

    /// Parses `--fault` values.
    ///
    /// - Throws: ``LabError`` naming the value and the accepted forms.
    public static func parse(_ specifications: [String]) throws -> LabFaults {
        var faults = LabFaults()
        for specification in specifications {
            let parts = specification.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let name = parts[0]
            let value = parts.count > 1 ? parts[1] : nil
            switch name {
            case "latency":
                faults.latency = try duration(value, in: specification)
            case "error-rate":
                faults.errorRate = try rate(value, in: specification)
            case "truncate-rate":
                faults.truncateRate = try rate(value, in: specification)
            case "slow-envoy":
                faults.slowEnvoy = try value.map { try duration($0, in: specification) } ?? .seconds(3)
            case "forbid":
                let parts = (value ?? "").split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw LabError("fault \"\(specification)\" needs VERB:RESOURCE, e.g. forbid=patch:sidecars or forbid=*:sidecars")
                }
                faults.forbidden.insert(parts.joined(separator: ":"))
            default:
                throw LabError(
                    "unknown fault \"\(specification)\"; use latency=300ms, error-rate=0.2, truncate-rate=0.1, slow-envoy[=3s] or forbid=VERB:RESOURCE")
            }
        }
        return faults
    }

    /// Parses `300ms`, `2s`, `1.5s`, `1m`.
    static func duration(_ text: String?, in specification: String) throws -> Duration {
        guard let text, !text.isEmpty else { throw LabError("fault \"\(specification)\" needs a duration, e.g. 300ms or 2s") }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number >= 0 {
                return .milliseconds(Int64((number * scale * 1000).rounded()))
            }
        }
        throw LabError("fault \"\(specification)\": \"\(text)\" is not a duration; use e.g. 300ms, 2s or 1m")
    }

    private static func rate(_ text: String?, in specification: String) throws -> Double {
        guard let text, let value = Double(text), (0...1).contains(value) else {
            throw LabError("fault \"\(specification)\" needs a rate between 0 and 1, e.g. error-rate=0.2")
        }
        return value
    }
}
