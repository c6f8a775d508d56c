import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`: its pid, the parent's ends of its pipes, and ways to wait for it.
///
/// The one place meshtrim starts programs (the lab's Envoys, benchmarks, exec credential plugins, tests). Waiting
/// uses `wait4`, so the termination carries the child's peak resident memory. The caller reaps the child itself:
/// call one of the `wait` methods (or ``poll()`` until it returns a termination) exactly once per child.
public final class SpawnedProcess: Sendable {
    /// The process id.
    public let pid: pid_t
    /// The command, for messages.
    public let arguments: [String]
    /// The group the child runs in; with `.own`, signals from timeouts go to the whole group.
    public let group: ProcessGroup
    /// The write end of the child's standard input when it was ``ProcessStream/pipe``.
    public let standardInput: FileHandle?
    /// The read end of the child's standard output when it was ``ProcessStream/pipe``.
    public let standardOutput: FileHandle?
    /// The read end of the child's standard error when it was ``ProcessStream/pipe``.
    public let standardError: FileHandle?

    /// How the child ended, once it is reaped.
    private let termination = Mutex<ProcessTermination?>(nil)

    private init(
        pid: pid_t, arguments: [String], group: ProcessGroup, standardInput: FileHandle?, standardOutput: FileHandle?,
        standardError: FileHandle?
    ) {
        self.pid = pid
        self.arguments = arguments
        self.group = group
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Starts a child as `options` describe and returns at once.
    ///
    /// - Throws: ``ProcessError`` naming the program and the system's reason (not found, not executable, no
    ///   descriptors left).
    public static func spawn(_ options: ProcessOptions) throws -> SpawnedProcess {
        if options.diesWithParent { return try ParentDeathSpawner.shared.spawn(options) }
        return try start(options, reportedAs: options.arguments)
    }

    /// Spawns `options` on the calling thread; the process reports `arguments` as its command (the caller's, without
    /// a `setpriv` prefix).
    static func start(_ options: ProcessOptions, reportedAs arguments: [String]) throws -> SpawnedProcess {
        try Spawner.spawn(options) { pid, input, output, error in
            SpawnedProcess(
                pid: pid, arguments: arguments, group: options.group, standardInput: input, standardOutput: output,
                standardError: error)
        }
    }

    /// The termination when the child has ended (reaping it), else `nil`; never blocks.
    ///
    /// - Throws: ``ProcessError`` when `wait4` fails (the child was reaped elsewhere).
    public func poll() throws -> ProcessTermination? {
        try termination.withLock { (termination) throws(ProcessError) -> ProcessTermination? in
            if let termination { return termination }
            var status: Int32 = 0
            var usage = rusage()
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid {
                let ended = ProcessTermination(rawStatus: status, peakResidentBytes: Int(usage.ru_maxrss) * 1024)
                termination = ended
                return ended
            }
            if reaped == -1 && errno != EINTR {
                throw ProcessError("waiting for \(commandLine) failed: \(ProcessError.reason(errno))", code: errno)
            }
            return nil
        }
    }

    /// Whether the child has been reaped (its pid may belong to another process by then).
    private var isReaped: Bool { termination.withLock { $0 != nil } }

    /// The child's resident high-water mark so far (`VmHWM` in `/proc/PID/status`), or `nil` once it has ended or
    /// where `/proc` does not say.
    ///
    /// Unlike `wait4`'s `ru_maxrss`, which on Linux starts from the spawning process's own size (the child shares
    /// its memory until `exec`, and the kernel keeps that high-water mark), `VmHWM` belongs to the program the child
    /// runs. Sampled while the child runs, it is a lower bound of that program's peak.
    public func residentHighWaterBytes() -> Int? {
        guard !isReaped, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[2] == "kB", let kibibytes = Int(fields[1]) else { return nil }
            return kibibytes * 1024
        }
        return nil
    }

    /// Whether the child is still running (reaps it when it has ended).
    public var isRunning: Bool { ((try? poll()) ?? nil) == nil }

    /// Sends `signal` to the child, and to its whole group when it has one of its own; nothing once it is reaped
    /// (its pid may belong to another process by then).
    public func send(_ signal: Int32) {
        guard !isReaped else { return }
        if group == .own { kill(-pid, signal) }
        kill(pid, signal)
    }

    /// Blocks until the child ends. After `timeout` it is stopped: with a `grace` period SIGTERM first and SIGKILL
    /// when it outlives the grace, otherwise SIGKILL at once; the termination then says ``ProcessTermination/timedOut``.
    ///
    /// Polls with a back-off from 1 ms to 20 ms, so a quick child costs about a millisecond of latency.
    /// - Throws: ``ProcessError`` when `wait4` fails.
    public func wait(timeout: Duration? = nil, grace: Duration? = nil) throws -> ProcessTermination {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var pause: useconds_t = 1_000
        while true {
            if let ended = try poll() { return ended }
            if let deadline, ContinuousClock.now >= deadline { return try stopAfterTimeout(grace: grace) }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Waits without blocking a thread (sleeping between polls), for async callers; see ``wait(timeout:grace:)``.
    ///
    /// - Throws: ``ProcessError`` when `wait4` fails.
    public func exit(timeout: Duration? = nil, grace: Duration? = nil) async throws -> ProcessTermination {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var pause = Duration.milliseconds(1)
        while true {
            if let ended = try poll() { return ended }
            if let deadline, ContinuousClock.now >= deadline {
                if let grace {
                    send(SIGTERM)
                    if let ended = try await exit(timeout: grace, grace: nil).ended { return ended.markedTimedOut }
                }
                return try stopAfterTimeout(grace: nil)
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Stops the child (SIGTERM, then SIGKILL after `grace`) and returns how it ended; for shutting down servers.
    ///
    /// - Throws: ``ProcessError`` when `wait4` fails.
    @discardableResult
    public func terminate(grace: Duration) async throws -> ProcessTermination {
        if let ended = try poll() { return ended }
        send(SIGTERM)
        if let ended = try await exit(timeout: grace, grace: nil).ended { return ended }
        return try stopAfterTimeout(grace: nil)
    }

    /// Everything the read end `handle` delivers until end of file, read on a Dispatch thread (not a cooperative
    /// one), then closed.
    public static func readToEnd(_ handle: FileHandle?) async -> Data {
        guard let handle else { return Data() }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = (try? handle.readToEnd()) ?? Data()
                try? handle.close()
                continuation.resume(returning: data)
            }
        }
    }

    private func stopAfterTimeout(grace: Duration?) throws -> ProcessTermination {
        if let grace {
            send(SIGTERM)
            let deadline = ContinuousClock.now + grace
            while ContinuousClock.now < deadline {
                if let ended = try poll() { return ended.markedTimedOut }
                usleep(10_000)
            }
        }
        send(SIGKILL)
        while true {
            if let ended = try poll() { return ended.markedTimedOut }
            usleep(1_000)
        }
    }

    private var commandLine: String { arguments.joined(separator: " ") }
}

extension ProcessTermination {
    /// The same termination, flagged as the result of a timeout.
    var markedTimedOut: ProcessTermination {
        ProcessTermination(rawStatus: rawStatus, peakResidentBytes: peakResidentBytes, timedOut: true)
    }

    /// Itself when it did not time out (an inner wait's "ended in time"), else `nil`.
    var ended: ProcessTermination? { timedOut ? nil : self }
}
