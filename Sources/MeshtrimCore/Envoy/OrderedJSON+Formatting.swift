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
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: "\\\"".utf8)
            case "\\": output.append(contentsOf: "\\\\".utf8)
            case "\u{08}": output.append(contentsOf: "\\b".utf8)
            case "\u{0C}": output.append(contentsOf: "\\f".utf8)
            case "\n": output.append(contentsOf: "\\n".utf8)
            case "\r": output.append(contentsOf: "\\r".utf8)
            case "\t": output.append(contentsOf: "\\t".utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, to: &output)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value, to: &output)
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
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
