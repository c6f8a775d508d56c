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
            PASS/FAIL. Run `swift run -c release meshtrim bench`; debug builds are several times slower. \
            --quick runs a reduced set for CI (it checks that the benchmarks run, not their figures).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Flag(help: "A reduced set with fewer repetitions (under 2 minutes).")
    var quick = false

    @Option(name: .shortAndLong, help: "Output format: table or json.")
    var output: Format = .table

    @Option(help: "Run only these groups (comma-separated): scope, ui, startup.")
    var only: String?

    func run() async throws {
        var results: [BenchResult] = []
        let runs = quick ? 20 : 200
        let groups = Set((only ?? "scope,ui,startup").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if groups.contains("scope") { results += try ScopeBenchmarks.run(runs: runs) }
        if groups.contains("ui") { results += try UIBenchmarks.run(quick: quick) }
        if groups.contains("startup") { results += try StartupBenchmark.run(quick: quick) }
        switch output {
        case .json:
            print(OrderedJSON.array(results.map(\.orderedJSON)).formatted(indent: "  "))
        case .table:
            let table = TextTable(
                headers: ["BUDGET", "VALUE", "PEER", "PEER VALUE", "RATIO", "TARGET", "STATUS"],
                rows: results.map { result in
                    [result.name, Self.format(result.value, result.unit), result.peer ?? "-",
                     result.peerValue.map { Self.format($0, result.unit) } ?? "-",
                     result.ratio.map { String(format: "%.2f", $0) } ?? "-", result.budget, result.status]
                },
                rightAligned: [1, 3, 4])
            print(table.rendered)
            #if DEBUG
                printError("note: this is a debug build; run `swift run -c release meshtrim bench` for real figures")
            #endif
        }
        if results.contains(where: { !$0.passed }) && !quick { throw ExitCode(1) }
    }

    static func format(_ value: Double, _ unit: String) -> String {
        value >= 100 ? String(format: "%.0f %@", value, unit) : String(format: "%.2f %@", value, unit)
    }
}
