import Foundation
import MeshtrimProcess

#if canImport(Glibc)
    import Glibc
#endif

/// One running Envoy: its pid, how to stop it, and whether it is still alive.
///
/// A ``SpawnedProcess`` with ``ProcessOptions/diesWithParent``, so a lab killed with SIGKILL still takes its Envoys
/// with it; in a process group of its own, with a clean signal state, writing standard output and error to its log.
/// The lab reaps it itself (``SpawnedProcess/poll()``), so an Envoy that dies is noticed within a poll interval and
/// reported with its exit status or signal.
final class EnvoyProcess: Sendable {
    /// The child.
    let child: SpawnedProcess
    /// When it was started.
    let startedAt: Date

    /// The process id.
    var pid: pid_t { child.pid }

    private init(child: SpawnedProcess) {
        self.child = child
        self.startedAt = Date()
    }

    /// Starts `envoy -c bootstrap --concurrency N --disable-hot-restart`, logging to `logPath`.
    ///
    /// - Throws: ``LabError`` when the binary cannot be started.
    static func start(binary: String, bootstrapPath: String, concurrency: Int, logPath: String, logLevel: String = "warning")
        async throws -> EnvoyProcess
    {
        let arguments = [
            binary, "-c", bootstrapPath, "--concurrency", String(concurrency), "--disable-hot-restart",
            "--log-level", logLevel, "--drain-time-s", "1", "--parent-shutdown-time-s", "2",
        ]
        do {
            let child = try SpawnedProcess.spawn(
                ProcessOptions(
                    arguments, standardOutput: .file(logPath, append: true), standardError: .standardOutput, group: .own,
                    diesWithParent: true))
            return EnvoyProcess(child: child)
        } catch let error as ProcessError {
            let reason = error.code.map { String(cString: strerror($0)) } ?? error.description
            throw LabError("cannot start \(binary): \(reason)")
        }
    }

    /// The exit status once the process has ended (128 + signal for a signal), else `nil`; -1 when it was reaped
    /// elsewhere. Reaps the child.
    func pollExit() -> Int32? {
        do { return try child.poll()?.shellStatus } catch { return -1 }
    }

    /// Whether the process is still running.
    var isRunning: Bool { pollExit() == nil }

    /// Asks Envoy to stop (SIGTERM to its group), waits up to `grace`, then kills it (SIGKILL) and reaps it.
    func stop(grace: Duration = .seconds(3)) async {
        guard isRunning else { return }
        _ = try? await child.terminate(grace: grace)
    }

    /// Resident memory of the process in bytes (`VmRSS` in `/proc/PID/status`), when readable.
    var residentBytes: Int? {
        guard isRunning, let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return digits.map { $0 * 1024 }
        }
        return nil
    }
}
