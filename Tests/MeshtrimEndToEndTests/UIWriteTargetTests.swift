import Foundation
import MeshtrimTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The editor's `w` over what already exists, in tmux with the real binary: a symbolic link is written through
/// (its 0640 target replaced, the link kept), and a FIFO is refused by name, never replaced.
@Suite("UI: w over existing paths", .serialized)
struct UIWriteTargetTests {
    private func mode(_ path: String) throws -> mode_t {
        var status = stat()
        try #require(lstat(path, &status) == 0)
        return status.st_mode
    }

    @Test("w over a link to a 0640 file writes the target after the question; over a FIFO it is refused")
    func writesThroughLinksAndRefusesFIFOs() async throws {
        try requireTool("tmux")
        let directory = try UIJourneyTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("target.yaml").path
        let link = directory.appendingPathComponent("link.yaml").path
        let fifo = directory.appendingPathComponent("fifo.yaml").path
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(chmod(target, 0o640) == 0)
        #expect(symlink("target.yaml", link) == 0)
        #expect(mkfifo(fifo, 0o644) == 0)

        let session = try UIJourneyTests.session(["--demo"], in: directory, width: 120, height: 40)
        try await session.waitForScreen(timeout: UIJourneyTests.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        try session.press("e")
        try await session.waitForScreen { $0.contains("IMPACT") }
        try session.press("1")
        try await session.waitForScreen { $0.contains("2 hosts") }
        try session.press("y")
        try await session.waitForScreen { $0.contains("VALIDATION") }

        try session.press("w", "C-u")
        try session.type(link)
        try session.press("Enter")
        try await session.waitForScreen { $0.contains("exists.") && $0.contains("Overwrite? (y/N)") }
        try session.press("y")
        try await session.waitForScreen { $0.contains("✓ wrote ") }
        #expect(try mode(link) & S_IFMT == S_IFLNK)
        #expect(try mode(target) & 0o777 == 0o640)
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("kind: Sidecar"))

        try session.press("w", "C-u")
        try session.type(fifo)
        try session.press("Enter")
        try await session.waitForScreen { $0.contains("exists.") && $0.contains("Overwrite? (y/N)") }
        try session.press("y")
        let screen = try await session.waitForScreen { $0.contains("cannot write") }
        #expect(screen.contains("FIFO"), "\(screen)")
        #expect(try mode(fifo) & S_IFMT == S_IFIFO)

        try session.press("Escape")
        try await session.waitForScreen { $0.contains("IMPACT") }
        try session.press("q")
        try await session.waitForScreen { $0.contains("[exited") }
    }
}
