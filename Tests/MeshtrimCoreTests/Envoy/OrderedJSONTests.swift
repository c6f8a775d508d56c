import Foundation
import Testing

@testable import MeshtrimCore

/// The order-preserving JSON reader and its Go-style pretty printer.
@Suite("OrderedJSON")
struct OrderedJSONTests {
    func parse(_ text: String) throws -> OrderedJSON {
        try OrderedJSON(parsing: Data(text.utf8))
    }

    @Test("member order, duplicates and number literals are kept")
    func orderAndNumbers() throws {
        let value = try parse(#"{"z": 1.50, "a": -0, "big": 1e400, "z": 2, "n": null, "t": true, "f": false}"#)
        #expect(value.objectMembers?.map(\.key) == ["z", "a", "big", "z", "n", "t", "f"])
        #expect(value["z"] == .number("1.50"))  // the first of duplicates
        #expect(value["big"] == .number("1e400"))
        #expect(value["n"] == .null)
        #expect(value["t"] == .bool(true))
        #expect(value["missing"] == nil)
    }

    @Test("string escapes, surrogates, invalid UTF-8 and the byte order mark")
    func strings() throws {
        #expect(try parse(#""caf\u00e9 \/ \"q\" \\ \n\t\b\f\r""#) == .string("café / \"q\" \\ \n\t\u{08}\u{0C}\r"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\ud800x""#) == .string("\u{FFFD}x"))  // lone high surrogate
        #expect(try parse(#""\udc00""#) == .string("\u{FFFD}"))  // lone low surrogate
        #expect(try parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try OrderedJSON(parsing: Data([0x22, 0xFF, 0x61, 0x22])) == .string("\u{FFFD}a"))
        #expect(try OrderedJSON(parsing: Data([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))) == .array([.number("1")]))
    }

    @Test("accessors: camelCase fallback, integers from numbers and strings")
    func accessors() throws {
        let value = try parse(#"{"filterMetadata": {"x": 1}, "count": "42", "n": 7.0, "f": 7.5, "s": "x"}"#)
        #expect(value.member("filter_metadata")?["x"] == .number("1"))
        #expect(value.member("count")?.intValue == 42)
        #expect(value["n"]?.intValue == 7)
        #expect(value["f"]?.intValue == nil)
        #expect(value["s"]?.intValue == nil)
        #expect(value.removingMember("count").objectMembers?.map(\.key) == ["filterMetadata", "n", "f", "s"])
        #expect(OrderedJSON.null.kindDescription == "null")
    }

    @Test("strings are escaped as Go escapes them, byte for byte", arguments: [
        ("plain", #""plain""#), ("\u{2029}end", #""\u2029end""#), ("…€\u{2027}\u{202A}", "\"…€\u{2027}\u{202A}\""),
        ("a\u{2028}\u{2028}b", #""a\u2028\u2028b""#), ("\u{7F}\u{1F}", "\"\u{7F}\\u001f\""), ("ünï🙂", #""ünï🙂""#),
        ("\\/\r\u{08}\u{0C}", #""\\/\r\b\f""#),
    ])
    func escaping(_ text: String, expected: String) {
        #expect(OrderedJSON.string(text).formatted() == expected)
    }

    @Test("a value appended nested prints as it does inside an array printed whole")
    func appendedNested() throws {
        let value = try parse(#"{"a":[1,{"b":"x\ny"}],"c":{}}"#)
        var output = Array("[\n  ".utf8)
        value.appendFormatted(to: &output, indent: Array("  ".utf8), level: 1)
        output.append(contentsOf: "\n]".utf8)
        #expect(String(decoding: output, as: UTF8.self) == OrderedJSON.array([value]).formatted(indent: "  "))
    }

    @Test("pretty printing matches Go's json.MarshalIndent")
    func formatting() throws {
        let value = try parse(#"{"b":1,"a":[],"c":{},"d":[1,{"e":null,"f":"<a&b>"}],"g":"\u0001\u2028é"}"#)
        let expected = """
            {
                "b": 1,
                "a": [],
                "c": {},
                "d": [
                    1,
                    {
                        "e": null,
                        "f": "\\u003ca\\u0026b\\u003e"
                    }
                ],
                "g": "\\u0001\\u2028é"
            }
            """
        #expect(value.formatted() == expected)
        #expect(OrderedJSON.array([]).formatted() == "[]")
        #expect(OrderedJSON.string("tab\tquote\"").formatted() == #""tab\tquote\"""#)
        #expect(try parse(value.formatted()) == value)
    }
}
