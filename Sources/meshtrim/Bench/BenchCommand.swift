import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimUI

/// `meshtrim bench`: every performance budget measured, with its peer in the same run, and PASS/FAIL.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure meshtrim's performance budgets (build with -c release for real figures).",
        discussion: """
            Prints, for each budget, the measured figure, the peer measured in the same run, their ratio and \
            PASS/FAIL. Run `swift run -c release meshtrim bench`; debug builds are several times slower.

            Groups: scope (engine evaluation, namespace toggle), plan (meshtrim plan on the generated 50,000-pod, \
            10,000-service mesh, against JSON-decoding the same snapshot; --quick: 5,000 pods), check (meshtrim check of \
            the demo's plan and of the generated mesh's, against analysing the same mesh), ui (key to frame at 10,000 rows), startup (the real \
            binary to its first frame), live (a `meshtrim lab` child with real Envoys: inventory against kubectl, \
            sidecar observations, cluster names against a full config_dump, peak memory, and a real Envoy's memory \
            before and after the common-fix Sidecar). live needs Envoy (MESHTRIM_ENVOY, PATH, or \
            .build/venv/bin/envoy from scripts/install-test-tools.sh) and kubectl; the full run starts a \
            5,000-pod lab (minutes to start), --quick a 500-pod one. scale (the generated 50,000-pod, 10,000-service \
            snapshot: the real binary's first frame and report -A -o json against python3's json.load of the file, \
            time and peak memory; key to frame and an editor toggle at that size; the live UI's first frame (time and \
            peak memory) and report -A against a `meshtrim lab --synthetic-envoy` child of that mesh and against one whose pod network is closed, each \
            against kubectl get pods -A -o json; --quick: 5,000 pods) needs python3 and kubectl.

            --quick runs a reduced set for CI in under 2 minutes (it checks that the benchmarks run, not their \
            figures: it exits 0 whatever the statuses). Without --quick, any FAIL exits 1.

            Examples:
              swift run -c release meshtrim bench
              meshtrim bench --quick --only scope,ui
              meshtrim bench --only plan,check -o json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Flag(help: "A reduced set with fewer repetitions (under 2 minutes).")
    var quick = false

    @Option(name: .shortAndLong, help: "Output format: table or json.")
    var output: Format = .table

    @Option(help: "Run only these groups (comma-separated): scope, ui, startup, live, plan, check, scale.")
    var only: String?

    /// The groups `--only` names (all by default).
    private var groups: Set<String> {
        Set((only ?? "scope,plan,check,ui,startup,live,scale").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// An unknown `--only` group is a usage error (the bench's usage, exit 64).
    func validate() throws {
        let known: Set<String> = ["scope", "ui", "startup", "live", "plan", "check", "scale"]
        if let unknown = groups.subtracting(known).sorted().first {
            throw ValidationError("unknown group '\(unknown)' in --only; groups: scope, ui, startup, live, plan, check, scale")
        }
    }

    func run() async throws {
        var results: [BenchResult] = []
        let runs = quick ? 20 : 200
        if groups.contains("scope") { results += try ScopeBenchmarks.run(runs: runs) }
        if groups.contains("plan") { results += try PlanBenchmark.run(quick: quick, log: { printError($0) }) }
        if groups.contains("check") { results += try CheckBenchmark.run(quick: quick, log: { printError($0) }) }
        if groups.contains("ui") { results += try UIBenchmarks.run(quick: quick) }
        if groups.contains("startup") { results += try StartupBenchmark.run(quick: quick) }
        if groups.contains("live") { results += try await LiveBenchmarks.run(quick: quick, log: { printError($0) }) }
        if groups.contains("scale") { results += try ScaleBenchmarks.run(quick: quick, log: { printError($0) }) }
        if groups.contains("scale") { results += try LiveScaleBenchmarks.run(quick: quick, log: { printError($0) }) }
        switch output {
        case .json:
            print(OrderedJSON.array(results.map(\.orderedJSON)).formatted(indent: "  "))
        case .table:
            print(Self.table(results))
            #if DEBUG
                printError("note: this is a debug build; run `swift run -c release meshtrim bench` for real figures")
            #endif
        }
        if results.contains(where: { !$0.passed }) && !quick { throw ExitCode(1) }
    }

    /// The results for people, within 80 columns: the status and the budget's name, then the figures, then the peer.
    static func table(_ results: [BenchResult]) -> String {
        var lines: [String] = []
        let margin = String(repeating: " ", count: 6)
        for result in results {
            for (index, line) in wrap(result.name, width: 74).enumerated() {
                lines.append((index == 0 ? result.status.padding(toLength: 6, withPad: " ", startingAt: 0) : margin) + line)
            }
            var figures = [format(result.value, result.unit)]
            if let peerValue = result.peerValue { figures.append("peer \(format(peerValue, result.unit))") }
            if let ratio = result.ratio { figures.append("ratio \(String(format: "%.2f", ratio))") }
            figures.append("budget \(result.budget)")
            lines.append(margin + figures.joined(separator: "   "))
            if let peer = result.peer {
                for (index, line) in wrap(peer, width: 68).enumerated() { lines.append(margin + (index == 0 ? "peer: " : "      ") + line) }
            }
        }
        let failed = results.filter { !$0.passed }.count
        lines.append("\(results.count) budgets, \(results.count - failed) PASS, \(failed) FAIL")
        return lines.joined(separator: "\n")
    }

    /// `text` broken at spaces into lines of at most `width` columns (a longer word stays whole).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        lines.append(line)
        return lines
    }

    /// A figure with its unit: two decimals below 100, none above.
    static func format(_ value: Double, _ unit: String) -> String {
        value >= 100 ? String(format: "%.0f %@", value, unit) : String(format: "%.2f %@", value, unit)
    }
}
