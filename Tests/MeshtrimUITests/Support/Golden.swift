import Foundation
import Testing

/// Compares `actual` with `__Snapshots__/<name>.txt` in the test target's folder.
///
/// Run with `RECORD_SNAPSHOTS=1` to (re)write the files instead. Recording always fails the test (review the
/// `git diff` of the goldens, then re-run without it), and a missing file is recorded and reported the same way, so
/// a new or changed golden is never silently accepted.
func assertGolden(
    _ actual: String, named name: String, filePath: String = #filePath, recording: Bool = isRecordingSnapshots,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    if directory.lastPathComponent == "Support" { directory = directory.deletingLastPathComponent() }
    let url = directory.appendingPathComponent("__Snapshots__").appendingPathComponent("\(name).txt")
    if recording || !FileManager.default.fileExists(atPath: url.path) {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (actual + "\n").write(to: url, atomically: true, encoding: .utf8)
        let why = recording ? "RECORD_SNAPSHOTS is set" : "it was missing"
        Issue.record(
            "Recorded the golden \(url.lastPathComponent) because \(why); review its diff and re-run without RECORD_SNAPSHOTS.",
            sourceLocation: sourceLocation)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    if actual + "\n" != expected {
        Attachment.record(actual, named: "\(name).actual.txt", sourceLocation: sourceLocation)
        let diff = firstDifference(expected: expected, actual: actual + "\n")
        Issue.record("Screen \(name) differs from its golden (RECORD_SNAPSHOTS=1 re-records). \(diff)", sourceLocation: sourceLocation)
    }
}

/// Whether `RECORD_SNAPSHOTS` asks for the goldens to be re-recorded.
let isRecordingSnapshots = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"].map { !$0.isEmpty && $0 != "0" } ?? false

/// The first differing line, for the failure message.
private func firstDifference(expected: String, actual: String) -> String {
    let left = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let right = actual.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(left.count, right.count) {
        let a = index < left.count ? String(left[index]) : "<none>"
        let b = index < right.count ? String(right[index]) : "<none>"
        if a != b { return "Line \(index + 1):\n  expected: \(a)\n  actual:   \(b)" }
    }
    return ""
}
