import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whole directories, written the way ``AtomicFileWriter`` writes files: every file goes through
/// ``AtomicFileWriter/write(_:to:mode:permissions:)`` (fsync, create-only) into a temporary sibling directory, which is
/// then renamed into place, so a reader (or `kubectl apply -k`) sees the old directory or the whole new one.
extension AtomicFileWriter {
    /// What to do when the destination directory exists.
    public enum DirectoryMode: Sendable, Hashable {
        /// Write only where nothing is, or an empty directory is (``FileWriteError/Reason/directoryNotEmpty``
        /// otherwise). A directory that fills meanwhile is not replaced: `rename(2)` refuses a non-empty one.
        case createNew
        /// Replace the directory the path names (never a symbolic link, file or device there): the old one is renamed
        /// aside, the new one renamed in, then the old one deleted. The new directory keeps the old one's mode.
        case replace
    }

    /// One file of a directory write: its path inside the directory (`wave-1/shop-default.yaml`) and its bytes.
    public struct DirectoryEntry: Sendable, Hashable {
        /// The path relative to the directory; subdirectories are made as needed.
        public var path: String
        /// The file's bytes.
        public var data: Data

        /// Makes an entry.
        public init(path: String, data: Data) {
            self.path = path
            self.data = data
        }
    }

    /// Writes `entries` as the whole content of the directory `path`.
    ///
    /// - Parameters:
    ///   - path: the directory; relative paths are from the current directory. Its final component is not followed
    ///     when it is a symbolic link: that is refused.
    ///   - mode: whether an existing non-empty directory may be replaced.
    ///   - permissions: the mode of every file (directories are `0755`, less the umask).
    /// - Returns: the absolute path of the directory written.
    /// - Throws: ``FileWriteError`` naming the path and what is wrong; nothing is left behind then (no temporary
    ///   directory), and an existing directory is as it was.
    @discardableResult
    public static func writeDirectory(
        _ entries: [DirectoryEntry], to path: String, mode: DirectoryMode, permissions: mode_t = 0o644
    ) throws(FileWriteError) -> String {
        let (target, existing) = try checkDirectory(path, mode: mode)
        for entry in entries where !isPlainRelative(entry.path) {
            throw FileWriteError(path: (target as NSString).appendingPathComponent(entry.path), reason: .unsafeEntry)
        }
        let parent = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let stamp = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let temporary = (parent as NSString).appendingPathComponent(".\(name).meshtrim-new-\(stamp)")
        guard mkdir(temporary, 0o755) == 0 else { throw FileWriteError(path: target, reason: .system(errno, directory: parent)) }
        var placed = false
        defer { if !placed { try? FileManager.default.removeItem(atPath: temporary) } }
        if let existing, chmod(temporary, existing.st_mode & 0o7777) != 0 {
            throw FileWriteError(path: target, reason: .system(errno, directory: parent))
        }
        var directories = [temporary]
        for entry in entries {
            var directory = temporary
            for component in entry.path.split(separator: "/").dropLast() {
                directory = (directory as NSString).appendingPathComponent(String(component))
                if directories.contains(directory) { continue }
                guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
                    throw FileWriteError(path: target, reason: .system(errno, directory: parent))
                }
                directories.append(directory)
            }
            let file = (temporary as NSString).appendingPathComponent(entry.path)
            do {
                try write(entry.data, to: file, mode: .createNew, permissions: permissions)
            } catch {
                // Name the file as it will be, not its temporary home.
                throw FileWriteError(path: (target as NSString).appendingPathComponent(entry.path), reason: error.reason)
            }
        }
        // Each subdirectory's entry in its parent, deepest first, then the temporary directory itself.
        for directory in directories.reversed() { syncDirectory(directory) }

        if existing == nil || mode == .createNew {
            guard rename(temporary, target) == 0 else {
                let code = errno
                if code == ENOTEMPTY || code == EEXIST { throw FileWriteError(path: target, reason: .directoryNotEmpty) }
                if code == ENOTDIR { throw FileWriteError(path: target, reason: .notADirectoryTarget(kind: "a file")) }
                throw FileWriteError(path: target, reason: .system(code, directory: parent))
            }
            placed = true
            syncDirectory(parent)
            return target
        }
        // rename(2) cannot replace a non-empty directory: the old one goes aside first, and back if the new one
        // cannot be renamed in.
        let aside = (parent as NSString).appendingPathComponent(".\(name).meshtrim-old-\(stamp)")
        guard rename(target, aside) == 0 else { throw FileWriteError(path: target, reason: .system(errno, directory: parent)) }
        guard rename(temporary, target) == 0 else {
            let code = errno
            _ = rename(aside, target)
            throw FileWriteError(path: target, reason: .system(code, directory: parent))
        }
        placed = true
        syncDirectory(parent)
        try? FileManager.default.removeItem(atPath: aside)
        return target
    }

    /// Checks, without writing, what ``writeDirectory(_:to:mode:permissions:)`` would refuse (a non-empty directory in
    /// ``DirectoryMode/createNew``, a file, link or device at the path, a missing parent), so that a command can fail
    /// before slow work.
    ///
    /// - Returns: the absolute path and, when a directory is there, its status.
    /// - Throws: ``FileWriteError`` naming the path and what is wrong.
    @discardableResult
    public static func checkDirectory(_ path: String, mode: DirectoryMode) throws(FileWriteError) -> (path: String, existing: stat?) {
        let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        let target = lexicallyNormalized(absolute)
        guard target != "/", !(target as NSString).lastPathComponent.isEmpty else {
            throw FileWriteError(path: path, reason: .notADirectoryTarget(kind: "the root directory"))
        }
        var status = stat()
        let exists = lstat(target, &status) == 0
        if exists {
            let type = status.st_mode & S_IFMT
            guard type == S_IFDIR else {
                let kind = type == S_IFREG ? "a file" : type == S_IFLNK ? "a symbolic link" : kindName(type)
                throw FileWriteError(path: target, reason: .notADirectoryTarget(kind: kind))
            }
            if mode == .createNew {
                let children = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? [""]
                if !children.isEmpty { throw FileWriteError(path: target, reason: .directoryNotEmpty) }
            }
        }
        let parent = (target as NSString).deletingLastPathComponent
        var parentStatus = stat()
        guard stat(parent, &parentStatus) == 0 else { throw FileWriteError(path: target, reason: .noDirectory(parent)) }
        guard parentStatus.st_mode & S_IFMT == S_IFDIR else { throw FileWriteError(path: target, reason: .notADirectory(parent)) }
        return (target, exists ? status : nil)
    }

    /// `absolute` with `.`, `..` and repeated or trailing slashes removed by its text alone: no symbolic link is
    /// followed (NSString's `standardizingPath` resolves them, which would write through a link).
    static func lexicallyNormalized(_ absolute: String) -> String {
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is `a/b.yaml`-like: relative, no empty, `.` or `..` component.
    static func isPlainRelative(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
