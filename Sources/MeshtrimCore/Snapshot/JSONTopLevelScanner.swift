import Foundation

/// Finds the byte ranges of a JSON object's top-level member values without parsing them.
///
/// Used to decode the big parts of a snapshot (inventory, observations) on separate cores: one linear pass over the
/// bytes that tracks strings, escapes and nesting depth. Returns `nil` for anything that is not a well-formed
/// top-level object, so callers fall back to decoding the whole document (and get its precise error).
enum JSONTopLevelScanner {
    /// The ranges (indices into `bytes`) of the top-level members' values, keyed by member name.
    static func valueRanges(in bytes: [UInt8]) -> [String: Range<Int>]? {
        valueRanges(in: bytes[...])
    }

    /// The ranges (indices into the slice's base) of the members' values of the object that `bytes` holds, which
    /// may be a nested one; nothing but whitespace may follow it.
    static func valueRanges(in bytes: ArraySlice<UInt8>) -> [String: Range<Int>]? {
        var index = bytes.startIndex
        let count = bytes.endIndex
        func skipWhitespace() {
            while index < count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }
        /// Moves past a string starting at `index` (which holds the opening quote); returns its raw contents.
        func skipString() -> Range<Int>? {
            guard index < count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            index += 1
            while index < count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""):
                    index += 1
                    return start..<(index - 1)
                default: index += 1
                }
            }
            return nil
        }
        /// Moves past one value starting at `index`.
        func skipValue() -> Bool {
            guard index < count else { return false }
            if bytes[index] == UInt8(ascii: "\"") { return skipString() != nil }
            if bytes[index] != UInt8(ascii: "{") && bytes[index] != UInt8(ascii: "[") {
                // A number, true, false or null: up to the next delimiter.
                let start = index
                while index < count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20
                        || byte == 0x0A || byte == 0x0D || byte == 0x09
                    {
                        break
                    }
                    index += 1
                }
                return index > start
            }
            var depth = 0
            while index < count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    guard skipString() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return true }
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                case UInt8(ascii: ","):
                    if depth == 0 { return true }
                default:
                    break
                }
                index += 1
            }
            return depth == 0
        }
        skipWhitespace()
        guard index < count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var ranges: [String: Range<Int>] = [:]
        /// The object is closed at `index`: only whitespace may follow.
        func closed() -> [String: Range<Int>]? {
            index += 1
            skipWhitespace()
            return index == count ? ranges : nil
        }
        while true {
            skipWhitespace()
            if index < count, bytes[index] == UInt8(ascii: "}") { return closed() }
            guard let keyRange = skipString() else { return nil }
            skipWhitespace()
            guard index < count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            let start = index
            guard skipValue() else { return nil }
            ranges[String(decoding: bytes[keyRange], as: UTF8.self)] = start..<index
            skipWhitespace()
            guard index < count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                return closed()
            } else {
                return nil
            }
        }
    }
}
