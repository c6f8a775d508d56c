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

/// ``AtomicFileWriter/writeDirectory(_:to:mode:permissions:)``: a whole directory renamed into place, never over a
/// non-empty one without `.replace`, never over a link, file or device, and nothing left behind when it fails.
extension AtomicFileWriterTests {
    private static let plan = [
        AtomicFileWriter.DirectoryEntry(path: "wave-1/shop-default.yaml", data: Data("kind: Sidecar\n".utf8)),
        AtomicFileWriter.DirectoryEntry(path: "wave-2/istio-system-default.yaml", data: Data("kind: Sidecar # mesh\n".utf8)),
        AtomicFileWriter.DirectoryEntry(path: "kustomization.yaml", data: Data("resources: []\n".utf8)),
    ]

    @Test("a new directory gets exactly the files, in subdirectories, and the parent holds nothing else")
    func writesNewDirectory() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let written = try AtomicFileWriter.writeDirectory(Self.plan, to: root + "/plan", mode: .createNew, permissions: 0o640)
        #expect(written == root + "/plan")
        #expect(try entries(root) == ["plan"])
        #expect(try entries(root + "/plan") == ["kustomization.yaml", "wave-1", "wave-2"])
        #expect(try contents(root + "/plan/wave-2/istio-system-default.yaml") == "kind: Sidecar # mesh\n")
        #expect(try status(root + "/plan/wave-1/shop-default.yaml").st_mode & 0o777 == 0o640)
        #expect(try status(root + "/plan").st_mode & S_IFMT == S_IFDIR)

        // An empty directory is not clobbering anything: it is taken.
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: false)
        try AtomicFileWriter.writeDirectory(Self.plan, to: root + "/empty", mode: .createNew)
        #expect(try entries(root + "/empty") == ["kustomization.yaml", "wave-1", "wave-2"])
        #expect(try entries(root) == ["empty", "plan"])
    }

    @Test("a non-empty directory is refused and left as it was; .replace replaces it whole and keeps its mode")
    func refusesThenReplacesNonEmptyDirectory() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/plan"
        try FileManager.default.createDirectory(atPath: target + "/wave-9", withIntermediateDirectories: true)
        try "mine".write(toFile: target + "/keep-me.txt", atomically: false, encoding: .utf8)
        try #require(chmod(target, 0o750) == 0)
        #expect(throws: FileWriteError(path: target, reason: .directoryNotEmpty)) {
            try AtomicFileWriter.writeDirectory(Self.plan, to: target, mode: .createNew)
        }
        #expect(try contents(target + "/keep-me.txt") == "mine")
        #expect(try entries(root) == ["plan"], "no temporary directory left behind")

        try AtomicFileWriter.writeDirectory(Self.plan, to: target, mode: .replace)
        #expect(try entries(target) == ["kustomization.yaml", "wave-1", "wave-2"])
        #expect(try status(target).st_mode & 0o777 == 0o750)
        #expect(try entries(root) == ["plan"], "the old directory was deleted after the rename")
    }

    @Test("a symbolic link, a file or a device at the path is never replaced, even with .replace")
    func refusesLinksFilesAndDevices() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: false)
        try "x".write(toFile: root + "/real/x", atomically: false, encoding: .utf8)
        try #require(symlink(root + "/real", root + "/link") == 0)
        try "f".write(toFile: root + "/file", atomically: false, encoding: .utf8)
        for mode in [AtomicFileWriter.DirectoryMode.createNew, .replace] {
            #expect(throws: FileWriteError(path: root + "/link", reason: .notADirectoryTarget(kind: "a symbolic link"))) {
                try AtomicFileWriter.writeDirectory(Self.plan, to: root + "/link", mode: mode)
            }
            #expect(throws: FileWriteError(path: root + "/file", reason: .notADirectoryTarget(kind: "a file"))) {
                try AtomicFileWriter.writeDirectory(Self.plan, to: root + "/file", mode: mode)
            }
            #expect(throws: FileWriteError(path: "/dev/null", reason: .notADirectoryTarget(kind: "a character device"))) {
                try AtomicFileWriter.writeDirectory(Self.plan, to: "/dev/null", mode: mode)
            }
        }
        #expect(try entries(root + "/real") == ["x"])
        #expect(try contents(root + "/file") == "f")
        #expect(try entries(root) == ["file", "link", "real"])
        let error = FileWriteError(path: root + "/link", reason: .notADirectoryTarget(kind: "a symbolic link"))
        #expect(error.description.contains("it is a symbolic link, not a directory"))
    }

    @Test("entries outside the directory, a missing parent and a failure half-way leave nothing behind")
    func refusesUnsafeEntriesAndCleansUp() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for path in ["../escape.yaml", "/etc/x.yaml", "wave-1//a.yaml", "", "wave-1/./a.yaml"] {
            #expect(throws: FileWriteError.self, "\(path)") {
                try AtomicFileWriter.writeDirectory([.init(path: path, data: Data())], to: root + "/plan", mode: .createNew)
            }
        }
        #expect(throws: FileWriteError(path: root + "/missing/plan", reason: .noDirectory(root + "/missing"))) {
            try AtomicFileWriter.writeDirectory(Self.plan, to: root + "/missing/plan", mode: .createNew)
        }
        // The second file of the same name fails (create-only) after the first was written: nothing stays.
        let twice = Self.plan + [Self.plan[0]]
        let error = #expect(throws: FileWriteError.self) {
            try AtomicFileWriter.writeDirectory(twice, to: root + "/plan", mode: .createNew)
        }
        #expect(error?.path == root + "/plan/wave-1/shop-default.yaml")
        #expect(error?.reason == .exists)
        #expect(try entries(root).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(root)/../escape.yaml"))
    }
}
