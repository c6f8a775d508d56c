import CNcursesw

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Gives the terminal back to the shell when meshtrim dies from a signal while ncurses owns the screen.
///
/// A Swift trap (`fatalError`, an index out of range, a failed `!`) raises SIGILL or SIGTRAP, and the default
/// action, or the Swift runtime's backtracer, leaves the tty in raw mode on the alternate screen: the user sees
/// a frozen screen and then a stair-stepped backtrace. ``install()`` chains a handler in front of whatever was
/// installed before (usually the backtracer) that calls `endwin()` and then hands the signal on, so the crash
/// report prints on a normal screen and the exit status still tells how the process died.
///
/// Termination signals: ncurses itself restores the terminal on SIGINT and SIGTERM (it installs handlers in
/// `newterm` when they are at their default), so those are left alone. It does not handle SIGHUP; for that one
/// the guard restores the terminal and re-raises with the default action (exit status 128 + 1 in a shell).
///
/// `endwin()` is not async-signal-safe. That is acceptable when the process is about to die anyway, and it is the
/// only way to restore the exact modes ncurses changed without a compiled C target.
public enum CrashGuard {
    /// Signals that mean the process is crashing, or is asked to dump core: SIGQUIT (`kill -QUIT`; ctrl-\ is a
    /// plain key in raw mode) makes the Swift backtracer print its report, which must land on a normal screen too.
    public static let crashSignals: [Int32] = [SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGQUIT]
    /// Termination signals that ncurses does not handle itself; guarded only when still at their default action.
    public static let hangUpSignals: [Int32] = [SIGHUP]

    /// Installs the handlers once; later calls do nothing. Call it from the thread that opens the terminal.
    ///
    /// ``NcursesTerminal`` calls this before `newterm`, so callers only need it when they drive ncurses
    /// themselves.
    public static func install() {
        guard !crashGuardInstalled else { return }
        crashGuardInstalled = true
        for signal in crashSignals { chain(signal) }
        for signal in hangUpSignals {
            var current = sigaction()
            guard sigaction(signal, nil, &current) == 0, isDefault(current) else { continue }
            chain(signal)
        }
    }

    /// Saves the current action for `signal` and installs the restoring handler in front of it.
    private static func chain(_ signal: Int32) {
        guard signal > 0, signal < savedActionCapacity else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, context in
            restoreTerminalAndForward(signal, info: info, context: context)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_SIGINFO | SA_ONSTACK
        sigaction(signal, &action, savedActions + Int(signal))
    }

    /// Whether `action` is `SIG_DFL` (a null handler without `SA_SIGINFO`).
    private static func isDefault(_ action: sigaction) -> Bool {
        (action.sa_flags & SA_SIGINFO) == 0 && action.__sigaction_handler.sa_handler == nil
    }
}

/// Room for the previous actions, indexed by signal number (Linux has 64 signals).
private let savedActionCapacity: Int32 = 65

/// The actions that were installed before the guard, indexed by signal number.
///
/// A raw buffer rather than a dictionary so the signal handler neither allocates nor takes locks. Written only by
/// ``CrashGuard/install()`` before the handlers are live.
nonisolated(unsafe) private let savedActions: UnsafeMutablePointer<sigaction> = {
    let buffer = UnsafeMutablePointer<sigaction>.allocate(capacity: Int(savedActionCapacity))
    buffer.initialize(repeating: sigaction(), count: Int(savedActionCapacity))
    return buffer
}()

/// Set by the first ``CrashGuard/install()``.
nonisolated(unsafe) private var crashGuardInstalled = false

/// The handler: restore the tty, put the previous action back, and let it see the signal.
///
/// A fault the kernel raised (`si_code > 0`) from SIGSEGV, SIGBUS, SIGILL or SIGFPE re-occurs when the handler
/// returns, because the faulting instruction runs again; the previous handler (the Swift backtracer) then gets the
/// real crash context. A signal that was sent (`kill`, `raise`, `abort`, SIGTRAP, SIGQUIT, SIGHUP) does not
/// re-occur, so the previous handler is called directly and the signal is then re-raised with its default action: a crash signal
/// stays fatal even though the Swift backtracer returns after printing its report.
private func restoreTerminalAndForward(
    _ signal: Int32, info: UnsafeMutablePointer<siginfo_t>?, context: UnsafeMutableRawPointer?
) {
    endwin()
    let previous = savedActions + Int(signal)
    sigaction(signal, previous, nil)
    let isFault = signal == SIGSEGV || signal == SIGBUS || signal == SIGILL || signal == SIGFPE
    if isFault, let info, info.pointee.si_code > 0 { return }
    let handler = previous.pointee.__sigaction_handler
    if previous.pointee.sa_flags & SA_SIGINFO != 0 {
        handler.sa_sigaction?(signal, info, context)
    } else if let plain = handler.sa_handler {
        // SIG_IGN is handler 1: the signal was ignored before the guard, so keep ignoring it.
        if unsafeBitCast(plain, to: Int.self) == 1 { return }
        plain(signal)
    }
    var fallback = sigaction()
    sigemptyset(&fallback.sa_mask)
    sigaction(signal, &fallback, nil)
    raise(signal)
}
