import Foundation
import Testing

@testable import MeshtrimCore

/// The one JSON lexer: the parser, the snapshot's top-level scan and the fast snapshot readers accept and refuse the
/// same text, because they all move through it with ``JSONCursor``.
@Suite("JSONCursor")
struct JSONCursorTests {
    static let istioDocuments = [
        "istioctl/pkg/proxyconfig/testdata/config_dump.json",
        "istioctl/pkg/describe/testdata/describe/http_config.json",
        "istioctl/pkg/writer/compare/testdata/configdump.json",
        "istioctl/pkg/writer/envoy/configdump/testdata/endpoint/configdump.json",
        "istioctl/pkg/writer/envoy/configdump/testdata/bootstrapdump.json",
        "pkg/bootstrap/testdata/tracing_zipkin_golden.json",
    ]

    @Test("the scan finds each member's value where the parser reads it (Istio's config dumps)", arguments: istioDocuments)
    func scanMatchesTheParser(_ path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Fixtures.istio(path)))
        let parsed = try OrderedJSON(parsing: Data(bytes))
        let members = try #require(parsed.objectMembers)
        let ranges = try #require(JSONTopLevelScanner.valueRanges(in: bytes))
        #expect(Set(ranges.keys) == Set(members.map(\.key)))
        for member in members {
            let range = try #require(ranges[member.key])
            #expect(try OrderedJSON(parsing: Data(bytes[range])) == member.value, "\(member.key)")
        }
    }

    @Test("what the parser refuses, the scan refuses too", arguments: [
        "tru", "nul", "01", "1.", "1e", "-", "+1", #""\x""#, #""\u12g4""#, "\"a\u{01}b\"", #""open"#, "[1,]", "[1 2]",
        #"{"k" 1}"#, #"{"k":1,}"#, #"{1:2}"#, "[", "{",
    ])
    func sameRefusals(_ value: String) {
        #expect(throws: OrderedJSONError.self) { try OrderedJSON(parsing: Data(value.utf8)) }
        #expect(JSONTopLevelScanner.valueRanges(in: Array(#"{"a": \#(value)}"#.utf8)) == nil, "\(value)")
    }

    @Test("nesting is bounded the same way everywhere")
    func nestingIsBounded() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let error = #expect(throws: OrderedJSONError.self) { try OrderedJSON(parsing: Data(deep.utf8)) }
        #expect(error?.reason == .nestingTooDeep(limit: JSONCursor.maximumDepth))
        #expect(JSONTopLevelScanner.valueRanges(in: Array(#"{"a": \#(deep)}"#.utf8)) == nil)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(JSONTopLevelScanner.valueRanges(in: Array(#"{"a": \#(fine)}"#.utf8)) != nil)
    }

    /// The string at the start of `bytes`, read leniently or strictly.
    static func string(_ bytes: [UInt8], strict: Bool) throws -> String {
        try bytes.withUnsafeBufferPointer { (buffer) throws -> String in
            var cursor = JSONCursor(buffer)
            return try cursor.string(strict: strict)
        }
    }

    @Test("strings: lenient as Go reads them, strict as JSONDecoder reads them", arguments: [
        (#""\ud800x""#, "\u{FFFD}x", false), (#""\udc00""#, "\u{FFFD}", false), (#""caf\u00e9 \ud83d\ude00""#, "café 😀", true),
        (#""plain""#, "plain", true),
    ])
    func strictAndLenientStrings(_ text: String, _ lenient: String, _ strictAccepts: Bool) throws {
        let bytes = Array(text.utf8)
        #expect(try Self.string(bytes, strict: false) == lenient)
        if strictAccepts {
            #expect(try Self.string(bytes, strict: true) == lenient)
            #expect((try? JSONDecoder().decode(String.self, from: Data(bytes))) == lenient)
        } else {
            #expect(throws: OrderedJSONError.self) { try Self.string(bytes, strict: true) }
            #expect((try? JSONDecoder().decode(String.self, from: Data(bytes))) == nil)
        }
    }

    @Test("invalid UTF-8 is repaired leniently and refused strictly", arguments: [[0x22, 0xFF, 0x61, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x22]] as [[UInt8]])
    func invalidUTF8(_ bytes: [UInt8]) throws {
        #expect(try Self.string(bytes, strict: false).contains("\u{FFFD}"))
        #expect(throws: OrderedJSONError.self) { try Self.string(bytes, strict: true) }
    }
}

/// The scan over `Data` (a Kubernetes list page's `metadata`, read without its items).
@Suite("JSONTopLevelScanner over Data")
struct JSONTopLevelScannerDataTests {
    @Test("ranges are indices into the data, a slice included")
    func rangesAreIndices() throws {
        let whole = Data(#"xx{"kind":"PodList","metadata":{"continue":"abc"},"items":[{"a":1}]}"#.utf8)
        let page = whole.dropFirst(2)
        let ranges = try #require(JSONTopLevelScanner.valueRanges(in: page))
        let metadata = try #require(ranges["metadata"])
        #expect(String(decoding: page[metadata], as: UTF8.self) == #"{"continue":"abc"}"#)
        #expect(JSONTopLevelScanner.valueRanges(in: Data(#"{"kind":"PodList","items":[{"a":1}"#.utf8)) == nil)
        #expect(JSONTopLevelScanner.valueRanges(in: Data("[]".utf8)) == nil)
    }
}
