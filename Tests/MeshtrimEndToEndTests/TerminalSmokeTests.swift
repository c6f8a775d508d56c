import Foundation
import MeshtrimTestSupport
import Testing

/// The end-to-end harness itself: process spawning and tmux sessions, with plain shell commands.
@Suite("Terminal harness smoke tests")
struct TerminalSmokeTests {
    @Test("runProcess returns the exit status, standard output and standard error")
    func runProcessCapturesEverything() throws {
        let result = try runProcess(
            ["sh", "-c", #"cat; printf "$GREETING"; echo oops >&2; exit 3"#], stdin: "in ",
            environment: ["GREETING": "héllo"])
        #expect(result.exitCode == 3)
        #expect(result.stdout == "in héllo")
        #expect(result.stderr == "oops\n")
    }

    @Test("runProcess reports death by signal as 128 + signal, like a shell")
    func runProcessReportsSignals() throws {
        let result = try runProcess(["sh", "-c", "kill -TERM $$"])
        #expect(result.exitCode == 128 + 15)
    }

    @Test("runProcess kills a command that outlives its timeout")
    func runProcessTimesOut() throws {
        #expect(throws: SpawnError.self) {
            try runProcess(["sleep", "30"], timeout: .milliseconds(200))
        }
    }

    @Test("runProcess gives the child a clean signal mask")
    func runProcessClearsSignalMask() throws {
        let result = try runProcess(["sh", "-c", "grep '^SigBlk' /proc/self/status"])
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "SigBlk:\t0000000000000000")
    }

    @Test(
        "A tmux session shows output, takes typed keys, resizes and reports the exit status",
        .enabled(if: shouldRunTests(needing: "tmux")), .timeLimit(.minutes(1)))
    func tmuxSession() async throws {
        try requireTool("tmux")
        let session = try TmuxSession(
            ["sh", "-c", #"printf 'hello %s\n' "$WHO"; read line; echo "got $line"; stty size; exit 4"#],
            width: 40, height: 8, environment: ["WHO": "mesh's world"])
        try await session.waitForScreen { $0.contains("hello mesh's world") }
        try session.resize(width: 50, height: 10)
        try session.type("abc ⎈")
        try session.press("Enter")
        let screen = try await session.waitForScreen { $0.contains("[exited 4]") }
        #expect(screen.contains("got abc ⎈"))
        #expect(screen.contains("10 50"), "stty should see the resized window")
    }

    @Test(
        "A tmux pane gets TERM=tmux-256color, UTF-8 and an unblocked SIGWINCH",
        .enabled(if: shouldRunTests(needing: "tmux")), .timeLimit(.minutes(1)))
    func tmuxEnvironment() async throws {
        try requireTool("tmux")
        let session = try TmuxSession(
            ["sh", "-c", #"echo "term=$TERM lang=$LANG"; grep '^SigBlk' /proc/self/status; sleep 5"#],
            width: 60, height: 6)
        let screen = try await session.waitForScreen { $0.contains("SigBlk") }
        #expect(screen.contains("term=tmux-256color lang=C.UTF-8"))
        let blocked = screen.split(separator: "\n").first { $0.hasPrefix("SigBlk") }?.split(separator: " ").last
        #expect(blocked.map(String.init)?.trimmingCharacters(in: .whitespaces) == "0000000000000000")
    }
}
