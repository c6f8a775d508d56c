import Foundation
import MeshtrimCore

/// The budgets of `meshtrim check` (issue #15): the demo's plan checked well under a second, the plan of the generated
/// 50,000-pod mesh in seconds; each against analysing the same mesh (what every command reading it pays first), in
/// the same run. What is timed is what `meshtrim check` does once the mesh is analysed: reading the plan's files
/// (as text, from memory) and the check itself, with `--require-scope` and `--drift`.
enum CheckBenchmark {
    /// `generate-demo --namespaces 200 --services 10000 --pods 50000`, as the plan budget uses.
    static let full = MeshGenerator.Parameters(namespaces: 200, services: 10_000, pods: 50_000)
    /// A tenth of it, for `--quick` (CI checks the rows' shape, not their figures).
    static let quick = MeshGenerator.Parameters(namespaces: 20, services: 1_000, pods: 5_000)
    /// The demo budget, in milliseconds.
    static let demoBudgetMilliseconds = 500.0
    /// The generated mesh's budget, in seconds.
    static let generatedBudgetSeconds = 5.0

    static func run(quick: Bool, log: (String) -> Void) throws -> [BenchResult] {
        var results: [BenchResult] = []
        var analysis: MeshAnalysis?
        let demo = try DemoSnapshot.load()
        let demoAnalysis = Stopwatch.samples(runs: quick ? 2 : 5, warmUp: 0) { _ in analysis = MeshAnalysis(snapshot: demo, source: "demo") }
        guard let analysis else { throw BenchError("the demo did not analyse") }
        let (demoCheck, demoCount, demoErrors) = try measure(analysis, runs: quick ? 3 : 10)
        let demoMedian = Stopwatch.percentile(demoCheck, 0.5)
        results.append(
            BenchResult(
                name: "check demo plan (\(demoCount) Sidecars, \(demoErrors) errors)", value: demoMedian, unit: "ms",
                peer: "analysing the demo mesh", peerValue: Stopwatch.percentile(demoAnalysis, 0.5),
                budget: "< \(Int(demoBudgetMilliseconds)) ms", passed: demoMedian < demoBudgetMilliseconds && demoErrors == 0))

        let parameters = quick ? Self.quick : full
        log("check: generating the \(CountFormat.thousands(parameters.pods))-pod mesh")
        let snapshot = MeshGenerator.generateSnapshot(parameters)
        var generated: MeshAnalysis?
        let analysing = Stopwatch.milliseconds { generated = MeshAnalysis(snapshot: snapshot, source: "generated") }
        guard let generated else { throw BenchError("the generated mesh did not analyse") }
        log("check: analysed in \(Int(analysing)) ms; planning and checking")
        let (check, count, errors) = try measure(generated, runs: 1)
        let seconds = Stopwatch.percentile(check, 0.5) / 1_000
        results.append(
            BenchResult(
                name: "check (\(CountFormat.thousands(parameters.pods)) pods, \(CountFormat.thousands(parameters.services)) "
                    + "services: the plan's \(count) Sidecars, \(errors) errors)",
                value: seconds, unit: "s", peer: "analysing the same mesh", peerValue: analysing / 1_000,
                budget: "< \(Int(generatedBudgetSeconds)) s", passed: seconds < generatedBudgetSeconds && errors == 0))
        return results
    }

    /// Samples of reading and checking the plan of `analysis` (made once, not timed), its Sidecar count and how
    /// many errors the check found (a plan that keeps every observed destination has none).
    private static func measure(_ analysis: MeshAnalysis, runs: Int) throws -> (samples: [Double], sidecars: Int, errors: Int) {
        let plan = MeshPlanner(analysis: analysis).plan()
        let files = plan.sidecarsInWaveOrder.map { (MeshPlan.relativePath(of: $0), $0.manifest.yaml) }
        var report: CheckReport?
        var failure: Error?
        let samples = Stopwatch.samples(runs: runs, warmUp: 0) { _ in
            do {
                let sidecars = try files.flatMap { file, text in
                    try SidecarDocumentReader.read(text).sidecars.map { CheckedSidecar(file: file, document: $0) }
                }
                report = SidecarCheck(analysis: analysis).run(sidecars, options: .init(requireScope: true, drift: true))
            } catch {
                failure = error
            }
        }
        if let failure { throw BenchError("the plan's files did not read back: \(failure)") }
        guard let report else { throw BenchError("the check did not run") }
        return (samples, report.sidecars.count, report.count(.error))
    }
}
