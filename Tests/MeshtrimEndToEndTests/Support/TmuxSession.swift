import Foundation
import MeshtrimTestSupport
import Testing

/// A program running in a detached tmux session of a given size: the end-to-end harness for the terminal UI.
///
/// Each session has its own tmux server (`-L` with a unique socket name), so tests run in parallel, and
/// `-f /dev/null` keeps the user's tmux configuration out. The pane runs the command and then
/// `echo "[exited N]"; exec sleep 600`, so after the program ends the screen shows its exit status on the normal
/// screen (proof that the alternate screen was left) instead of a dead pane. The server is killed when the
/// session is released.
///
/// ```swift
/// let session = try TmuxSession([try meshtrimBinaryPath(), "--demo"], width: 100, height: 30)
/// try await session.waitForScreen { $0.contains("NAMESPACE") }
/// try session.press("Down", "Enter")
/// ```
///
/// The pane's environment: `LANG=C.UTF-8` (ncurses and tmux fall back to ASCII otherwise),
/// `SWIFT_BACKTRACE=interactive=no` (a crash must not wait for a key) and `TERM=tmux-256color`. tmux sets `TERM`
/// from its `default-terminal` option whatever `new-session -e` says, so variables given as `environment` are
/// set by the pane's shell command instead, which also lets a test pick another `TERM`.
final class TmuxSession {
    /// The tmux socket name, unique to this session.
    let socket = "meshtrim-e2e-\(UUID().uuidString.prefix(8))"
    /// The tmux session (and target) name.
    let name = "e2e"

    /// Starts `command` in a new detached session of `width` × `height` cells.
    ///
    /// - Parameters:
    ///   - command: the program and its arguments; each is shell-quoted.
    ///   - width: columns.
    ///   - height: rows.
    ///   - environment: extra variables for the program, set in the pane's shell command.
    /// - Throws: ``SpawnError`` when tmux cannot start the session.
    init(_ command: [String], width: Int = 100, height: Int = 30, environment: [String: String] = [:]) throws {
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(shellQuoted($0.value))" }
        let program = (variables.isEmpty ? [] : ["env"] + variables) + command.map(shellQuoted)
        let script = program.joined(separator: " ") + #"; echo "[exited $?]"; exec sleep 600"#
        try tmux([
            "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
            "-e", "LANG=C.UTF-8", "-e", "LC_ALL=C.UTF-8", "-e", "SWIFT_BACKTRACE=interactive=no",
            script,
        ])
    }

    deinit {
        _ = try? tmux(["kill-server"])
        // tmux leaves its socket file behind; one per test run would pile up in /tmp.
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(directory)/tmux-\(getuid())/\(socket)")
    }

    /// Sends keys by tmux name (`"Down"`, `"Enter"`, `"Escape"`, `"C-c"`, `"F5"`, or plain text like `"q"`).
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    /// Types `text` literally, character by character (no key-name lookup).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
    }

    /// Resizes the window; the program sees SIGWINCH and, under ncurses, a `KEY_RESIZE`.
    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// The visible screen as text, one line per row (trailing spaces trimmed by tmux).
    ///
    /// - Parameter escapes: include SGR escapes for colours and attributes (`capture-pane -e`), and keep trailing
    ///   spaces (`-N`) so styled padding, like a reverse-video selection bar, shows.
    func screen(escapes: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", name] + (escapes ? ["-e", "-N"] : []))
    }

    /// Polls the screen every 50 ms until `predicate` holds, and returns that screen.
    ///
    /// On timeout the last screen is attached to the test (`screen.txt`; keep it with
    /// `swift test --attachments-path DIR`), an issue is recorded, and the last screen is returned so the test can
    /// go on with its own checks.
    @discardableResult
    func waitForScreen(
        timeout: Duration = .seconds(5), escapes: Bool = false, sourceLocation: SourceLocation = #_sourceLocation,
        until predicate: (String) throws -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while true {
            last = try screen(escapes: escapes)
            if try predicate(last) { return last }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Attachment.record(last, named: "screen.txt", sourceLocation: sourceLocation)
        Issue.record(
            "The screen did not match within \(timeout). Last screen:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    /// Runs `tmux -L <socket> -f /dev/null <arguments>` and returns its standard output.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let result = try runProcess(
            ["tmux", "-L", socket, "-f", "/dev/null", "-u"] + arguments,
            environment: ["LANG": "C.UTF-8", "TMUX": nil, "TMUX_PANE": nil],
            timeout: .seconds(10))
        guard result.exitCode == 0 else {
            throw SpawnError(
                description: "tmux \(arguments.joined(separator: " ")) exited \(result.exitCode): \(result.stderr)")
        }
        return result.stdout
    }
}

/// `text` in single quotes for `sh`, with embedded single quotes escaped.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}
