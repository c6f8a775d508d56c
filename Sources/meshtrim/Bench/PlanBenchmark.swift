import Foundation
import MeshtrimCore

/// The budget of `meshtrim plan` (issue #14): the plan of the generated 50,000-pod, 10,000-service mesh in seconds,
/// against JSON-decoding the same snapshot (what every command reading it pays first), both in the same run.
enum PlanBenchmark {
    /// `generate-demo --namespaces 200 --services 10000 --pods 50000`.
    static let full = MeshGenerator.Parameters(namespaces: 200, services: 10_000, pods: 50_000)
    /// A tenth of it, for `--quick` (CI checks the row's shape, not its figure).
    static let quick = MeshGenerator.Parameters(namespaces: 20, services: 1_000, pods: 5_000)
    /// The budget, in seconds.
    static let budgetSeconds = 10.0

    static func run(quick: Bool, log: (String) -> Void) throws -> [BenchResult] {
        let parameters = quick ? Self.quick : full
        log("plan: generating the \(CountFormat.thousands(parameters.pods))-pod mesh")
        let data = try MeshGenerator.generateSnapshot(parameters).encoded()
        var decoded: MeshSnapshot?
        let decode = try Stopwatch.milliseconds { decoded = try MeshSnapshot.decode(from: data, file: "generated snapshot") }
        guard let snapshot = decoded else { throw BenchError("the generated snapshot did not decode") }
        log("plan: decoded in \(Int(decode)) ms; planning")
        var plan: MeshPlan?
        // What `meshtrim plan --snapshot` does after reading the file: the analysis, then the plan.
        let planning = Stopwatch.milliseconds { plan = MeshPlanner(analysis: MeshAnalysis(snapshot: snapshot)).plan() }
        guard let plan else { throw BenchError("the plan was not made") }
        guard plan.keepsEveryObservedDestination else {
            throw BenchError("the plan of the generated mesh cuts \(plan.totals.cuts.count) observed destination(s)")
        }
        let seconds = planning / 1_000
        return [
            BenchResult(
                name: "plan (\(CountFormat.thousands(parameters.pods)) pods, \(CountFormat.thousands(parameters.services)) services: "
                    + "analysis and plan, \(plan.sidecars.count) Sidecars in \(plan.waves.count) waves)",
                value: seconds, unit: "s",
                peer: "JSON-decoding the same snapshot (\(ByteFormat.binary(data.count)))", peerValue: decode / 1_000,
                budget: "< \(Int(budgetSeconds)) s", passed: seconds < budgetSeconds)
        ]
    }
}
