import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim snapshot -o FILE` over an existing file on a terminal asks first (in tmux with the real binary); the
/// question comes before the cluster is read.
@Suite("CLI: snapshot -o asks on a terminal")
struct SnapshotQuestionTests {
    @Test("no keeps the file and exits 1; yes goes on to read the cluster")
    func asksBeforeReplacing() async throws {
        try requireTool("tmux")
        let directory = try UIJourneyTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let existing = directory.appendingPathComponent("mesh.json").path
        try "old".write(toFile: existing, atomically: false, encoding: .utf8)
        // No kubeconfig: after a yes the command fails reading it, which shows the question came first.
        let arguments = ["snapshot", "-o", existing, "--kubeconfig", directory.appendingPathComponent("none").path]

        let refused = try UIJourneyTests.session(arguments, in: directory, width: 160, height: 10)
        try await refused.waitForScreen { $0.contains("mesh.json exists; replace it? [y/N]") }
        try refused.type("n")
        try refused.press("Enter")
        var screen = try await refused.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("mesh.json exists; not replaced"), "\(screen)")
        #expect(screen.contains("[exited 1]"), "\(screen)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "old")

        let accepted = try UIJourneyTests.session(arguments, in: directory, width: 160, height: 10)
        try await accepted.waitForScreen { $0.contains("replace it? [y/N]") }
        try accepted.type("y")
        try accepted.press("Enter")
        screen = try await accepted.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("none: no such file"), "\(screen)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "old")
    }
}
