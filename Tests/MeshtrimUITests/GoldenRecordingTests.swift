import Foundation
import Testing

/// A golden can fail: recording one (`RECORD_SNAPSHOTS=1`) or finding it missing writes it and fails the test, and a
/// different screen fails without touching it (issue #13, item 9).
@Suite("Golden files")
struct GoldenRecordingTests {
    /// A fresh folder standing in for a test file's directory, its goldens under `__Snapshots__`.
    static func scratch() throws -> (filePath: String, golden: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-golden-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let filePath = directory.appendingPathComponent("SomeTests.swift").path
        return (filePath, directory.appendingPathComponent("__Snapshots__/screen.txt"))
    }

    @Test("A missing golden is written and the test fails")
    func missingFails() throws {
        let (filePath, golden) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: golden.deletingLastPathComponent().deletingLastPathComponent()) }
        withKnownIssue("recorded because it was missing") {
            try assertGolden("hello", named: "screen", filePath: filePath, recording: false)
        }
        #expect(try String(contentsOf: golden, encoding: .utf8) == "hello\n")
    }

    @Test("Record mode rewrites a golden and fails even when it matched")
    func recordingFails() throws {
        let (filePath, golden) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: golden.deletingLastPathComponent().deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "hello\n".write(to: golden, atomically: true, encoding: .utf8)
        withKnownIssue("recording always fails") {
            try assertGolden("hello", named: "screen", filePath: filePath, recording: true)
        }
        withKnownIssue("recording always fails") {
            try assertGolden("changed", named: "screen", filePath: filePath, recording: true)
        }
        #expect(try String(contentsOf: golden, encoding: .utf8) == "changed\n")
    }

    @Test("Outside record mode a match passes and a difference fails, leaving the golden alone")
    func compareMode() throws {
        let (filePath, golden) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: golden.deletingLastPathComponent().deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "hello\n".write(to: golden, atomically: true, encoding: .utf8)
        try assertGolden("hello", named: "screen", filePath: filePath, recording: false)
        withKnownIssue("differs from its golden") {
            try assertGolden("changed", named: "screen", filePath: filePath, recording: false)
        }
        #expect(try String(contentsOf: golden, encoding: .utf8) == "hello\n")
    }
}
