import Foundation

/// A single-pass RFC 8259 parser producing ``OrderedJSON``, on ``JSONCursor``.
///
/// Linear in the input size; strings without escapes are decoded straight from the buffer. Errors carry byte
/// offsets so a truncated multi-megabyte config dump can be reported precisely.
struct OrderedJSONParser {
    private var cursor: JSONCursor

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        cursor = JSONCursor(bytes)
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
        cursor.skipByteOrderMark()
        cursor.skipWhitespace()
        guard !cursor.isAtEnd else { throw cursor.error(.emptyInput) }
        let value = try parseValue()
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { throw cursor.error(.trailingData) }
        return value
    }

    private mutating func parseValue() throws(OrderedJSONError) -> OrderedJSON {
        switch try cursor.peek(expected: "a value") {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try cursor.string())
        case UInt8(ascii: "t"): try cursor.literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try cursor.literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try cursor.literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let literal = try cursor.number()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: cursor.bytes[literal]), as: UTF8.self))
        default: throw cursor.unexpected(expected: "a value")
        }
    }

    private mutating func parseObject() throws(OrderedJSONError) -> OrderedJSON {
        try cursor.enterContainer()
        var members: [OrderedJSON.Member] = []
        cursor.skipWhitespace()
        if try cursor.peek(expected: "a member name or '}'") == UInt8(ascii: "}") {
            cursor.leaveContainer()
            return .object(members)
        }
        while true {
            guard try cursor.peek(expected: "a member name") == UInt8(ascii: "\"") else {
                throw cursor.unexpected(expected: "a member name in double quotes")
            }
            let key = try cursor.string()
            cursor.skipWhitespace()
            guard try cursor.peek(expected: "':'") == UInt8(ascii: ":") else { throw cursor.unexpected(expected: "':'") }
            cursor.index += 1
            cursor.skipWhitespace()
            let value = try parseValue()
            members.append(OrderedJSON.Member(key: key, value: value))
            cursor.skipWhitespace()
            switch try cursor.peek(expected: "',' or '}'") {
            case UInt8(ascii: ","):
                cursor.index += 1
                cursor.skipWhitespace()
            case UInt8(ascii: "}"):
                cursor.leaveContainer()
                return .object(members)
            default:
                throw cursor.unexpected(expected: "',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(OrderedJSONError) -> OrderedJSON {
        try cursor.enterContainer()
        var elements: [OrderedJSON] = []
        cursor.skipWhitespace()
        if try cursor.peek(expected: "a value or ']'") == UInt8(ascii: "]") {
            cursor.leaveContainer()
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            cursor.skipWhitespace()
            switch try cursor.peek(expected: "',' or ']'") {
            case UInt8(ascii: ","):
                cursor.index += 1
                cursor.skipWhitespace()
            case UInt8(ascii: "]"):
                cursor.leaveContainer()
                return .array(elements)
            default:
                throw cursor.unexpected(expected: "',' or ']'")
            }
        }
    }
}
