/// The one byte-level reader of JSON text (RFC 8259) in meshtrim: whitespace, literals, numbers, strings and whole
/// values, each checked strictly, with the byte offset, line and column of the first problem.
///
/// ``OrderedJSONParser`` builds ``OrderedJSON`` values on it, the snapshot's fast readers (`SnapshotArrayDecoder`)
/// build model values on it, and ``JSONTopLevelScanner`` finds an object's member values with it without building
/// them. Hand-written because Foundation's `JSONDecoder` and `JSONSerialization` neither keep member order and number
/// literals nor read a value at a byte offset, and no well-kept package on this machine does both.
struct JSONCursor {
    /// How deep arrays and objects may nest; Envoy dumps and snapshots stay far below this, and it bounds the
    /// stack a hostile document can take.
    static let maximumDepth = 512

    /// The text.
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where the cursor stands.
    var index: Int
    /// How many arrays and objects are open.
    private(set) var depth = 0

    /// A cursor at `index` of `bytes`.
    init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Whether the cursor is past the last byte.
    var isAtEnd: Bool { index >= bytes.count }

    // MARK: Structure

    /// Moves past a UTF-8 byte order mark at the start.
    mutating func skipByteOrderMark() {
        if index == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    /// Moves past spaces, tabs, carriage returns and line feeds.
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// The byte at the cursor.
    ///
    /// - Throws: `unexpectedEnd(expected:)` at the end of the text.
    func peek(expected: String) throws(OrderedJSONError) -> UInt8 {
        guard index < bytes.count else { throw error(.unexpectedEnd(expected: expected)) }
        return bytes[index]
    }

    /// Opens the object at the cursor (which stands on `{`) and moves to its first member's name; `false` when the
    /// object is empty (then it is closed already). Objects and arrays count against ``maximumDepth``.
    ///
    /// An object is read as `if try cursor.openObject() { repeat { name; try cursor.toMemberValue(); value } while
    /// try cursor.nextMember() }`.
    mutating func openObject() throws(OrderedJSONError) -> Bool {
        try open()
        guard try peek(expected: "a member name or '}'") != UInt8(ascii: "}") else {
            close()
            return false
        }
        try expectMemberName()
        return true
    }

    /// Moves from the end of a member's name past its `:` to its value.
    mutating func toMemberValue() throws(OrderedJSONError) {
        skipWhitespace()
        guard try peek(expected: "':'") == UInt8(ascii: ":") else { throw unexpected(expected: "':'") }
        index += 1
        skipWhitespace()
    }

    /// Moves from the end of a member's value to the next member's name (`true`), or past the object's `}` (`false`).
    mutating func nextMember() throws(OrderedJSONError) -> Bool {
        skipWhitespace()
        switch try peek(expected: "',' or '}'") {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            try expectMemberName()
            return true
        case UInt8(ascii: "}"):
            close()
            return false
        default:
            throw unexpected(expected: "',' or '}'")
        }
    }

    /// Opens the array at the cursor (which stands on `[`) and moves to its first element; `false` when the array is
    /// empty (then it is closed already). Read as `if try cursor.openArray() { repeat { element } while try
    /// cursor.nextElement() }`.
    mutating func openArray() throws(OrderedJSONError) -> Bool {
        try open()
        guard try peek(expected: "a value or ']'") != UInt8(ascii: "]") else {
            close()
            return false
        }
        return true
    }

    /// Moves from the end of an element to the next one (`true`), or past the array's `]` (`false`).
    mutating func nextElement() throws(OrderedJSONError) -> Bool {
        skipWhitespace()
        switch try peek(expected: "',' or ']'") {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            return true
        case UInt8(ascii: "]"):
            close()
            return false
        default:
            throw unexpected(expected: "',' or ']'")
        }
    }

    /// Moves past `{` or `[`, counting it against ``maximumDepth``, and past the whitespace after it.
    private mutating func open() throws(OrderedJSONError) {
        depth += 1
        if depth > Self.maximumDepth { throw error(.nestingTooDeep(limit: Self.maximumDepth)) }
        index += 1
        skipWhitespace()
    }

    /// Moves past `}` or `]`.
    private mutating func close() {
        depth -= 1
        index += 1
    }

    private func expectMemberName() throws(OrderedJSONError) {
        guard try peek(expected: "a member name") == UInt8(ascii: "\"") else { throw unexpected(expected: "a member name in double quotes") }
    }

    /// Moves past `literal` (`true`, `false`, `null`).
    mutating func literal(_ literal: StaticString) throws(OrderedJSONError) {
        let count = literal.utf8CodeUnitCount
        for offset in 0..<count {
            // The name is made only for the error.
            guard index < bytes.count else { throw error(.unexpectedEnd(expected: "'\(literal)'")) }
            guard bytes[index] == literal.utf8Start[offset] else { throw unexpected(expected: "'\(literal)'") }
            index += 1
        }
    }

    /// Moves past any value, checking its syntax as the parser would but building nothing; with `strictStrings`,
    /// strings are read as ``string(strict:)`` reads them strictly (refused as `JSONDecoder` would refuse them).
    mutating func skipValue(strictStrings: Bool = false) throws(OrderedJSONError) {
        switch try peek(expected: "a value") {
        case UInt8(ascii: "{"):
            guard try openObject() else { return }
            repeat {
                _ = try skipString(strict: strictStrings)
                try toMemberValue()
                try skipValue(strictStrings: strictStrings)
            } while try nextMember()
        case UInt8(ascii: "["):
            guard try openArray() else { return }
            repeat { try skipValue(strictStrings: strictStrings) } while try nextElement()
        case UInt8(ascii: "\""): _ = try skipString(strict: strictStrings)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw unexpected(expected: "a value")
        }
    }

    private mutating func skipString(strict: Bool) throws(OrderedJSONError) -> Range<Int> {
        let start = index
        let (contents, isPlain) = try skipString()
        guard strict else { return contents }
        if isPlain {
            _ = try text(of: UnsafeBufferPointer(rebasing: bytes[contents]), strict: true, at: contents.lowerBound)
        } else {
            index = start
            _ = try string(strict: true)
        }
        return contents
    }

    // MARK: Numbers

    /// Moves past a number (`-? int frac? exp?`) and returns where its literal is.
    mutating func number() throws(OrderedJSONError) -> Range<Int> {
        let start = index
        if try peek(expected: "a number") == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a number")) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if Self.isDigit(bytes[index]) {
            skipDigits()
        } else {
            throw error(.invalidNumber)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a number")) }
            guard Self.isDigit(bytes[index]) else { throw error(.invalidNumber) }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a number")) }
            guard Self.isDigit(bytes[index]) else { throw error(.invalidNumber) }
            skipDigits()
        }
        return start..<index
    }

    /// Whether `byte` is an ASCII digit.
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }

    // MARK: Strings

    /// Moves past a string (the cursor stands on its opening quote), checking its escapes and that it holds no raw
    /// control character; returns where its contents are and whether they hold no escape (then they are the text).
    mutating func skipString() throws(OrderedJSONError) -> (contents: Range<Int>, isPlain: Bool) {
        index += 1  // opening quote
        let start = index
        var isPlain = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start..<(index - 1), isPlain)
            }
            if byte < 0x20 { throw error(.controlCharacterInString) }
            if byte == UInt8(ascii: "\\") {
                isPlain = false
                index += 1
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    _ = try hexQuad()
                default:
                    throw error(.invalidEscape)
                }
                continue
            }
            index += 1
        }
        throw error(.unexpectedEnd(expected: "a string"))
    }

    /// Reads a string (the cursor stands on its opening quote). Lenient, as Go and Envoy's own tools read: a lone
    /// surrogate escape becomes U+FFFD and invalid UTF-8 is repaired. `strict`, as Foundation's `JSONDecoder`
    /// reads: both are errors.
    mutating func string(strict: Bool = false) throws(OrderedJSONError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let decoded = try text(of: UnsafeBufferPointer(rebasing: bytes[start..<index]), strict: strict, at: start)
                index += 1
                return decoded
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error(.controlCharacterInString) }
            index += 1
        }
        guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a string")) }
        var buffer = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let decoded = try buffer.withUnsafeBufferPointer { (pointer) throws(OrderedJSONError) -> String in
                    try self.text(of: pointer, strict: strict, at: start)
                }
                index += 1
                return decoded
            case UInt8(ascii: "\\"):
                try escape(into: &buffer, strict: strict)
            case 0..<0x20:
                throw error(.controlCharacterInString)
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw error(.unexpectedEnd(expected: "a string"))
    }

    private func text(of utf8: UnsafeBufferPointer<UInt8>, strict: Bool, at start: Int) throws(OrderedJSONError) -> String {
        guard strict else { return String(decoding: utf8, as: UTF8.self) }
        guard let text = String(validating: utf8, as: UTF8.self) else {
            var cursor = self
            cursor.index = start
            throw cursor.error(.unexpectedCharacter(found: "bytes that are not UTF-8", expected: "UTF-8 text"))
        }
        return text
    }

    private mutating func escape(into buffer: inout [UInt8], strict: Bool) throws(OrderedJSONError) {
        index += 1  // backslash
        guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a string")) }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escaped)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = index - 2
            var scalar = try hexQuad()
            var lone = false
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate; otherwise U+FFFD (as Go does).
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    let save = index
                    index += 2
                    let low = try hexQuad()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = save
                        lone = true
                    }
                } else {
                    lone = true
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                lone = true
            }
            if lone {
                guard !strict else {
                    index = escapeStart
                    throw error(.invalidEscape)
                }
                scalar = 0xFFFD
            }
            let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            buffer.append(contentsOf: String(character).utf8)
        default:
            index -= 1
            throw error(.invalidEscape)
        }
    }

    private mutating func hexQuad() throws(OrderedJSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a string")) }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: Errors

    /// The error for the byte at the cursor when `expected` was wanted (the end of the text is a truncation).
    func unexpected(expected: String) -> OrderedJSONError {
        guard index < bytes.count else { return error(.unexpectedEnd(expected: expected)) }
        let byte = bytes[index]
        let found: String
        if byte >= 0x21 && byte < 0x7F {
            found = "'\(Character(Unicode.Scalar(byte)))'"
        } else {
            found = "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
        return error(.unexpectedCharacter(found: found, expected: expected))
    }

    /// `reason` at the cursor, with its line and column (counted only when there is an error).
    func error(_ reason: OrderedJSONError.Reason) -> OrderedJSONError {
        let offset = min(index, bytes.count)
        var line = 1
        var lineStart = 0
        for position in 0..<offset where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        return OrderedJSONError(reason: reason, offset: offset, line: line, column: offset - lineStart + 1)
    }
}
