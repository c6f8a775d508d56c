import Foundation
import Testing
@testable import MeshtrimCore

/// Snapshots decode the same whether split across cores or read whole, and damaged ones say what is wrong.
@Suite("Snapshot decoding")
struct SnapshotDecodingTests {
    @Test("top-level value ranges survive strings with braces, escapes and nesting")
    func scannerRanges() throws {
        let text = #"{"a": {"x": "}{\"]"}, "b" : [1, [2, {"c": "d"}]], "version":1,"s":"q\\"}"#
        let bytes = Array(text.utf8)
        let ranges = try #require(JSONTopLevelScanner.valueRanges(in: bytes))
        func value(_ key: String) -> String? { ranges[key].map { String(decoding: bytes[$0], as: UTF8.self) } }
        #expect(value("a") == #"{"x": "}{\"]"}"#)
        #expect(value("b") == #"[1, [2, {"c": "d"}]]"#)
        #expect(value("version") == "1")
        #expect(value("s") == #""q\\""#)
    }

    @Test("malformed top levels are refused (the caller falls back)", arguments: [
        "", "[]", "{", #"{"a" 1}"#, #"{"a": "unterminated}"#, #"{"a": {"b": 1}"#, #"{"a": 1 "b": 2}"#,
    ])
    func scannerRefuses(_ text: String) {
        #expect(JSONTopLevelScanner.valueRanges(in: Array(text.utf8)) == nil)
    }

    @Test("the parallel decode equals the whole decode on a generated mesh")
    func parallelEqualsWhole() throws {
        let snapshot = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 6, services: 40, pods: 60, seed: 3))
        let data = try snapshot.encoded(pretty: true)
        let decoded = try MeshSnapshot.decode(from: data)
        #expect(decoded == snapshot)
    }

    @Test("damaged snapshots name the problem", arguments: [
        (#"{"version": 2}"#, "version 2 is not supported"),
        (#"{"inventory": {}}"#, "no \"version\" field"),
        (#"{"version": 1, "capturedAt": "2026-01-01T00:00:00Z", "source": "x", "inventory": {"pods": 3}, "observations": []}"#,
         "damaged snapshot"),
        ("{\"version\": 1, \"inven", "not a meshtrim snapshot"),
    ])
    func damaged(_ text: String, _ message: String) {
        do {
            _ = try MeshSnapshot.decode(from: Data(text.utf8), file: "x.json")
            Issue.record("expected an error")
        } catch let error as SnapshotError {
            #expect(error.description.contains(message), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
