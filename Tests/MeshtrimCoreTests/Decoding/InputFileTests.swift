import Foundation
import Testing
import Yams

@testable import MeshtrimCore
import MeshtrimFiles

/// Bounded reading of hostile input: the size cap, binary and non-UTF-8 files, capped quotes, JSON positions and
/// YAML alias expansion.
@Suite("Hostile input")
struct InputFileTests {
    /// A fresh temporary directory, removed by the caller.
    private func directory() throws -> String {
        let path = NSTemporaryDirectory() + "meshtrim-input-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A sparse file of `size` zero bytes (no disk used).
    private func sparseFile(_ path: String, size: Int) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
    }

    @Test("a file above 256 MiB is refused from its size, before it is read")
    func refusesLargeFile() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/zeros.yaml"
        try sparseFile(path, size: 1 << 30)
        #expect(throws: InputFileError(file: path, message: "is 1024.0 MiB; meshtrim reads input files of at most 256 MiB")) {
            try InputFile.read(path)
        }
        #expect(throws: ManifestError(file: path, message: "is 1024.0 MiB; meshtrim reads input files of at most 256 MiB")) {
            try ManifestLoader.load(paths: [path])
        }
        #expect(throws: SnapshotError(file: path, message: "is 1024.0 MiB; meshtrim reads input files of at most 256 MiB")) {
            try MeshSnapshot.load(from: path)
        }
    }

    @Test("a stream past the limit is refused once it passes it")
    func refusesLongStream() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/fifo"
        #expect(mkfifo(path, 0o644) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: path) {
                try? handle.write(contentsOf: Data(repeating: UInt8(ascii: "a"), count: 10_000))
                try? handle.close()
            }
        }
        writer.start()
        #expect(throws: InputFileError(file: path, message: "is larger than 4096 bytes; meshtrim reads input files of at most 4096 bytes")) {
            try InputFile.read(path, limit: 4_096)
        }
    }

    @Test("NUL bytes are binary data: refused with the offset of the first one, in manifests and snapshots")
    func refusesBinary() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/zeros.yaml"
        try (Data("kind: List\n".utf8) + Data(count: 5_000_000)).write(to: URL(fileURLWithPath: path))
        let message = "holds binary data (a NUL byte at byte offset 11); expected Kubernetes YAML or JSON"
        #expect(throws: ManifestError(file: path, message: message)) { try ManifestLoader.load(paths: [path]) }
        let snapshot = #expect(throws: SnapshotError.self) { try MeshSnapshot.load(from: path) }
        #expect(snapshot?.message == "holds binary data (a NUL byte at byte offset 11); expected a meshtrim snapshot (JSON)")
    }

    @Test("text that is not UTF-8 names the offset of the first bad byte")
    func refusesNonUTF8() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/latin1.yaml"
        try Data([0x61, 0x3A, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(throws: ManifestError(file: path, message: "is not UTF-8 text (an invalid byte at byte offset 3); expected Kubernetes YAML or JSON")) {
            try ManifestLoader.load(paths: [path])
        }
    }

    @Test("a directory given as a file says so")
    func directoryIsNamed() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: SnapshotError(file: root, message: "is a directory; expected a file")) { try MeshSnapshot.load(from: root) }
    }

    @Test("a YAML error on a 10 MB line quotes at most a short excerpt and names line and column")
    func yamlErrorsAreShort() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/long.yaml"
        try ("kind: Service\nmetadata: {name: [" + String(repeating: "x", count: 10_000_000) + "\n").write(
            toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: ManifestError.self) { try ManifestLoader.load(paths: [path]) }
        #expect(error?.line != nil)
        #expect((error?.description.count ?? .max) < 400, "\(error?.description.prefix(500) ?? "")")
    }

    @Test("quotes are cut at the limit and control bytes escaped")
    func quoting() {
        #expect(InputFile.quote(String(repeating: "\0", count: 1_000), limit: 3) == "\\0\\0\\0…")
        #expect(InputFile.quote("a\tb\u{1B}c") == "a\\tb\\u{1B}c")
        #expect(InputFile.quote("short") == "short")
    }

    @Test("JSON syntax errors name line, column, byte offset, what was expected and what was found", arguments: [
        ("{\"version\": 1, \"inven", "expected '\"' closing the string but found the end of the file (line 1, column 22, byte offset 21)"),
        ("{\n  \"version\": 1,\n  \"x\": tru\n}", "expected 'true' but found '\n' (line 3, column 11, byte offset 28)"),
        ("{\"a\": [1, 2,]}", "expected a value but found ']' (line 1, column 13, byte offset 12)"),
        ("{\"a\": 1} x", "expected the end of the file but found 'x' (line 1, column 10, byte offset 9)"),
        ("{\"a\" 1}", "expected ':' but found '1' (line 1, column 6, byte offset 5)"),
        ("{\"a\": \"b\\q\"}", "expected an escape (one of \" \\ / b f n r t u) after '\\' but found 'q' (line 1, column 10, byte offset 9)"),
        ("", "expected a value but found the end of the file (line 1, column 1, byte offset 0)"),
    ])
    func jsonPositions(_ text: String, _ expected: String) throws {
        let problem = try #require(JSONSyntax.firstProblem(in: Data(text.utf8)))
        #expect(problem.description == expected.replacingOccurrences(of: "'\n'", with: "byte 0x0A"))
    }

    @Test("well-formed JSON has no syntax problem", arguments: [
        "{}", "[]", " {\"a\": [1, -2.5e3, true, false, null, \"\\u00e9\\n\"], \"b\": {}} ", "\"x\"", "0",
    ])
    func jsonWellFormed(_ text: String) {
        #expect(JSONSyntax.firstProblem(in: Data(text.utf8)) == nil)
    }

    /// A billion-laughs chain: each level a list of ten aliases of the one before, 10^depth leaves.
    static func laughs(depth: Int) -> String {
        var lines = ["a0: &a0 lol"]
        for level in 1...depth {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("alias expansion is counted up to the limit, however far it would go")
    func expansionIsBounded() throws {
        let deep = try #require(try Parser(yaml: Self.laughs(depth: 9)).singleRoot())
        #expect(YAMLSyntax.exceedsExpansion(deep))
        let shallow = try #require(try Parser(yaml: Self.laughs(depth: 3)).singleRoot())
        #expect(!YAMLSyntax.exceedsExpansion(shallow))
    }
}

/// JSON manifests with a syntax error get the position JSONDecoder does not give.
@Suite("JSON manifests: syntax errors")
struct JSONManifestErrorTests {
    @Test("a truncated JSON manifest names line and what was expected")
    func truncatedJSON() throws {
        let path = NSTemporaryDirectory() + "meshtrim-json-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": \"a\"".write(toFile: path, atomically: false, encoding: .utf8)
        let error = #expect(throws: ManifestError.self) { try ManifestLoader.load(paths: [path]) }
        #expect(error?.line == 3)
        #expect(error?.message == "not valid JSON: expected ',' or '}' but found the end of the file (line 3, column 27, byte offset 49)")
    }
}
