/// A cursor over the bytes of one line of Prometheus text, with the token readers ``PrometheusText`` needs.
struct PrometheusLineReader {
    /// Why a label set could not be read.
    struct LabelProblem: Error {
        var reason: String
    }

    private let buffer: UnsafeBufferPointer<UInt8>
    private let start: Int
    private var end: Int
    private var position: Int

    init(buffer: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
        self.buffer = buffer
        self.start = start
        self.end = end
        self.position = start
    }

    var isAtEnd: Bool { position >= end }

    /// The current byte, or 0 at the end.
    var peek: UInt8 { position < end ? buffer[position] : 0 }

    /// The whole line, for reports.
    var wholeLine: String { text(start, end) }

    /// Everything from the cursor to the end of the line.
    var remainder: String { text(position, end) }

    mutating func trimCarriageReturn() {
        if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    }

    mutating func advance() { position += 1 }

    mutating func skipBlanks() {
        while position < end, buffer[position] == UInt8(ascii: " ") || buffer[position] == UInt8(ascii: "\t") {
            position += 1
        }
    }

    /// Bytes up to the next blank.
    mutating func readToken() -> String? {
        let tokenStart = position
        while position < end, buffer[position] != UInt8(ascii: " "), buffer[position] != UInt8(ascii: "\t") {
            position += 1
        }
        return position > tokenStart ? text(tokenStart, position) : nil
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    mutating func readMetricName() -> String? {
        readIdentifier(allowingColon: true)
    }

    /// `{name="value", …}` with an optional trailing comma; values unescape `\\`, `\"` and `\n`.
    mutating func readLabels() -> Result<[String: String], LabelProblem> {
        position += 1  // {
        var labels: [String: String] = [:]
        while true {
            skipBlanks()
            guard position < end else { return .failure(LabelProblem(reason: "unterminated label set")) }
            if buffer[position] == UInt8(ascii: "}") {
                position += 1
                return .success(labels)
            }
            guard let name = readIdentifier(allowingColon: false) else {
                return .failure(LabelProblem(reason: "bad label name"))
            }
            skipBlanks()
            guard peek == UInt8(ascii: "=") else {
                return .failure(LabelProblem(reason: "expected '=' after label \(name)"))
            }
            position += 1
            skipBlanks()
            guard peek == UInt8(ascii: "\"") else {
                return .failure(LabelProblem(reason: "label \(name) has no quoted value"))
            }
            position += 1
            switch readQuotedValue() {
            case .success(let value): labels[name] = value
            case .failure(let problem): return .failure(problem)
            }
            skipBlanks()
            if peek == UInt8(ascii: ",") {
                position += 1
            } else if peek != UInt8(ascii: "}") {
                return .failure(LabelProblem(reason: "expected ',' or '}' after label \(name)"))
            }
        }
    }

    private mutating func readQuotedValue() -> Result<String, LabelProblem> {
        var bytes: [UInt8] = []
        while position < end {
            let byte = buffer[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return .success(String(decoding: bytes, as: UTF8.self))
            case UInt8(ascii: "\\"):
                guard position < end else { break }
                let escaped = buffer[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): bytes.append(escaped)
                case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                default:
                    return .failure(LabelProblem(reason: "invalid escape \\\(Character(Unicode.Scalar(escaped)))"))
                }
            default:
                bytes.append(byte)
            }
        }
        return .failure(LabelProblem(reason: "unterminated label value"))
    }

    private mutating func readIdentifier(allowingColon: Bool) -> String? {
        let identifierStart = position
        while position < end {
            let byte = buffer[position]
            let isLetter = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
                || (allowingColon && byte == UInt8(ascii: ":"))
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard isLetter || (isDigit && position > identifierStart) else { break }
            position += 1
        }
        return position > identifierStart ? text(identifierStart, position) : nil
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[from..<max(from, to)]), as: UTF8.self)
    }
}
