import Foundation
import MeshtrimProcess
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A `meshtrim lab` running in the background for one test, in its own temporary directory: the one way test
/// targets start and stop a lab.
///
/// ``start(_:envoy:timeout:)`` starts the lab and waits for its kubeconfig; ``stop()`` stops it with SIGTERM
/// (SIGKILL after 15 s) and checks that none of its Envoys survived (`pgrep -f STATE/envoy` finds nothing).
/// Test targets wrap it in their own `withLab` (which tools they require, start-up serialisation).
public final class TestLab: @unchecked Sendable {
    /// The test's directory (kubeconfig, state, log).
    public let directory: String
    /// The kubeconfig the lab writes.
    public var kubeconfig: String { "\(directory)/kubeconfig" }
    /// The lab's state directory (certificates under `pki/`, Envoy files).
    public var stateDirectory: String { "\(directory)/state" }
    /// The lab's standard output and error.
    public var logPath: String { "\(directory)/lab.log" }
    /// The running lab, or `nil` before ``start(_:envoy:timeout:)`` and after ``stop()``.
    public private(set) var process: SpawnedProcess?

    /// A lab not yet started, with a fresh temporary directory named after `prefix`.
    public init(prefix: String = "meshtrim-lab-test") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Starts `meshtrim lab --kubeconfig-out … --state-dir … ARGUMENTS` (with `--without-envoy` when `envoy` is
    /// `nil` and the arguments do not ask for `--synthetic-envoy`) in the test's process group, and waits until the
    /// kubeconfig exists.
    ///
    /// - Throws: ``TestLabError`` when the lab exits while starting (the message holds its log, which names the
    ///   Envoy log after "; see") or does not start within `timeout`.
    public func start(_ arguments: [String], envoy: String?, timeout: Duration = .seconds(120)) async throws {
        var argv = [try meshtrimBinaryPath(), "lab", "--kubeconfig-out", kubeconfig, "--state-dir", stateDirectory] + arguments
        var environment: [String: String?] = [:]
        if let envoy {
            environment["MESHTRIM_ENVOY"] = envoy
        } else if !arguments.contains("--synthetic-envoy") {
            argv.append("--without-envoy")
        }
        let lab = try SpawnedProcess.spawn(
            ProcessOptions(
                argv, environment: .inherit(changing: environment), standardOutput: .file(logPath),
                standardError: .standardOutput, group: .caller))
        process = lab
        let deadline = ContinuousClock.now + timeout
        while !FileManager.default.fileExists(atPath: kubeconfig) {
            if let ended = try lab.poll() {
                process = nil
                let files = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
                throw TestLabError(
                    "meshtrim lab exited \(ended) while starting (\(argv.joined(separator: " "))); files: \(files.count):\n\(log)")
            }
            if ContinuousClock.now > deadline { throw TestLabError("meshtrim lab did not start within \(timeout):\n\(log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The lab's output so far.
    public var log: String {
        FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? "(no log file)"
    }

    /// Runs kubectl against the lab with a fresh cache directory.
    @discardableResult
    public func kubectl(
        _ arguments: [String], context: String? = nil, stdin: String? = nil, timeout: Duration = .seconds(120)
    ) throws -> ProcessResult {
        var argv = ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", "\(directory)/kubectl-cache-\(UUID().uuidString.prefix(8))"]
        if let context { argv += ["--context", context] }
        return try runProcess(argv + arguments, stdin: stdin, timeout: timeout)
    }

    /// Stops the lab (SIGTERM, then SIGKILL after 15 s) and checks that no Envoy of this lab survives.
    public func stop() async throws {
        guard let lab = process else { return }
        process = nil
        try await lab.terminate(grace: .seconds(15))
        // The teardown check: no process (Envoy) started from this lab's state directory is left.
        let survivors = try runProcess(["pgrep", "-a", "-f", "\(stateDirectory)/envoy"])
        #expect(survivors.exitCode == 1, "Envoys survived the lab: \(survivors.stdout)")
    }

    deinit {
        process?.send(SIGKILL)
        _ = try? process?.wait()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A lab that could not be started for a test, with its log.
public struct TestLabError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// An error with a message.
    public init(_ description: String) { self.description = description }
}
