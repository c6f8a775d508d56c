import Foundation

/// Finds the byte ranges of a JSON object's member values without building them.
///
/// Used to decode the big parts of a snapshot (inventory, observations) on separate cores, and to read only the
/// `metadata` of a Kubernetes list page: one pass of ``JSONCursor`` over the bytes, which checks every value's syntax
/// as it moves past it. Returns `nil` for anything that is not a well-formed object, so callers fall back to
/// decoding the whole document (and get its precise error).
public enum JSONTopLevelScanner {
    /// The ranges (indices into `data`) of the top-level members' values, keyed by member name; `nil` unless
    /// `data` holds exactly one well-formed JSON object.
    public static func valueRanges(in data: Data) -> [String: Range<Int>]? {
        let base = data.startIndex
        return data.withUnsafeBytes { raw in
            var cursor = JSONCursor(raw.bindMemory(to: UInt8.self))
            return try? ranges(&cursor, base: base)
        }
    }

    /// The ranges (indices into `bytes`) of the top-level members' values, keyed by member name.
    static func valueRanges(in bytes: [UInt8]) -> [String: Range<Int>]? {
        valueRanges(in: bytes[...])
    }

    /// The ranges (indices into the slice's base) of the members' values of the object that `bytes` holds, which
    /// may be a nested one; nothing but whitespace may follow it. A repeated member name keeps its last value.
    static func valueRanges(in bytes: ArraySlice<UInt8>) -> [String: Range<Int>]? {
        let base = bytes.startIndex
        return bytes.withUnsafeBufferPointer { buffer -> [String: Range<Int>]? in
            var cursor = JSONCursor(buffer)
            return try? ranges(&cursor, base: base)
        }
    }

    private static func ranges(_ cursor: inout JSONCursor, base: Int) throws(OrderedJSONError) -> [String: Range<Int>] {
        var ranges: [String: Range<Int>] = [:]
        cursor.skipWhitespace()
        guard try cursor.peek(expected: "'{'") == UInt8(ascii: "{") else { throw cursor.unexpected(expected: "'{'") }
        if try cursor.openObject() {
            repeat {
                let key = try cursor.string()
                try cursor.toMemberValue()
                let start = cursor.index
                try cursor.skipValue()
                ranges[key] = (base + start)..<(base + cursor.index)
            } while try cursor.nextMember()
        }
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { throw cursor.error(.trailingData) }
        return ranges
    }
}
