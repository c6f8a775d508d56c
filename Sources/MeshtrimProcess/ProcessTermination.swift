#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended: its exit code or the signal that killed it, and its peak memory.
public struct ProcessTermination: Sendable, Equatable, CustomStringConvertible {
    /// The raw `wait` status.
    public let rawStatus: Int32
    /// Peak resident set size in bytes (`wait4`'s `ru_maxrss`, which Linux reports in KiB).
    public let peakResidentBytes: Int
    /// Whether the child was signalled because it ran past its time limit.
    public let timedOut: Bool

    /// A termination from a raw `wait` status.
    public init(rawStatus: Int32, peakResidentBytes: Int = 0, timedOut: Bool = false) {
        self.rawStatus = rawStatus
        self.peakResidentBytes = peakResidentBytes
        self.timedOut = timedOut
    }

    /// The signal that ended the process, or `nil` when it exited (`WTERMSIG`; the macros are not imported).
    public var signal: Int32? {
        let number = rawStatus & 0x7F
        return number == 0 ? nil : number
    }

    /// The exit code when the process exited, or `nil` when a signal ended it (`WEXITSTATUS`).
    public var exitCode: Int32? { signal == nil ? (rawStatus >> 8) & 0xFF : nil }

    /// The status as a shell reports it: the exit code, or 128 + the signal number.
    public var shellStatus: Int32 { signal.map { 128 + $0 } ?? exitCode ?? 0 }

    /// Whether the process exited with code 0.
    public var succeeded: Bool { exitCode == 0 }

    /// "with status N" or "by signal N (SIGNAME)", for messages.
    public var description: String {
        if let signal { return "by signal \(signal) (\(Self.signalName(signal)))" }
        return "with status \(exitCode ?? 0)"
    }

    /// The conventional name of a signal number (`SIGTERM`), or `signal N` for others.
    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGABRT: "SIGABRT"
        case SIGKILL: "SIGKILL"
        case SIGSEGV: "SIGSEGV"
        case SIGPIPE: "SIGPIPE"
        case SIGTERM: "SIGTERM"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        default: "signal \(signal)"
        }
    }
}
