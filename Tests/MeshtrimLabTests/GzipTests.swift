import Foundation
import MeshtrimTestSupport
import Testing

@testable import MeshtrimLab

/// The lab's gzip encoder, checked by an independent decoder (Python's zlib) on JSON, repetitive and incompressible
/// input, and the empty input.
@Suite(.enabled(if: shouldRunTests(needing: "python3")))
struct GzipTests {
    static func inputs() -> [(String, [UInt8])] {
        var random = SystemRandomNumberGenerator()
        let json = (0..<400).map { #"{"metadata":{"name":"pod-\#($0)","namespace":"shop"},"status":{"phase":"Running"}}"# }.joined(separator: ",")
        return [
            ("json", Array("[\(json)]".utf8)), ("repetitive", [UInt8](repeating: 97, count: 70_000)),
            ("random", (0..<40_000).map { _ in UInt8.random(in: 0...255, using: &random) }), ("empty", []),
        ]
    }

    @Test func pythonDecompressesWhatTheLabCompresses() throws {
        try requireTool("python3")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-gzip-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, input) in Self.inputs() {
            let compressed = Gzip.compress(input)
            try Data(compressed).write(to: URL(fileURLWithPath: "\(directory)/\(name).gz"))
            try Data(input).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
            let check = try runProcess([
                "python3", "-c", "import gzip,sys; a=gzip.decompress(open(sys.argv[1],'rb').read()); b=open(sys.argv[2],'rb').read(); print(a==b)",
                "\(directory)/\(name).gz", "\(directory)/\(name)",
            ])
            #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "\(name): \(check.stdout) \(check.stderr)")
            if name == "json" { #expect(compressed.count * 4 < input.count, "JSON shrinks: \(input.count) → \(compressed.count)") }
        }
    }
}
