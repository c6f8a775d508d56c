import Foundation

/// A single-pass, byte-level RFC 8259 parser producing ``OrderedJSON``.
///
/// Linear in the input size; strings without escapes are decoded straight from the buffer. Errors carry byte
/// offsets so a truncated multi-megabyte config dump can be reported precisely.
struct OrderedJSONParser {
    /// How deep arrays and objects may nest; Envoy dumps stay far below this.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses a whole document: one value, surrounded by optional whitespace.
    static func parse(_ data: Data) throws(OrderedJSONError) -> OrderedJSON {
        let result: Result<OrderedJSON, OrderedJSONError> = data.withUnsafeBytes { raw in
            var parser = OrderedJSONParser(bytes: raw.bindMemory(to: UInt8.self))
            do throws(OrderedJSONError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private mutating func parseDocument() throws(OrderedJSONError) -> OrderedJSON {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            index = 3
        }
        skipWhitespace()
        guard index < bytes.count else { throw error(.emptyInput) }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error(.trailingData) }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws(OrderedJSONError) -> OrderedJSON {
        guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a value")) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw unexpected(expected: "a value")
        }
    }

    private mutating func parseObject() throws(OrderedJSONError) -> OrderedJSON {
        try enterContainer()
        index += 1  // {
        var members: [OrderedJSON.Member] = []
        skipWhitespace()
        if try peek(expected: "a member name or '}'") == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard try peek(expected: "a member name") == UInt8(ascii: "\"") else {
                throw unexpected(expected: "a member name in double quotes")
            }
            let key = try parseString()
            skipWhitespace()
            guard try peek(expected: "':'") == UInt8(ascii: ":") else { throw unexpected(expected: "':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(OrderedJSON.Member(key: key, value: value))
            skipWhitespace()
            switch try peek(expected: "',' or '}'") {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default:
                throw unexpected(expected: "',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(OrderedJSONError) -> OrderedJSON {
        try enterContainer()
        index += 1  // [
        var elements: [OrderedJSON] = []
        skipWhitespace()
        if try peek(expected: "a value or ']'") == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            switch try peek(expected: "',' or ']'") {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default:
                throw unexpected(expected: "',' or ']'")
            }
        }
    }

    private mutating func enterContainer() throws(OrderedJSONError) {
        depth += 1
        if depth > Self.maximumDepth { throw error(.nestingTooDeep(limit: Self.maximumDepth)) }
    }

    private mutating func expectLiteral(_ literal: String) throws(OrderedJSONError) {
        for expected in literal.utf8 {
            guard index < bytes.count else { throw error(.unexpectedEnd(expected: "'\(literal)'")) }
            guard bytes[index] == expected else { throw unexpected(expected: "'\(literal)'") }
            index += 1
        }
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(OrderedJSONError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a number")) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(bytes[index]) {
            skipDigits()
        } else {
            throw error(.invalidNumber)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a number")) }
            guard isDigit(bytes[index]) else { throw error(.invalidNumber) }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count else { throw error(.unexpectedEnd(expected: "a number")) }
            guard isDigit(bytes[index]) else { throw error(.invalidNumber) }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    // MARK: - Strings

    private mutating func parseString() throws(OrderedJSONError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
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
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case 0..<0x20:
                throw error(.controlCharacterInString)
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw error(.unexpectedEnd(expected: "a string"))
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(OrderedJSONError) {
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
            var scalar = try parseHexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate; otherwise U+FFFD (as Go does).
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    let save = index
                    index += 2
                    let low = try parseHexQuad()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = save
                        scalar = 0xFFFD
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                scalar = 0xFFFD
            }
            let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            buffer.append(contentsOf: String(character).utf8)
        default:
            index -= 1
            throw error(.invalidEscape)
        }
    }

    private mutating func parseHexQuad() throws(OrderedJSONError) -> UInt32 {
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

    // MARK: - Helpers

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func peek(expected: String) throws(OrderedJSONError) -> UInt8 {
        guard index < bytes.count else { throw error(.unexpectedEnd(expected: expected)) }
        return bytes[index]
    }

    private func unexpected(expected: String) -> OrderedJSONError {
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

    private func error(_ reason: OrderedJSONError.Reason) -> OrderedJSONError {
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
