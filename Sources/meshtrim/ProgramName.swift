import Foundation

/// The name meshtrim was started under, for usage and help: `kubectl meshtrim` when kubectl runs it as the plugin
/// `kubectl-meshtrim` (kubectl passes the plugin's path as argv[0]), else `meshtrim`.
enum ProgramName {
    /// The plugin's file name kubectl looks for on PATH.
    static let kubectlPlugin = "kubectl-meshtrim"

    /// The name for the current process.
    static var current: String { name(forArgv0: CommandLine.arguments.first ?? "meshtrim") }

    /// `kubectl meshtrim` for a path whose last component is `kubectl-meshtrim`, else `meshtrim`.
    static func name(forArgv0 path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base == kubectlPlugin ? "kubectl meshtrim" : "meshtrim"
    }
}
