import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs an exec credential plugin that needs the terminal before the terminal UI starts.
///
/// kubectl gives a plugin its standard input when `interactiveMode` is `Always`, or `IfAvailable` and standard
/// input is a terminal. Inside the UI, ncurses owns the terminal, so meshtrim runs such a plugin once beforehand,
/// with the terminal's standard input and standard error (its prompts), and caches the credential in
/// ``ExecCredentialCache/shared`` for the session's clients.
///
/// ```swift
/// if let plugin = try await InteractiveExecLogin.runBeforeUI(kubeconfig: nil, context: nil) { … }
/// ```
public enum InteractiveExecLogin {
    /// Whether the context's user runs an exec plugin that should get the terminal now.
    public static func needsTerminal(_ access: ClusterAccess, standardInputIsTerminal: Bool) -> Bool {
        guard let exec = access.user.exec, access.user.token?.isEmpty ?? true else { return false }
        if let file = access.user.tokenFile, FileManager.default.isReadableFile(atPath: file) { return false }
        switch exec.interactiveMode ?? (exec.apiVersion?.hasSuffix("/v1") == true ? "" : "IfAvailable") {
        case "Always": return true
        case "IfAvailable": return standardInputIsTerminal
        default: return false
        }
    }

    /// Runs the context's exec plugin with the terminal when it needs one, and caches its credential.
    ///
    /// - Parameters:
    ///   - announce: called with a line to show before the plugin runs (it may prompt right after).
    ///   - standardInputIsTerminal: whether standard input is a terminal (`isatty(0)` by default).
    /// - Returns: the plugin's command when it ran; `nil` when no plugin needs the terminal (or the cache holds a
    ///   credential that has not expired).
    /// - Throws: ``KubeconfigError`` for an unusable kubeconfig, ``KubeError`` (kind `credentials`) when the plugin
    ///   fails.
    public static func runBeforeUI(
        kubeconfig: String?, context: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        standardInputIsTerminal: Bool = isatty(STDIN_FILENO) == 1, timeout: Duration = .seconds(600),
        announce: (String) -> Void = { _ in }
    ) async throws -> String? {
        let access = try KubeconfigLoader.load(explicitPath: kubeconfig, environment: environment).resolve(context: context)
        guard needsTerminal(access, standardInputIsTerminal: standardInputIsTerminal), let exec = access.user.exec else { return nil }
        if let cached = ExecCredentialCache.shared.credential(for: access), !cached.isExpired(at: Date()) { return nil }
        announce("meshtrim: the exec plugin \(exec.command) of \(access.who) runs now, before the UI takes the terminal")
        let credential = try await ExecCredentialPlugin.run(
            for: access, interactiveTerminal: standardInputIsTerminal || exec.interactiveMode == "Always", environment: environment,
            timeout: timeout)
        ExecCredentialCache.shared.store(credential, for: access)
        return exec.command
    }
}
