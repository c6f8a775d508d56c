/// Why JSON text could not be parsed, and where: byte offset, line and column of the first problem.
public struct OrderedJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// The input holds nothing but whitespace.
        case emptyInput
        /// The input stopped while `expected` was still needed (a download cut short, a file half written).
        case unexpectedEnd(expected: String)
        /// A byte that can't start or continue what was expected.
        case unexpectedCharacter(found: String, expected: String)
        /// A malformed number literal.
        case invalidNumber
        /// A backslash escape JSON doesn't define, or a bad `\u` sequence.
        case invalidEscape
        /// A raw control character (below U+0020) inside a string.
        case controlCharacterInString
        /// Arrays and objects nested deeper than the parser allows (protects the stack from hostile input).
        case nestingTooDeep(limit: Int)
        /// More data after the end of the top-level value.
        case trailingData
    }

    /// What went wrong.
    public var reason: Reason
    /// Zero-based byte offset of the problem.
    public var offset: Int
    /// One-based line of the problem.
    public var line: Int
    /// One-based column (in bytes) of the problem.
    public var column: Int

    /// Makes an error.
    public init(reason: Reason, offset: Int, line: Int, column: Int) {
        self.reason = reason
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// Whether the input simply ends too early, the usual sign of a truncated download or file.
    public var isTruncation: Bool {
        if case .unexpectedEnd = reason { return true }
        return false
    }

    /// One sentence naming the problem and its position, e.g.
    /// `unexpected end of input while reading a string at byte 1204 (line 31, column 17); the data looks truncated`.
    public var description: String {
        let position = "at byte \(offset) (line \(line), column \(column))"
        switch reason {
        case .emptyInput:
            return "the input is empty"
        case .unexpectedEnd(let expected):
            return "unexpected end of input while reading \(expected) \(position); the data looks truncated"
        case .unexpectedCharacter(let found, let expected):
            return "unexpected \(found) \(position), expected \(expected)"
        case .invalidNumber:
            return "malformed number \(position)"
        case .invalidEscape:
            return "invalid escape sequence in a string \(position)"
        case .controlCharacterInString:
            return "raw control character inside a string \(position)"
        case .nestingTooDeep(let limit):
            return "arrays/objects nested more than \(limit) deep \(position)"
        case .trailingData:
            return "unexpected data after the end of the JSON value \(position)"
        }
    }
}
