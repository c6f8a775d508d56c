import Foundation
import Testing

/// `meshtrim bench --quick -o json` runs every benchmark and reports them in the documented shape.
///
/// Figures are not asserted (this is a debug build on a shared machine); the budgets are checked by people reading
/// `meshtrim bench` from a release build (docs/benchmarks.md).
@Suite("CLI: bench", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script") || isContinuousIntegration))
struct BenchCLITests {
    @Test("every budget is reported with its peer, ratio and status")
    func quickJSON() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "bench", "--quick", "-o", "json"], timeout: .seconds(300))
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let keys = ["name", "value", "unit", "peer", "peerValue", "ratio", "budget", "status"]
        #expect(rows.allSatisfy { Set($0.keys) == Set(keys) })
        let names = rows.compactMap { $0["name"] as? String }
        for prefix in ["scope-evaluation", "namespace-toggle", "key-to-frame p50", "key-to-frame p99", "startup-to-first-frame"] {
            #expect(names.contains { $0.hasPrefix(prefix) }, "missing \(prefix) in \(names)")
        }
        #expect(rows.allSatisfy { ["PASS", "FAIL"].contains($0["status"] as? String ?? "") })
        #expect(rows.allSatisfy { ($0["value"] as? Double ?? -1) > 0 && $0["unit"] as? String == "ms" })
        #expect(rows.allSatisfy { $0["peer"] is String && ($0["ratio"] as? Double ?? -1) > 0 })
    }
}
