import Foundation
import MeshtrimTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary in tmux: typed-ahead keys never answer a question, and SIGQUIT gives the terminal back.
@Suite("Questions and signals in tmux", .enabled(if: shouldRunTests(needing: "tmux")), .serialized, .timeLimit(.minutes(3)))
struct TerminalQuestionTests {
    /// `tmux display-message -p FORMAT` for the session's pane (`#{pane_pid}`, `#{alternate_on}`, `#{pane_tty}`).
    static func paneValue(_ session: TmuxSession, _ format: String) throws -> String {
        let result = try runProcess(
            ["tmux", "-L", session.socket, "-f", "/dev/null", "display-message", "-p", "-t", session.name, format],
            environment: ["TMUX": nil, "TMUX_PANE": nil], timeout: .seconds(10))
        #expect(result.exitCode == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("w, enter and a y typed ahead: the overwrite question is drawn and the y does not answer it")
    func typeaheadDoesNotAnswer() async throws {
        try requireTool("tmux")
        let directory = try UIJourneyTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try UIJourneyTests.session(["--demo"], in: directory, width: 120, height: 40)
        try await session.waitForScreen(timeout: UIJourneyTests.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        try session.press("e")
        try await session.waitForScreen { $0.contains("IMPACT") }
        try session.press("1")
        try await session.waitForScreen { $0.contains("2 hosts") }
        try session.press("y")
        try await session.waitForScreen { $0.contains("VALIDATION") }
        try session.press("w", "Enter")
        var screen = try await session.waitForScreen { $0.contains("✓ wrote ") }
        let written = try #require(
            screen.split(separator: "\n").compactMap { line -> String? in
                guard let range = line.range(of: "✓ wrote ") else { return nil }
                return String(line[range.upperBound...]).components(separatedBy: " (").first
            }.first)
        let path = written.hasPrefix("/") ? written : directory.appendingPathComponent(written).path
        try "sentinel\n".write(toFile: path, atomically: true, encoding: .utf8)

        // One send-keys: the y and a are in the tty's buffer before the question exists.
        try session.press("w", "Enter", "y", "a")
        try await session.waitForScreen { $0.contains("─ confirm ─") && $0.contains("Overwrite? (y/N)") }
        try session.press("n")
        screen = try await session.waitForScreen { $0.contains("left as it was") }
        #expect(!screen.contains("─ confirm ─"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "sentinel\n", "the typed-ahead y did not overwrite")
        try session.press("q")
        screen = try await session.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("[exited 0]"))
    }

    @Test("SIGQUIT: the terminal is back in normal mode (main screen, canonical input, echo) before meshtrim dies")
    func sigquitRestoresTerminal() async throws {
        try requireTool("tmux")
        let directory = try UIJourneyTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try UIJourneyTests.session(["--demo"], in: directory, width: 100, height: 30)
        try await session.waitForScreen(timeout: UIJourneyTests.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        #expect(try Self.paneValue(session, "#{alternate_on}") == "1", "the precondition: the UI is on the alternate screen")
        let tty = try Self.paneValue(session, "#{pane_tty}")
        let raw = try runProcess(["stty", "-a", "-F", tty])
        #expect(raw.stdout.contains("-icanon"), "the precondition: the UI has the tty in raw mode")

        // The pane's shell runs `sh -c 'cd … && exec meshtrim …'`: meshtrim is the shell's only child.
        let shell = try Self.paneValue(session, "#{pane_pid}")
        let children = try runProcess(["pgrep", "-P", shell])
        let pid = try #require(children.stdout.split(separator: "\n").compactMap { Int32($0) }.first)
        #expect(kill(pid, SIGQUIT) == 0)

        let screen = try await session.waitForScreen(timeout: .seconds(60)) { $0.contains("[exited") }
        #expect(screen.contains("[exited \(128 + SIGQUIT)]"))
        #expect(!screen.contains("CLUSTERS/SIDECAR"), "the UI is gone")
        #expect(try Self.paneValue(session, "#{alternate_on}") == "0", "the alternate screen was left")
        let modes = try runProcess(["stty", "-a", "-F", tty]).stdout
        let flags = modes.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init)
        #expect(flags.contains("icanon") && flags.contains("echo") && flags.contains("isig"), "\(modes)")
    }
}
