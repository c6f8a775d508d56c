import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way meshtrim reads an input file (manifests, snapshots, kubeconfigs, `apply -f`): bounded in size and
/// refused early when it is not text, so that hostile or mistaken input costs neither minutes nor gigabytes.
///
/// - A file above ``maximumBytes`` (256 MiB) is refused from its size before a byte is read; standard input and
///   pipes are read up to that size and refused past it.
/// - A directory, or any other non-file, is refused by name.
/// - Text with a NUL byte is binary, not YAML or JSON: refused with the byte offset of the first one.
public enum InputFile {
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
        let data = try read(path, limit: limit)
        try checkText(data, file: path, expected: expected)
        guard let text = String(data: data, encoding: .utf8) else {
            let offset = firstInvalidUTF8(in: data).map { " (an invalid byte at byte offset \($0))" } ?? ""
            throw InputFileError(file: path, message: "is not UTF-8 text\(offset); expected \(expected)")
        }
        return text
    }

    /// The byte offset of the first byte that is not part of valid UTF-8, or `nil` when all of it is.
    public static func firstInvalidUTF8(in data: Data) -> Int? {
        var iterator = data.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// Refuses `data` that has a NUL byte (binary data, not text), naming the byte offset of the first one.
    public static func checkText(_ data: Data, file: String, expected: String) throws(InputFileError) {
        let offset: Int? = data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, let found = memchr(base, 0, buffer.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        if let offset {
            throw InputFileError(file: file, message: "holds binary data (a NUL byte at byte offset \(offset)); expected \(expected)")
        }
    }

    /// At most `limit` characters of `text` for an error message, control characters escaped (`\0`, `\t`,
    /// `\u{1B}`) and `…` where it was cut.
    public static func quote(_ text: some StringProtocol, limit: Int = 80) -> String {
        var result = ""
        var count = 0
        for character in text {
            if count == limit {
                result += "…"
                break
            }
            count += 1
            guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
                scalar.value < 0x20 || scalar.value == 0x7F
            else {
                result.append(character)
                continue
            }
            switch scalar {
            case "\0": result += "\\0"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return result
    }

    /// The 1-based line and column of a byte offset in `data` (columns count bytes).
    public static func position(ofByte offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let end = min(offset, data.count)
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            for index in 0..<end where buffer[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
        }
        return (line, end - lineStart + 1)
    }

    private static func tooLarge(_ size: Int?, limit: Int) -> String {
        let mebibyte = 1_048_576
        let allowed = limit % mebibyte == 0 ? "\(limit / mebibyte) MiB" : "\(limit) bytes"
        let what = size.map { "is " + String(format: "%.1f MiB", Double($0) / Double(mebibyte)) } ?? "is larger than \(allowed)"
        return "\(what); meshtrim reads input files of at most \(allowed)"
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// Why ``InputFile`` refused a file, naming it.
public struct InputFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file (`-` for standard input).
    public var file: String
    /// What is wrong, without the file name.
    public var message: String

    /// Makes an error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `file: message`.
    public var description: String { "\(file): \(message)" }
}
