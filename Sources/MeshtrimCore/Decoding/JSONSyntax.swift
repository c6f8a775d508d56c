import Foundation

/// Finds the first JSON syntax error in a document and says where it is and what was expected there, for the
/// messages `JSONDecoder` cannot give ("The given data was not valid JSON", with no position).
///
/// One pass over the bytes with a stack of the open containers: no tree is built, so it costs the nesting depth
/// in memory on any input.
public enum JSONSyntax {
    /// The first place a document stops being JSON.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// The 0-based byte offset.
        public var offset: Int
        /// The 1-based line.
        public var line: Int
        /// The 1-based column, in bytes.
        public var column: Int
        /// What JSON allows there: `',' or '}'`.
        public var expected: String
        /// What is there instead: `'x'`, `byte 0x00`, `the end of the file`.
        public var found: String

        /// `expected ',' or '}' but found the end of the file (line 3, column 1, byte offset 40)`.
        public var description: String {
            "expected \(expected) but found \(found) (line \(line), column \(column), byte offset \(offset))"
        }
    }

    /// The first syntax error in `data`, or `nil` when it is one well-formed JSON value.
    public static func firstProblem(in data: Data) -> Problem? {
        let found: (Int, String)? = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return scan(bytes)
        }
        guard let (offset, expected) = found else { return nil }
        let position = InputFile.position(ofByte: offset, in: data)
        let what: String
        if offset >= data.count {
            what = "the end of the file"
        } else {
            let byte = data[data.startIndex + offset]
            what = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : String(format: "byte 0x%02X", byte)
        }
        return Problem(offset: offset, line: position.line, column: position.column, expected: expected, found: what)
    }

    private enum State { case value, valueOrArrayEnd, key, keyOrObjectEnd, colon, commaOrEnd, done }

    /// The offset of the first problem and what was expected there.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, String)? {
        var stack: [UInt8] = []
        var state = State.value
        var index = 0
        let count = bytes.count
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        func afterValue() -> State { stack.isEmpty ? .done : .commaOrEnd }
        func expectation(_ state: State) -> String {
            switch state {
            case .value: return "a value"
            case .valueOrArrayEnd: return "a value or ']'"
            case .key: return "a member name in double quotes"
            case .keyOrObjectEnd: return "a member name in double quotes or '}'"
            case .colon: return "':'"
            case .commaOrEnd: return stack.last == UInt8(ascii: "{") ? "',' or '}'" : "',' or ']'"
            case .done: return "the end of the file"
            }
        }
        // A string starting at `index` (the opening quote); the offset and expectation of a problem inside it.
        func string() -> (Int, String)? {
            index += 1
            while index < count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return nil
                }
                if byte < 0x20 { return (index, "a character or '\"' (control characters must be escaped)") }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < count else { return (index, "an escape after '\\'") }
                    switch bytes[index] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 1
                    case UInt8(ascii: "u"):
                        index += 1
                        for _ in 0..<4 {
                            guard index < count, isHex(bytes[index]) else { return (index, "four hexadecimal digits after '\\u'") }
                            index += 1
                        }
                    default:
                        return (index, "an escape (one of \" \\ / b f n r t u) after '\\'")
                    }
                    continue
                }
                index += 1
            }
            return (index, "'\"' closing the string")
        }
        func digits() -> Bool {
            let start = index
            while index < count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index > start
        }
        func number() -> (Int, String)? {
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() else { return (index, "a digit") }
            if index < count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() else { return (index, "a digit after '.'") }
            }
            if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() else { return (index, "a digit in the exponent") }
            }
            return nil
        }
        func literal(_ word: StaticString) -> (Int, String)? {
            let text = word.withUTF8Buffer { Array($0) }
            for (offset, byte) in text.enumerated() {
                guard index + offset < count, bytes[index + offset] == byte else {
                    return (index + offset, "'\(word)'")
                }
            }
            index += text.count
            return nil
        }
        while true {
            while index < count, isSpace(bytes[index]) { index += 1 }
            guard index < count else { return state == .done ? nil : (index, expectation(state)) }
            let byte = bytes[index]
            switch state {
            case .done:
                return (index, expectation(state))
            case .value, .valueOrArrayEnd:
                if state == .valueOrArrayEnd, byte == UInt8(ascii: "]") {
                    stack.removeLast()
                    index += 1
                    state = afterValue()
                    continue
                }
                switch byte {
                case UInt8(ascii: "{"):
                    stack.append(byte)
                    index += 1
                    state = .keyOrObjectEnd
                    continue
                case UInt8(ascii: "["):
                    stack.append(byte)
                    index += 1
                    state = .valueOrArrayEnd
                    continue
                case UInt8(ascii: "\""):
                    if let problem = string() { return problem }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if let problem = number() { return problem }
                case UInt8(ascii: "t"):
                    if let problem = literal("true") { return problem }
                case UInt8(ascii: "f"):
                    if let problem = literal("false") { return problem }
                case UInt8(ascii: "n"):
                    if let problem = literal("null") { return problem }
                default:
                    return (index, expectation(state))
                }
                state = afterValue()
            case .key, .keyOrObjectEnd:
                if state == .keyOrObjectEnd, byte == UInt8(ascii: "}") {
                    stack.removeLast()
                    index += 1
                    state = afterValue()
                    continue
                }
                guard byte == UInt8(ascii: "\"") else { return (index, expectation(state)) }
                if let problem = string() { return problem }
                state = .colon
            case .colon:
                guard byte == UInt8(ascii: ":") else { return (index, expectation(state)) }
                index += 1
                state = .value
            case .commaOrEnd:
                let closing = stack.last == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if byte == UInt8(ascii: ",") {
                    index += 1
                    state = stack.last == UInt8(ascii: "{") ? .key : .value
                } else if byte == closing {
                    stack.removeLast()
                    index += 1
                    state = afterValue()
                } else {
                    return (index, expectation(state))
                }
            }
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}
