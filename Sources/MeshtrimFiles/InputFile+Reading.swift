import Foundation
import MeshtrimCore

#if canImport(Glibc)
    import Glibc
#endif

/// The one way meshtrim reads an input file (manifests, snapshots, kubeconfigs, `apply -f`): bounded in size and
/// refused early when it is not text, so that hostile or mistaken input costs neither minutes nor gigabytes.
///
/// - A file above ``maximumBytes`` (256 MiB) is refused from its size before a byte is read; standard input and
///   pipes are read up to that size and refused past it.
/// - A directory, or any other non-file, is refused by name.
/// - Text with a NUL byte or not UTF-8 is refused by MeshtrimCore's pure checks (``InputFile/text(from:file:expected:)``).
extension InputFile {
    /// The largest input file meshtrim reads: 256 MiB. A `kubectl get -A -o yaml` dump of a large cluster or a
    /// snapshot of 10,000 pods is a few tens of MiB.
    public static let maximumBytes = 256 * 1024 * 1024

    /// The file's bytes (`-` is standard input).
    ///
    /// - Parameter limit: the size above which the file is refused (``maximumBytes`` unless a test says otherwise).
    /// - Throws: ``InputFileError`` naming the file: cannot be read, a directory, too large.
    public static func read(_ path: String, limit: Int = maximumBytes) throws(InputFileError) -> Data {
        let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw InputFileError(file: path, message: "no such file") }
            throw InputFileError(file: path, message: "cannot read the file (\(reason(errno)))")
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw InputFileError(file: path, message: "cannot read the file (\(reason(errno)))") }
        let type = status.st_mode & S_IFMT
        if type == S_IFDIR { throw InputFileError(file: path, message: "is a directory; expected a file") }
        if type == S_IFREG, status.st_size > limit {
            throw InputFileError(file: path, message: tooLarge(Int(status.st_size), limit: limit))
        }
        var data = Data()
        if type == S_IFREG { data.reserveCapacity(Int(status.st_size)) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputFileError(file: path, message: "cannot read the file (\(reason(errno)))")
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if data.count > limit { throw InputFileError(file: path, message: tooLarge(nil, limit: limit)) }
        }
        return data
    }

    /// The file as UTF-8 text: ``read(_:limit:)``, then refused when it holds a NUL byte or is not UTF-8.
    ///
    /// - Parameter expected: what the file should be, for the message (`Kubernetes YAML or JSON`).
    public static func text(_ path: String, expected: String, limit: Int = maximumBytes) throws(InputFileError) -> String {
        try text(from: read(path, limit: limit), file: path, expected: expected)
    }

    private static func tooLarge(_ size: Int?, limit: Int) -> String {
        let mebibyte = 1_048_576
        let allowed = limit % mebibyte == 0 ? "\(limit / mebibyte) MiB" : "\(limit) bytes"
        let what = size.map { "is " + String(format: "%.1f MiB", Double($0) / Double(mebibyte)) } ?? "is larger than \(allowed)"
        return "\(what); meshtrim reads input files of at most \(allowed)"
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
