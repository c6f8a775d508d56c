import Foundation
import MeshtrimTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `meshtrim snapshot -o`: an existing file is replaced only with `--force` (or a yes on a terminal), into a
/// symbolic link's target with its mode kept; what is not a regular file is refused before any capture.
@Suite("snapshot -o", .enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(3)))
struct SnapshotOutputTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/shop.yaml").path

    private func mode(_ path: String) throws -> mode_t {
        var status = stat()
        try #require(lstat(path, &status) == 0)
        return status.st_mode
    }

    @Test("an existing file, a directory and a FIFO are refused before the cluster is read, and left as they were")
    func refusesBeforeCapture() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-snapshot-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let existing = directory.appendingPathComponent("mesh.json").path
        try "old".write(toFile: existing, atomically: false, encoding: .utf8)
        let fifo = directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        // The kubeconfig does not exist: a refusal that names the output proves it came before reading the cluster.
        let kubeconfig = directory.appendingPathComponent("no-kubeconfig").path
        let cases = [
            (existing, "\(existing) exists; pass --force to replace it"),
            (directory.path, "cannot write \(directory.path): it is a directory; give a file name"),
            (fifo, "cannot write \(fifo): it is a FIFO (named pipe), not a regular file; meshtrim only writes regular files"),
        ]
        for (path, message) in cases {
            let result = try runProcess([try meshtrimBinaryPath(), "snapshot", "-o", path, "--kubeconfig", kubeconfig])
            #expect(result.exitCode == 1, "\(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "old")
        #expect(try mode(fifo) & S_IFMT == S_IFIFO)
    }

    @Test("--force over a symbolic link replaces the 0640 target with the snapshot and keeps the link and the mode")
    func forceWritesThroughLink() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: false) { lab in
            let target = lab.directory + "/target.json"
            let link = lab.directory + "/mesh.json"
            try "old".write(toFile: target, atomically: false, encoding: .utf8)
            #expect(chmod(target, 0o640) == 0)
            #expect(symlink(target, link) == 0)
            let refused = try runProcess([try meshtrimBinaryPath(), "snapshot", "-o", link, "--kubeconfig", lab.kubeconfig])
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("\(link) exists; pass --force to replace it"), "\(refused.stderr)")
            let result = try runProcess(
                [try meshtrimBinaryPath(), "snapshot", "-o", link, "--force", "--kubeconfig", lab.kubeconfig], timeout: .seconds(120))
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try mode(link) & S_IFMT == S_IFLNK)
            #expect(try mode(target) & 0o777 == 0o640)
            let written = try String(contentsOfFile: target, encoding: .utf8)
            #expect(written.hasPrefix("{") && written.contains("\"inventory\""))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: lab.directory).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty)
        }
    }
}
