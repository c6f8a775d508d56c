import Foundation
import MeshtrimCore

/// Live observation at fleet scale (issue #17 goal 3), against `meshtrim lab` children of the generated 50,000-pod
/// mesh (`--quick`: 500 pods, the live group's quick size, since CI only checks the rows' shape), each row with `kubectl get pods -A -o json` against the same lab as its peer:
///
/// - `--synthetic-envoy`, inventory (goal 2): the real binary's UI (`meshtrim --kubeconfig …` in a pseudo-terminal)
///   from spawn until the namespaces table with every pod's predicted clusters is on screen, and its peak resident
///   memory until then, against kubectl's time and peak memory: at most half the time, a tenth of the memory;
/// - `--synthetic-envoy`: `meshtrim report -A -o json` observes every running sidecar (synthetic stats through the
///   pod proxy, 16 at a time) in under 60 s;
/// - `--without-envoy --fault pod-network=unreachable`: the pod proxy and the port-forward both fail; the whole
///   `report -A` ends within the kubectl time plus 10 s, with the stop's reason among its notes.
enum LiveScaleBenchmarks {
    /// The mesh of `--quick`: two labs and four clients of a 5,000-pod mesh took minutes in a debug build.
    static let quick = MeshGenerator.Parameters(namespaces: 10, services: 200, pods: 500, seed: 7)

    static func run(quick: Bool, log: (String) -> Void) throws -> [BenchResult] {
        try LabFixture.requireKubectl()
        let parameters = quick ? Self.quick : ScaleBenchmarks.full
        let size = LabFixture.Size(
            namespaces: parameters.namespaces, services: parameters.services, pods: parameters.pods, seed: parameters.seed)
        let pods = CountFormat.thousands(parameters.pods)
        var results: [BenchResult] = []

        let synthetic = try LabFixture(size: size, envoy: nil, extraArguments: ["--synthetic-envoy"], timeout: .seconds(600), log: log)
        do {
            let listed = try kubectlList(synthetic)
            let peer = listed.milliseconds / 1_000
            let peerMB = Double(listed.peakResidentBytes) / 1e6
            log("scale: meshtrim's first frame against the synthetic lab…")
            let frame = try ScaleBenchmarks.firstFrame(
                command: "\(TerminalHarness.shellQuoted(MeasuredProcess.meshtrimBinary)) --kubeconfig \(TerminalHarness.shellQuoted(synthetic.kubeconfig)) --no-color")
            let frameSeconds = frame.milliseconds / 1_000
            let frameMB = Double(frame.peakResidentBytes) / 1e6
            results += [
                BenchResult(
                    name: "scale live first-frame (\(pods) pods, every pod's predicted clusters, real binary)",
                    value: frameSeconds, unit: "s", peer: "kubectl get pods -A -o json (same lab)", peerValue: peer,
                    budget: "≤ 0.5 × peer", passed: frameSeconds <= 0.5 * peer),
                BenchResult(
                    name: "scale live first-frame peak RSS (\(pods) pods)", value: frameMB, unit: "MB",
                    peer: "kubectl get pods -A -o json peak RSS", peerValue: peerMB, budget: "≤ 0.1 × peer",
                    passed: frameMB <= 0.1 * peerMB),
            ]
            log("scale: meshtrim report -A against the synthetic lab…")
            let report = try report(synthetic)
            /// The one field of a `report -o json` row this row reads: Envoy's own cluster count, when observed.
            struct Row: Decodable { var activeClusters: Int? }
            let rows = (try? JSONDecoder().decode([Row].self, from: report.stdout)) ?? []
            let observed = rows.count { $0.activeClusters != nil }
            // Pending pods (no IP) are not asked; every running one is, and report names any it could not read.
            let allObserved = !report.stderr.contains("not observed")
            let seconds = report.milliseconds / 1_000
            results.append(
                BenchResult(
                    name: "scale live observations (\(CountFormat.thousands(observed)) of \(CountFormat.thousands(rows.count)) sidecars, \(pods) pods, synthetic Envoy stats, report -A)",
                    value: seconds, unit: "s", peer: "kubectl get pods -A -o json (same lab)", peerValue: peer,
                    budget: "< 60 s, every running sidecar observed",
                    passed: report.exitCode == 0 && seconds < 60 && observed > 0 && allObserved))
        }
        synthetic.stop()

        let closed = try LabFixture(
            size: size, envoy: nil, extraArguments: ["--without-envoy", "--fault", "pod-network=unreachable"], timeout: .seconds(600),
            log: log)
        let peer = try kubectlList(closed).milliseconds / 1_000
        log("scale: meshtrim report -A with the pod network closed…")
        let report = try report(closed)
        closed.stop()
        let seconds = report.milliseconds / 1_000
        let saysWhy = report.stderr.contains("stopped asking")
        results.append(
            BenchResult(
                name: "scale live report, pod network closed (\(pods) pods, \(saysWhy ? "says why" : "NO REASON GIVEN"))",
                value: seconds, unit: "s", peer: "kubectl get pods -A -o json (same lab)", peerValue: peer,
                budget: "≤ peer + 10 s", passed: report.exitCode == 0 && saysWhy && seconds <= peer + 10))
        return results
    }

    /// `kubectl get pods -A -o json` (fresh cache): its time and peak memory.
    private static func kubectlList(_ lab: LabFixture) throws -> MeasuredProcess.Result {
        let listed = try lab.kubectl(["get", "pods", "-A", "-o", "json"])
        guard listed.exitCode == 0 else { throw BenchError("kubectl get pods -A -o json failed: \(listed.stderr)") }
        return listed
    }

    private static func report(_ lab: LabFixture) throws -> MeasuredProcess.Result {
        try MeasuredProcess.run(
            [MeasuredProcess.meshtrimBinary, "report", "-A", "-o", "json", "--kubeconfig", lab.kubeconfig], keepOutput: true,
            timeout: .seconds(900))
    }
}
