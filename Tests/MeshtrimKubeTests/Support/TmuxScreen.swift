import Foundation
import MeshtrimTestSupport

/// A command running in a private tmux server (its own socket), read back with `capture-pane`.
///
/// When the command ends the pane shows `[exited N]`.
final class TmuxScreen: @unchecked Sendable {
    private let socket: String
    private let session = "meshtrim"

    init(command: String, directory: String, width: Int = 140, height: Int = 40) throws {
        socket = "\(directory)/tmux.sock"
        let script = "\(directory)/run.sh"
        try write("#!/bin/sh\n\(command)\necho \"[exited $?]\"\nsleep 600\n", to: script, executable: true)
        let result = try runProcess(
            ["tmux", "-S", socket, "new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), script],
            environment: ["TERM": "xterm-256color"])
        guard result.exitCode == 0 else { throw KubeTestError("tmux new-session: \(result.stderr)") }
    }

    /// The visible screen.
    func screen() throws -> String {
        try runProcess(["tmux", "-S", socket, "capture-pane", "-p", "-t", session]).stdout
    }

    /// Sends tmux key names (`Enter`, `Escape`, `C-r`, `q`).
    func press(_ key: String) throws {
        _ = try runProcess(["tmux", "-S", socket, "send-keys", "-t", session, key])
    }

    /// Types literal text.
    func type(_ text: String) throws {
        _ = try runProcess(["tmux", "-S", socket, "send-keys", "-t", session, "-l", text])
    }

    /// Waits until the screen contains `text`.
    func wait(for text: String, timeout: Duration = .seconds(45)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try screen().contains(text) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw KubeTestError("\"\(text)\" did not appear within \(timeout); the screen:\n\(try screen())")
    }

    func close() {
        _ = try? runProcess(["tmux", "-S", socket, "kill-server"])
    }
}
