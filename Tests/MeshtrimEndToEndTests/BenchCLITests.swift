import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim bench --quick -o json` runs every benchmark — the live ones against a `meshtrim lab` child with real
/// Envoys and kubectl — and reports them in the documented shape.
///
/// Figures are not asserted (this is a debug build on a shared machine); the budgets are checked by people reading
/// `meshtrim bench` from a release build (docs/benchmarks.md). Needs Envoy (`MESHTRIM_ENVOY` or the test tools'
/// `.build/venv`), kubectl and `script`; on CI (`CI=true`) a missing tool fails the test.
@Suite("CLI: bench", .enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(10)))
struct BenchCLITests {
    /// The documented keys of one row, in order.
    static let keys = ["name", "value", "unit", "peer", "peerValue", "ratio", "budget", "status"]

    /// Every budget of the issue, by the start of its row's name.
    static let budgets = [
        "scope-evaluation", "namespace-toggle", "plan (", "check demo plan", "check (", "key-to-frame p50", "key-to-frame p99", "startup-to-first-frame",
        "live-inventory", "observations", "cluster-names time", "cluster-names bytes", "peak-rss meshtrim report",
        "envoy-memory after", "envoy-memory drop", "scale first-frame (", "scale first-frame peak RSS", "scale report -A",
        "scale report peak RSS", "scale key-to-frame p99", "scale editor toggle p99", "scale mesh-default toggle p99",
        "scale live first-frame (", "scale live first-frame peak RSS", "scale live observations",
        "scale live report, pod network closed",
    ]

    @Test("every budget is reported with its peer, ratio and status, keys in the documented order")
    func quickJSON() throws {
        for tool in ["kubectl", "script", "python3"] { try requireTool(tool) }
        let result = try runProcess(
            [try meshtrimBinaryPath(), "bench", "--quick", "-o", "json"], environment: ["MESHTRIM_ENVOY": try envoyPath()],
            timeout: .seconds(480))
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)")

        // Key order, as printed: the keys of every object, in sequence.
        let printedKeys = result.stdout.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("\""), let end = trimmed.dropFirst().firstIndex(of: "\""),
                trimmed[trimmed.index(after: end)...].hasPrefix(": ")
            else { return nil }
            return String(trimmed[trimmed.index(after: trimmed.startIndex)..<end])
        }
        #expect(printedKeys == Array(Array(repeating: Self.keys, count: rows.count).joined()))

        let names = rows.compactMap { $0["name"] as? String }
        for prefix in Self.budgets {
            #expect(names.filter { $0.hasPrefix(prefix) }.count == 1, "expected one \(prefix) row in \(names)")
        }
        #expect(rows.count == Self.budgets.count)
        for row in rows {
            let name = row["name"] as? String ?? "?"
            #expect(["PASS", "FAIL"].contains(row["status"] as? String ?? ""), "\(name)")
            #expect((row["value"] as? Double).map { $0 > 0 } == true, "\(name): value \(row["value"] ?? "none")")
            #expect(["ms", "s", "MB", "kB"].contains(row["unit"] as? String ?? ""), "\(name)")
            #expect(row["peer"] is String && row["peerValue"] is Double && row["ratio"] is Double, "\(name)")
            #expect((row["budget"] as? String)?.isEmpty == false, "\(name)")
        }
        // The ratio is value / peerValue, as printed (three decimals).
        for row in rows {
            guard let value = row["value"] as? Double, let peer = row["peerValue"] as? Double, peer > 0.01,
                let ratio = row["ratio"] as? Double
            else { continue }
            #expect(abs(ratio - value / peer) <= 0.01 + 0.01 * ratio, "\(row["name"] ?? "?"): \(ratio) vs \(value) / \(peer)")
        }
        // The lab child and its Envoys are gone.
        let survivors = try runProcess(["pgrep", "-f", "meshtrim-bench-lab-"])
        #expect(survivors.exitCode == 1, "left running: \(survivors.stdout)")
    }

    @Test("an unknown group is refused with the list of groups")
    func unknownGroup() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "bench", "--only", "scope,network"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("unknown group 'network'") && result.stderr.contains("scope, ui, startup, live"), "\(result.stderr)")
    }

    @Test("the live budgets without Envoy say how to get one")
    func liveWithoutEnvoy() throws {
        let result = try runProcess(
            ["/bin/sh", "-c", "cd / && exec \"$0\" bench --only live", try meshtrimBinaryPath()],
            environment: ["MESHTRIM_ENVOY": "/nonexistent/envoy", "PATH": "/usr/bin:/bin"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("MESHTRIM_ENVOY") && result.stderr.contains("--only scope,ui,startup"), "\(result.stderr)")
    }

    /// `MESHTRIM_ENVOY`, else the test tools' virtual environment under the package root.
    func envoyPath(filePath: String = #filePath) throws -> String {
        if let path = ProcessInfo.processInfo.environment["MESHTRIM_ENVOY"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let venv = root.appendingPathComponent(".build/venv/bin/envoy").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        if isContinuousIntegration { throw MissingToolError(name: "envoy (MESHTRIM_ENVOY or scripts/install-test-tools.sh)") }
        try Test.cancel("no Envoy: set MESHTRIM_ENVOY or run scripts/install-test-tools.sh")
    }
}
