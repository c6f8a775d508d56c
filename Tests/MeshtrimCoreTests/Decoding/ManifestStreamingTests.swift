import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// `--manifests` reads a multi-document YAML one document at a time: each document is decoded and handed on before
/// the next is parsed, so only one document's YAML nodes are held at once, with the errors reading it whole gave.
@Suite("Manifest streaming")
struct ManifestStreamingTests {
    /// `count` Service documents of five lines each (`---` plus four), the one at `broken` (1-based) with `metadata`
    /// as a list; document `n` starts on line `5 * (n - 1) + 2`.
    private func services(_ count: Int, broken: Int? = nil) -> String {
        (1...count).map { index in
            let metadata = index == broken ? "[s\(index)]" : "{name: s\(index), namespace: shop}"
            return "---\napiVersion: v1\nkind: Service\nmetadata: \(metadata)\nspec: {ports: [{port: 80}]}\n"
        }.joined()
    }

    private func startLine(ofDocument index: Int) -> Int { 5 * (index - 1) + 2 }

    @Test("a broken document deep in a large file names its line, after every earlier document was handed on")
    func brokenLateDocument() throws {
        let text = services(5_000, broken: 4_321)
        var delivered = 0
        let error = try #require(
            #expect(throws: ManifestError.self) {
                try ManifestLoader.decode(text, file: "big.yaml") { _, _ in delivered += 1 }
            })
        #expect(error.line == startLine(ofDocument: 4_321), "\(error)")
        #expect(error.message == "Service: expected a mapping at metadata", "\(error)")
        #expect(delivered == 4_320, "each document before the broken one is decoded and handed on first")
    }

    @Test("the same error through --manifests on a file")
    func brokenLateDocumentInFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-stream-\(UUID().uuidString).yaml")
        try services(3_000, broken: 2_999).write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(#expect(throws: ManifestError.self) { try ManifestLoader.load(paths: [url.path]) })
        #expect(error.description == "\(url.path):\(startLine(ofDocument: 2_999)): Service: expected a mapping at metadata")
    }

    @Test("a document is handed on before the next one is parsed")
    func handedOnBeforeNextParsed() throws {
        struct Stop: Error {}
        // The second document is not valid YAML: reading every document before decoding would fail on it first.
        let text = services(1) + "---\napiVersion: v1\nkind: Service\nmetadata: {name: [\n"
        var lines: [Int] = []
        #expect(throws: Stop.self) {
            try ManifestLoader.decode(text, file: "x.yaml") { _, line in
                lines.append(line)
                throw Stop()
            }
        }
        #expect(lines == [2])
        // Without the stop, the syntax error is reported where the parser found it (the end of the text, line 10).
        let error = try #require(#expect(throws: ManifestError.self) { try ManifestLoader.decode(text, file: "x.yaml") })
        #expect(error.message.hasPrefix("not valid YAML"), "\(error)")
        #expect(error.line == 10, "\(error)")
    }

    @Test("a YAML syntax error after an undecodable document is still the error reported")
    func syntaxErrorWins() throws {
        // Document 2 does not decode; document 4 does not parse. Reading the whole file first reported the syntax
        // error, and so does streaming.
        let text = services(3, broken: 2) + "---\nkind: Service\nmetadata: {name: [\n"
        let error = try #require(#expect(throws: ManifestError.self) { try ManifestLoader.decode(text, file: "x.yaml") })
        #expect(error.message.hasPrefix("not valid YAML"), "\(error)")
        #expect(error.line == 19, "\(error)")  // the end of the text, where the flow sequence is left open
    }

    @Test("every object of a large file is read, with its own line")
    func largeFileComplete() throws {
        var lines: [Int] = []
        try ManifestLoader.decode(services(2_000), file: "big.yaml") { object, line in
            if case .service = object { lines.append(line) }
        }
        #expect(lines == (1...2_000).map(startLine(ofDocument:)))
    }
}
