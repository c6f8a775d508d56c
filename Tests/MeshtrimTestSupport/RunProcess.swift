import Foundation
import MeshtrimProcess

/// What a finished process left behind: its exit status (128 + the signal number if a signal killed it, as a
/// shell reports it), and everything it wrote to standard output and standard error.
public typealias ProcessResult = (exitCode: Int32, stdout: String, stderr: String)

/// Why ``runProcess(_:stdin:environment:timeout:)`` could not run a command to the end.
public struct SpawnError: Error, CustomStringConvertible {
    /// What went wrong, naming the command.
    public let description: String

    /// An error with a message.
    public init(description: String) { self.description = description }
}

/// Runs a command to completion and returns its exit status and output (``CapturedRun`` of MeshtrimProcess).
///
/// Uses `posix_spawnp` + `wait4` rather than `Foundation.Process`, which hangs on commands that leave a daemon
/// behind (`tmux new-session`; swift-corelibs-foundation #4795). The child gets a clean signal state and a process
/// group of its own, output goes to temporary files, and descriptors above 2 are closed in the child, so a daemon
/// it leaves behind holds none of the test runner's files open.
///
/// - Parameters:
///   - arguments: the program (looked up on `PATH`) followed by its arguments.
///   - stdin: text fed to standard input; `nil` connects it to `/dev/null`.
///   - environment: changes to this process's environment: a value sets a variable, `nil` removes it.
///   - timeout: how long to wait before killing the child (and its process group) with SIGKILL and throwing.
/// - Throws: ``SpawnError`` when the program cannot be started or does not finish within `timeout`.
public func runProcess(
    _ arguments: [String], stdin: String? = nil, environment: [String: String?] = [:], timeout: Duration = .seconds(60)
) throws -> ProcessResult {
    do {
        let run = try CapturedRun.run(
            arguments, input: stdin, environment: .inherit(changing: environment), timeout: timeout,
            closesOtherDescriptors: true)
        return (run.exitCode, run.stdout, run.stderr)
    } catch let error as ProcessError {
        throw SpawnError(description: error.description)
    }
}
