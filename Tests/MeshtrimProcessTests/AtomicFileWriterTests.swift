import Foundation
import MeshtrimProcess
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``AtomicFileWriter`` on real files in a temporary directory: links followed, mode and owner kept, non-files refused.
@Suite("AtomicFileWriter")
struct AtomicFileWriterTests {
    /// A fresh directory, removed by the caller.
    private func directory() throws -> String {
        let path = NSTemporaryDirectory() + "meshtrim-writer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    private func status(_ path: String) throws -> stat {
        var result = stat()
        try #require(lstat(path, &result) == 0)
        return result
    }

    /// The directory's entries, to check no temporary file is left behind.
    private func entries(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test("a new file is created with the given mode and the text, and nothing else is left in the directory")
    func createsNewFile() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/out.yaml"
        let written = try AtomicFileWriter.write(Data("hello\n".utf8), to: path, mode: .createNew, permissions: 0o600)
        #expect(written == path)
        #expect(try contents(path) == "hello\n")
        #expect(try status(path).st_mode & 0o777 == 0o600)
        #expect(try entries(root) == ["out.yaml"])
    }

    @Test("create-only refuses an existing file, and a symbolic link even when it dangles, changing neither")
    func createNewRefusesExisting() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "old".write(toFile: root + "/file", atomically: false, encoding: .utf8)
        #expect(symlink(root + "/nowhere", root + "/dangling") == 0)
        for name in ["file", "dangling"] {
            #expect(throws: FileWriteError(path: root + "/" + name, reason: .exists)) {
                try AtomicFileWriter.write(Data("new".utf8), to: root + "/" + name, mode: .createNew)
            }
        }
        #expect(try contents(root + "/file") == "old")
        #expect(!FileManager.default.fileExists(atPath: root + "/nowhere"))
        #expect(try entries(root) == ["dangling", "file"])
    }

    @Test("overwriting a symbolic link writes its target (in the target's directory) and the link stays a link")
    func overwriteFollowsLinks() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: true)
        try "old".write(toFile: root + "/real/target.yaml", atomically: false, encoding: .utf8)
        #expect(chmod(root + "/real/target.yaml", 0o640) == 0)
        // A relative link to a relative link: both are followed.
        #expect(symlink("real/target.yaml", root + "/first") == 0)
        #expect(symlink("first", root + "/second") == 0)
        let written = try AtomicFileWriter.write(Data("new".utf8), to: root + "/second", mode: .overwrite)
        #expect(written == root + "/real/target.yaml")
        #expect(try status(root + "/second").st_mode & S_IFMT == S_IFLNK)
        #expect(try status(root + "/first").st_mode & S_IFMT == S_IFLNK)
        #expect(try contents(root + "/real/target.yaml") == "new")
        #expect(try status(root + "/real/target.yaml").st_mode & 0o777 == 0o640)
        #expect(try entries(root + "/real") == ["target.yaml"])
    }

    @Test("overwriting a dangling link creates its target")
    func overwriteDanglingLinkCreatesTarget() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(symlink(root + "/target", root + "/link") == 0)
        try AtomicFileWriter.write(Data("made".utf8), to: root + "/link", mode: .overwrite)
        #expect(try contents(root + "/target") == "made")
        #expect(try status(root + "/link").st_mode & S_IFMT == S_IFLNK)
    }

    @Test("overwriting keeps the file's mode (0640, 0600, 0755) and its owner and group", arguments: [0o640, 0o600, 0o755] as [mode_t])
    func overwriteKeepsModeAndOwner(mode: mode_t) throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kept"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, mode) == 0)
        // As root, give the file to another owner and group: the replacement must keep them.
        let owner: (uid_t, gid_t) = geteuid() == 0 ? (4321, 4322) : (geteuid(), getegid())
        if geteuid() == 0 { #expect(chown(path, owner.0, owner.1) == 0) }
        try AtomicFileWriter.write(Data("new".utf8), to: path, mode: .overwrite)
        let after = try status(path)
        #expect(try contents(path) == "new")
        #expect(after.st_mode & 0o7777 == mode)
        #expect(after.st_uid == owner.0)
        #expect(after.st_gid == owner.1)
    }

    @Test("a directory, a FIFO and a device are refused by name and left as they were")
    func refusesWhatIsNotARegularFile() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        #expect(mkfifo(root + "/fifo", 0o644) == 0)
        var cases: [(String, String)] = [
            ("dir", "it is a directory; give a file name"),
            ("fifo", "it is a FIFO (named pipe), not a regular file; meshtrim only writes regular files"),
        ]
        if geteuid() == 0 {
            // /dev/null's device numbers (1, 3), made in the temporary directory: nothing in /dev is touched.
            #expect(mknod(root + "/null", S_IFCHR | 0o666, (1 << 8) | 3) == 0)
            cases.append(("null", "it is a character device, not a regular file; meshtrim only writes regular files"))
        }
        for (name, message) in cases {
            let error = #expect(throws: FileWriteError.self) {
                try AtomicFileWriter.write(Data("x".utf8), to: root + "/" + name, mode: .overwrite)
            }
            #expect(error?.message == message)
            #expect(error?.description == "cannot write \(root)/\(name): \(message)")
        }
        #expect(try status(root + "/fifo").st_mode & S_IFMT == S_IFIFO)
        if geteuid() == 0 { #expect(try status(root + "/null").st_mode & S_IFMT == S_IFCHR) }
        #expect(try entries(root) == cases.map(\.0).sorted())
    }

    @Test("a link to /dev/full is refused without writing anything (the device is only looked at)")
    func refusesLinkToDevice() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        #expect(symlink("/dev/full", root + "/full") == 0)
        let error = #expect(throws: FileWriteError.self) {
            try AtomicFileWriter.write(Data("x".utf8), to: root + "/full", mode: .overwrite)
        }
        #expect(error?.path == "/dev/full")
        #expect(error?.reason == .notRegularFile(kind: "a character device"))
        #expect(try status("/dev/full").st_mode & S_IFMT == S_IFCHR)
    }

    @Test("a missing directory and a file in place of the directory are named")
    func namesDirectoryProblems() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "f".write(toFile: root + "/file", atomically: false, encoding: .utf8)
        #expect(throws: FileWriteError(path: root + "/missing/out", reason: .noDirectory(root + "/missing"))) {
            try AtomicFileWriter.write(Data(), to: root + "/missing/out", mode: .overwrite)
        }
        #expect(throws: FileWriteError(path: root + "/file/out", reason: .notADirectory(root + "/file"))) {
            try AtomicFileWriter.write(Data(), to: root + "/file/out", mode: .createNew)
        }
    }

    @Test("a relative path is written from the current directory")
    func relativePath() throws {
        let name = "relative-\(UUID().uuidString).txt"
        let written = try AtomicFileWriter.write(Data("r".utf8), to: name, mode: .createNew)
        defer { unlink(written) }
        #expect(written == FileManager.default.currentDirectoryPath + "/" + name)
        #expect(try contents(written) == "r")
    }
}
