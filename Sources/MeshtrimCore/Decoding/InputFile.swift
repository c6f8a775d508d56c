import Foundation

/// The checks every input meets (manifests, snapshots, kubeconfigs, `apply -f`), pure: text with a NUL byte is
/// binary, not YAML or JSON, and is refused with the byte offset of the first one; text that is not UTF-8 is refused
/// with the offset of the first invalid byte. Reading a file (bounded in size, refused early when it is a directory)
/// is the edge's: MeshtrimFiles extends this type with `read(_:limit:)` and `text(_:expected:limit:)`.
public enum InputFile {
    /// `data` as UTF-8 text, refused when it holds a NUL byte or is not UTF-8.
    ///
    /// - Parameters:
    ///   - file: where the bytes came from, for the error.
    ///   - expected: what the input should be, for the message (`Kubernetes YAML or JSON`).
    /// - Throws: ``InputFileError`` naming `file`.
    public static func text(from data: Data, file: String, expected: String) throws(InputFileError) -> String {
        try checkText(data, file: file, expected: expected)
        guard let text = String(data: data, encoding: .utf8) else {
            let offset = firstInvalidUTF8(in: data).map { " (an invalid byte at byte offset \($0))" } ?? ""
            throw InputFileError(file: file, message: "is not UTF-8 text\(offset); expected \(expected)")
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
