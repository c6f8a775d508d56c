import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way meshtrim writes a whole file: a temporary file in the destination's directory, `fsync`, then a
/// `link(2)` (create) or `rename(2)` (overwrite) into place, so a reader never sees half a file and a failed
/// write leaves the old one as it was.
///
/// Overwriting writes *into* what the path names, the way a shell's `>` does, not over the name itself:
/// - a symbolic link is followed, and its final target is replaced (the temporary file goes in the target's
///   directory, so the rename stays on one file system); the link stays a link;
/// - the target keeps its permission bits and, where the caller may set them, its owner and group (a file whose
///   owner cannot be kept is refused rather than silently given away);
/// - anything but a regular file (a directory, a device such as `/dev/full`, a FIFO, a socket) is refused.
public enum AtomicFileWriter {
    /// What to do when the destination exists.
    public enum Mode: Sendable, Hashable {
        /// Create the file only if nothing is at the path (``FileWriteError/Reason/exists`` otherwise), with no
        /// window in which a file that appears meanwhile could be clobbered.
        case createNew
        /// Replace the regular file the path names (following symbolic links), keeping its mode and owner; create
        /// it when absent.
        case overwrite
    }

    /// Writes `data` to `path`.
    ///
    /// - Parameters:
    ///   - path: the destination; relative paths are from the current directory.
    ///   - mode: whether an existing file may be replaced.
    ///   - permissions: the mode of a newly created file (an existing file keeps its own).
    /// - Returns: the path of the file written (the link's target when `path` is a symbolic link).
    /// - Throws: ``FileWriteError`` naming the path and what is wrong.
    @discardableResult
    public static func write(_ data: Data, to path: String, mode: Mode, permissions: mode_t = 0o644) throws(FileWriteError) -> String {
        let (destination, found) = try check(path, mode: mode)
        let exists = found != nil
        let existing = found ?? stat()
        let directory = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(
            ".\(name).meshtrim-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exists ? 0o600 : permissions)
        guard descriptor >= 0 else { throw FileWriteError(path: destination, reason: .system(errno, directory: directory)) }
        var linked = false
        defer { if !linked { unlink(temporary) } }
        do throws(FileWriteError) {
            if exists {
                if existing.st_uid != geteuid() || existing.st_gid != getegid() {
                    guard fchown(descriptor, existing.st_uid, existing.st_gid) == 0 else {
                        throw FileWriteError(
                            path: destination, reason: .ownerNotKept(uid: existing.st_uid, gid: existing.st_gid))
                    }
                }
                // After fchown, which clears set-user-ID bits.
                guard fchmod(descriptor, existing.st_mode & 0o7777) == 0 else {
                    throw FileWriteError(path: destination, reason: .system(errno, directory: directory))
                }
            }
            try writeAll(data, to: descriptor, destination: destination, directory: directory)
            guard fsync(descriptor) == 0 else { throw FileWriteError(path: destination, reason: .system(errno, directory: directory)) }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw FileWriteError(path: destination, reason: .system(errno, directory: directory)) }

        switch mode {
        case .overwrite:
            guard rename(temporary, destination) == 0 else {
                throw FileWriteError(path: destination, reason: .system(errno, directory: directory))
            }
            linked = true
        case .createNew:
            // link() fails with EEXIST instead of replacing: nothing that appeared meanwhile is clobbered.
            if link(temporary, destination) != 0 {
                let code = errno
                if code == EEXIST { throw FileWriteError(path: path, reason: .exists) }
                guard code == EPERM || code == EOPNOTSUPP || code == EXDEV else {
                    throw FileWriteError(path: destination, reason: .system(code, directory: directory))
                }
                // File systems without hard links: a checked rename.
                var again = stat()
                if lstat(destination, &again) == 0 { throw FileWriteError(path: path, reason: .exists) }
                guard rename(temporary, destination) == 0 else {
                    throw FileWriteError(path: destination, reason: .system(errno, directory: directory))
                }
                linked = true
            }
        }
        syncDirectory(directory)
        return destination
    }

    /// Checks, without writing, what ``write(_:to:mode:permissions:)`` would refuse (an existing file in
    /// ``Mode/createNew``, a directory or device, a missing directory), so that a command can fail before slow work.
    ///
    /// - Returns: the file that would be written and, when it exists, its status.
    /// - Throws: ``FileWriteError`` naming the path and what is wrong.
    @discardableResult
    public static func check(_ path: String, mode: Mode) throws(FileWriteError) -> (path: String, existing: stat?) {
        var existing = stat()
        // A dangling symbolic link counts as existing too: creating must not write through it.
        if mode == .createNew, lstat(path, &existing) == 0 { throw FileWriteError(path: path, reason: .exists) }
        let destination = try resolve(path)
        let exists = lstat(destination, &existing) == 0
        if exists {
            let type = existing.st_mode & S_IFMT
            guard type == S_IFREG else { throw FileWriteError(path: destination, reason: .notRegularFile(kind: kindName(type))) }
        }
        let directory = (destination as NSString).deletingLastPathComponent
        var directoryStatus = stat()
        guard stat(directory.isEmpty ? "." : directory, &directoryStatus) == 0 else {
            throw FileWriteError(path: destination, reason: .noDirectory(directory))
        }
        guard directoryStatus.st_mode & S_IFMT == S_IFDIR else {
            throw FileWriteError(path: destination, reason: .notADirectory(directory))
        }
        return (destination, exists ? existing : nil)
    }

    /// `path` with every symbolic link along the final component followed (at most 32), made absolute.
    static func resolve(_ path: String) throws(FileWriteError) -> String {
        var current = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        for _ in 0..<32 {
            var status = stat()
            guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count >= 0 else { throw FileWriteError(path: current, reason: .system(errno, directory: nil)) }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current =
                target.hasPrefix("/")
                ? target : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
        }
        throw FileWriteError(path: path, reason: .system(ELOOP, directory: nil))
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, destination: String, directory: String) throws(FileWriteError) {
        let failure: Int32? = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw FileWriteError(path: destination, reason: .system(failure, directory: directory)) }
    }

    /// Makes the rename durable; a directory that cannot be opened or synced is not an error (the data is).
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }
}

/// Why ``AtomicFileWriter`` did not write a file, with the path and what to do.
public struct FileWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// The path exists and the write was ``AtomicFileWriter/Mode/createNew``.
        case exists
        /// The path (or the link's target) is a directory, device, FIFO or socket.
        case notRegularFile(kind: String)
        /// The directory to write in does not exist.
        case noDirectory(String)
        /// What should be the directory is a file.
        case notADirectory(String)
        /// The existing file's owner or group could not be given to the new file.
        case ownerNotKept(uid: uid_t, gid: gid_t)
        /// A system call failed with this errno (in this directory, when known).
        case system(Int32, directory: String?)
        /// A directory write's target exists, is a directory and is not empty, and the write was
        /// ``AtomicFileWriter/DirectoryMode/createNew``.
        case directoryNotEmpty
        /// A directory write's target is a file, symbolic link, device, FIFO or socket (this kind).
        case notADirectoryTarget(kind: String)
        /// A directory write's file path is not a plain relative path inside the directory.
        case unsafeEntry
    }

    /// The path (the link's target when the problem is there).
    public var path: String
    /// What went wrong.
    public var reason: Reason

    /// Makes an error.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// What is wrong, without the path: `it is a FIFO (named pipe), not a regular file; meshtrim only replaces files`.
    public var message: String {
        switch reason {
        case .exists:
            return "it exists"
        case .notRegularFile(let kind) where kind == "a directory":
            return "it is a directory; give a file name"
        case .notRegularFile(let kind):
            return "it is \(kind), not a regular file; meshtrim only writes regular files"
        case .noDirectory(let directory):
            return "the directory \(directory) does not exist"
        case .notADirectory(let directory):
            return "\(directory) is a file, not a directory"
        case .directoryNotEmpty:
            return "it is a directory that is not empty"
        case .notADirectoryTarget(let kind):
            return "it is \(kind), not a directory; meshtrim writes a directory only where there is none or a directory "
                + "(never through a link)"
        case .unsafeEntry:
            return "it is not a plain path inside the directory (no absolute path, no .., no empty part)"
        case .ownerNotKept(let uid, let gid):
            return "it belongs to uid \(uid) gid \(gid), which a replacement written by this user cannot keep; "
                + "write elsewhere or as its owner"
        case .system(let code, let directory):
            let text = String(cString: strerror(code))
            switch (code, directory) {
            case (EACCES, let directory?), (EPERM, let directory?): return "\(text) (no write permission in \(directory))"
            case (EROFS, let directory?): return "\(text) (\(directory) is on a read-only file system)"
            case (ENOSPC, _), (EDQUOT, _): return "\(text) (the disk is full)"
            default: return text
            }
        }
    }

    /// `cannot write PATH: MESSAGE`.
    public var description: String { "cannot write \(path): \(message)" }
}
