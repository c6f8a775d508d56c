extension OrderedJSON {
    /// The value printed the way Go's `json.MarshalIndent(v, "", indent)` prints it (what istioctl uses for
    /// `-o json`): one member or element per line, `": "` after keys, empty containers as `{}`/`[]`, and `<`, `>`,
    /// `&`, U+2028 and U+2029 escaped as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`. No trailing newline.
    public func formatted(indent: String = "    ") -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        append(to: &output, indent: Array(indent.utf8), level: 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the value as ``formatted(indent:)`` prints it, nested `level` deep: every line after the first is
    /// indented `level` more times, as it is inside an array or object printed the same way. For long outputs (a
    /// 50,000-row `report -o json`) written in chunks without a `String` per row.
    public func appendFormatted(to output: inout [UInt8], indent: [UInt8], level: Int) {
        append(to: &output, indent: indent, level: level)
    }

    private func append(to output: inout [UInt8], indent: [UInt8], level: Int) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let literal):
            output.append(contentsOf: literal.utf8)
        case .string(let text):
            Self.appendQuoted(text, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                output.append(UInt8(ascii: "\n"))
                Self.appendIndent(indent, count: level + 1, to: &output)
                element.append(to: &output, indent: indent, level: level + 1)
                if position < elements.count - 1 { output.append(UInt8(ascii: ",")) }
            }
            output.append(UInt8(ascii: "\n"))
            Self.appendIndent(indent, count: level, to: &output)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                output.append(UInt8(ascii: "\n"))
                Self.appendIndent(indent, count: level + 1, to: &output)
                Self.appendQuoted(member.key, to: &output)
                output.append(contentsOf: ": ".utf8)
                member.value.append(to: &output, indent: indent, level: level + 1)
                if position < members.count - 1 { output.append(UInt8(ascii: ",")) }
            }
            output.append(UInt8(ascii: "\n"))
            Self.appendIndent(indent, count: level, to: &output)
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendIndent(_ indent: [UInt8], count: Int, to output: inout [UInt8]) {
        for _ in 0..<count { output.append(contentsOf: indent) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Byte by byte: every character to escape is ASCII except U+2028 and U+2029 (E2 80 A8, E2 80 A9 in UTF-8);
        // every other byte is copied as it is.
        let bytes = text.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case 0x08: output.append(contentsOf: "\\b".utf8)
            case 0x0C: output.append(contentsOf: "\\f".utf8)
            case UInt8(ascii: "\n"): output.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): output.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): output.append(contentsOf: "\\t".utf8)
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                appendUnicodeEscape(UInt32(byte), to: &output)
            case 0xE2:
                let second = bytes.index(after: index)
                if second != bytes.endIndex, bytes[second] == 0x80 {
                    let third = bytes.index(after: second)
                    if third != bytes.endIndex, bytes[third] == 0xA8 || bytes[third] == 0xA9 {
                        appendUnicodeEscape(bytes[third] == 0xA8 ? 0x2028 : 0x2029, to: &output)
                        index = bytes.index(after: third)
                        continue
                    }
                }
                output.append(byte)
            default:
                if byte < 0x20 { appendUnicodeEscape(UInt32(byte), to: &output) } else { output.append(byte) }
            }
            index = bytes.index(after: index)
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ value: UInt32, to output: inout [UInt8]) {
        output.append(contentsOf: "\\u".utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}
