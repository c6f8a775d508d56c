import Foundation
import MeshtrimProcess

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a short-lived helper program (an exec credential plugin) without blocking Swift's cooperative threads:
/// output is read on Dispatch threads and the exit awaited with sleeps between polls.
///
/// A plugin without the terminal runs in a process group of its own with `/dev/null` as standard input. An
/// interactive plugin (the terminal as its standard input and error) stays in meshtrim's own process group with
/// the signal state it inherits, as kubectl's plugins do: a background group that reads the terminal gets `EIO`
/// (or is stopped), so a prompting plugin in a group of its own could never read its answer.
enum PluginProcess {
    /// What the program left behind.
    struct Result: Sendable {
        /// The exit status (128 + signal when killed).
        var status: Int32
        /// Standard output.
        var stdout: Data
        /// Standard error (empty when it went to the terminal).
        var stderr: Data
        /// Whether it was stopped for running too long.
        var timedOut: Bool
    }

    /// Runs `executable` to the end.
    ///
    /// - Parameters:
    ///   - environment: the plugin's whole environment.
    ///   - inheritStandardInput: give the program this process's standard input and keep it in this process group
    ///     (interactive plugins); otherwise it reads `/dev/null` in a group of its own.
    ///   - inheritStandardError: let the program write to this process's standard error (an interactive plugin's
    ///     prompts); its stderr is then not captured.
    ///   - timeout: the program is sent SIGTERM after this long, and SIGKILL 2 s later.
    /// - Throws: ``ProcessError`` when the program cannot be started.
    static func run(
        executable: String, arguments: [String], environment: [String: String], inheritStandardInput: Bool,
        inheritStandardError: Bool = false, timeout: Duration
    ) async throws -> Result {
        let child = try SpawnedProcess.spawn(
            ProcessOptions(
                [executable] + arguments, environment: .exactly(environment),
                standardInput: inheritStandardInput ? .inherit : .null, standardOutput: .pipe,
                standardError: inheritStandardError || inheritStandardInput ? .inherit : .pipe,
                group: inheritStandardInput ? .caller : .own, resetsSignals: !inheritStandardInput))
        async let stdout = SpawnedProcess.readToEnd(child.standardOutput)
        async let stderr = SpawnedProcess.readToEnd(child.standardError)
        let termination = try await child.exit(timeout: timeout, grace: .seconds(2))
        let (out, err) = await (stdout, stderr)
        return Result(status: termination.shellStatus, stdout: out, stderr: err, timedOut: termination.timedOut)
    }

    /// The executable for `command`: itself when it contains a `/`, else the first match on `PATH`.
    static func locate(_ command: String, path: String?) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
