import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One running Envoy: its pid, how to stop it, and whether it is still alive.
///
/// The lab reaps its children itself (`waitpid` with `WNOHANG`), so an Envoy that dies is noticed within a poll
/// interval and reported with its exit status or signal.
final class EnvoyProcess: @unchecked Sendable {
    /// The process id.
    let pid: pid_t
    /// When it was started.
    let startedAt: Date
    private let lock = NSLock()
    private var exitStatus: Int32?

    private init(pid: pid_t) {
        self.pid = pid
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
        let pid = try await ProcessSpawner.shared.spawn(arguments, logPath: logPath)
        return EnvoyProcess(pid: pid)
    }

    /// The exit status once the process has ended (128 + signal for a signal), else `nil`. Reaps the child.
    func pollExit() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else {
            if result == -1 && errno == ECHILD { exitStatus = -1 }
            return exitStatus
        }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return exitStatus
    }

    /// Whether the process is still running.
    var isRunning: Bool { pollExit() == nil }

    /// Asks Envoy to stop (SIGTERM), waits up to `grace`, then kills it (SIGKILL) and reaps it.
    func stop(grace: Duration = .seconds(3)) async {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if isRunning {
            kill(pid, SIGKILL)
            while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Resident memory of the process in bytes (`VmRSS` in `/proc/PID/status`), when readable.
    var residentBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return digits.map { $0 * 1024 }
        }
        return nil
    }
}
