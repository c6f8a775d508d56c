import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a child process could not be started, waited for or read, naming the command and the system's reason.
///
/// The message says what to check (the program's path, `PATH`, permissions, a time limit), so callers can show it
/// as it is or wrap it in their own error type.
public struct ProcessError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What went wrong, naming the command.
    public let description: String
    /// The `errno` (or `posix_spawn` result) behind it, when there is one.
    public let code: Int32?

    /// An error with a message and, optionally, the system error code behind it.
    public init(_ description: String, code: Int32? = nil) {
        self.description = description
        self.code = code
    }

    /// The message, for `localizedDescription`.
    public var errorDescription: String? { description }

    /// The system's text for an errno value.
    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func cannotStart(_ arguments: [String], code: Int32) -> ProcessError {
        let program = arguments.first ?? "(no program)"
        var hint = ""
        if code == ENOENT { hint = " (is it installed, and on PATH or given by its full path?)" }
        if code == EACCES { hint = " (is the file executable?)" }
        return ProcessError("cannot run \(program): \(reason(code))\(hint)", code: code)
    }

    static func timedOut(_ arguments: [String], after timeout: Duration) -> ProcessError {
        ProcessError("`\(arguments.joined(separator: " "))` did not finish within \(timeout)")
    }
}
