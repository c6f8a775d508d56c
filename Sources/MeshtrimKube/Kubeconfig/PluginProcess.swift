import Dispatch
import Foundation

/// Runs a short-lived helper program (an exec credential plugin) without blocking Swift's cooperative threads:
/// output is read and the exit awaited on Dispatch threads.
enum PluginProcess {
    /// What the program left behind.
    struct Result: Sendable {
        /// The exit status (128 + signal when killed).
        var status: Int32
        /// Standard output.
        var stdout: Data
        /// Standard error.
        var stderr: Data
        /// Whether it was killed for running too long.
        var timedOut: Bool
    }

    /// Runs `executable` to the end.
    ///
    /// - Parameters:
    ///   - inheritStandardInput: give the program this process's standard input (interactive plugins); otherwise
    ///     it reads `/dev/null`.
    ///   - inheritStandardError: let the program write to this process's standard error (an interactive plugin's
    ///     prompts); its stderr is then not captured.
    ///   - timeout: the program is terminated after this long.
    /// - Throws: the error of `Process.run()` when the program cannot be started.
    static func run(
        executable: String, arguments: [String], environment: [String: String], inheritStandardInput: Bool,
        inheritStandardError: Bool = false, timeout: Duration
    ) async throws -> Result {
        if inheritStandardInput {
            // The terminal's plugins must stay in the foreground process group to read it (see TerminalPluginProcess).
            return try await TerminalPluginProcess.run(executable: executable, arguments: arguments, environment: environment, timeout: timeout)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = inheritStandardError ? FileHandle.standardError : errors
        process.standardInput = inheritStandardInput ? FileHandle.standardInput : FileHandle(forReadingAtPath: "/dev/null")
        let timedOut = TimeoutFlag()
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let killer = DispatchWorkItem {
            timedOut.set()
            process.terminate()
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
        async let stdout = readAll(output.fileHandleForReading)
        if inheritStandardError { try? errors.fileHandleForWriting.close() }
        async let stderr = readAll(errors.fileHandleForReading)
        let (out, err) = await (stdout, stderr)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                exited.wait()
                continuation.resume()
            }
        }
        killer.cancel()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Result(status: status, stdout: out, stderr: err, timedOut: timedOut.value)
    }

    private static func readAll(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = (try? handle.readToEnd()) ?? Data()
                continuation.resume(returning: data)
            }
        }
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

/// A flag set from a Dispatch thread and read afterwards.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    func set() {
        lock.lock()
        isSet = true
        lock.unlock()
    }

    var value: Bool {
        lock.lock()
        defer { lock.unlock() }
        return isSet
    }
}
