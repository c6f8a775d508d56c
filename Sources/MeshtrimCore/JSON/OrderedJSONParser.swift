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
        var members: [OrderedJSON.Member] = []
        guard try cursor.openObject() else { return .object(members) }
        repeat {
            let key = try cursor.string()
            try cursor.toMemberValue()
            members.append(OrderedJSON.Member(key: key, value: try parseValue()))
        } while try cursor.nextMember()
        return .object(members)
    }

    private mutating func parseArray() throws(OrderedJSONError) -> OrderedJSON {
        var elements: [OrderedJSON] = []
        guard try cursor.openArray() else { return .array(elements) }
        repeat { elements.append(try parseValue()) } while try cursor.nextElement()
        return .array(elements)
    }
}
