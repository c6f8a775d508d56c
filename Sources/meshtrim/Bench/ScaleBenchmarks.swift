import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimUI

/// Budgets at fleet scale (issue #17): the generated 50,000-pod, 10,000-service mesh read offline, each against its
/// peer in the same run.
///
/// - first frame: the real binary, `meshtrim --snapshot FILE` in a pseudo-terminal, from spawn until the namespaces
///   table is on screen, and its peak resident memory until then; the peer is `python3 -c 'json.load(…)'` of the
///   same file (reading the data and nothing else), its time and its peak memory.
/// - `report --snapshot FILE -A -o json`: a child process, time and peak memory, against the same peer.
/// - interaction: `reduce` + `render` per key on the pods screen of the namespace with most sidecars, per egress
///   editor toggle there, and per toggle in the mesh-wide default's editor (`E`), each after the snapshot is loaded
///   as the UI loads it.
///
/// `--quick` generates a tenth of the mesh (5,000 pods) and runs each child once: CI checks the rows' shape.
enum ScaleBenchmarks {
    /// `generate-demo --namespaces 200 --services 10000 --pods 50000 --seed 7`.
    static let full = MeshGenerator.Parameters(namespaces: 200, services: 10_000, pods: 50_000, seed: 7)
    /// A tenth of it, for `--quick`.
    static let quick = MeshGenerator.Parameters(namespaces: 20, services: 1_000, pods: 5_000, seed: 7)
    /// The memory budget of the offline rows, in MB (10^6 bytes).
    static let memoryBudgetMB = 200.0

    static func run(quick: Bool, log: (String) -> Void) throws -> [BenchResult] {
        guard MeasuredProcess.isOnPath("python3") else {
            throw BenchError("the scale group compares with python3's json.load: python3 is not on PATH")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw BenchError("the scale group's first frame needs `script` (util-linux): apt-get install bsdutils")
        }
        let parameters = quick ? Self.quick : full
        let pods = CountFormat.thousands(parameters.pods)
        log("scale: generating the \(pods)-pod mesh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-scale-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("mesh.json").path
        let encoded = try MeshGenerator.generateSnapshot(parameters).encoded()
        try encoded.write(to: URL(fileURLWithPath: file))
        let size = ByteFormat.binary(encoded.count)

        // Alternate the three children so that a busy moment of the machine falls on all of them alike; best of N.
        let runs = quick ? 1 : 3
        let binary = MeasuredProcess.meshtrimBinary
        var python: [MeasuredProcess.Result] = []
        var report: [MeasuredProcess.Result] = []
        var frames: [FirstFrame] = []
        for run in 1...runs {
            log("scale: run \(run) of \(runs): python3 json.load, meshtrim report, meshtrim --snapshot")
            python.append(try MeasuredProcess.run(["python3", "-c", "import json, sys; json.load(open(sys.argv[1]))", file]))
            let reported = try MeasuredProcess.run([binary, "report", "--snapshot", file, "-A", "-o", "json"])
            guard reported.exitCode == 0 else { throw BenchError("meshtrim report failed: \(reported.stderr)") }
            report.append(reported)
            frames.append(try firstFrame(command: "\(TerminalHarness.shellQuoted(binary)) --snapshot \(TerminalHarness.shellQuoted(file)) --no-color"))
        }
        guard python.allSatisfy({ $0.exitCode == 0 }) else { throw BenchError("python3 could not json.load the snapshot") }
        let peerSeconds = python.map(\.milliseconds).min().map { $0 / 1_000 } ?? 0
        let peerMB = Double(python.map(\.peakResidentBytes).min() ?? 0) / 1e6
        let frameSeconds = frames.map(\.milliseconds).min().map { $0 / 1_000 } ?? 0
        let frameMB = Double(frames.map(\.peakResidentBytes).min() ?? 0) / 1e6
        let reportSeconds = report.map(\.milliseconds).min().map { $0 / 1_000 } ?? 0
        let reportMB = Double(report.map(\.peakResidentBytes).min() ?? 0) / 1e6
        let peer = "python3 json.load of the same file (\(size))"
        var results = [
            BenchResult(
                name: "scale first-frame (\(pods) pods, meshtrim --snapshot, real binary)", value: frameSeconds, unit: "s",
                peer: peer, peerValue: peerSeconds, budget: "≤ peer", passed: frameSeconds <= peerSeconds),
            BenchResult(
                name: "scale first-frame peak RSS (\(pods) pods)", value: frameMB, unit: "MB", peer: peer, peerValue: peerMB,
                budget: "< \(Int(memoryBudgetMB)) MB", passed: frameMB < memoryBudgetMB),
            BenchResult(
                name: "scale report -A -o json (\(pods) pods)", value: reportSeconds, unit: "s", peer: peer,
                peerValue: peerSeconds, budget: "≤ peer", passed: reportSeconds <= peerSeconds),
            BenchResult(
                name: "scale report peak RSS (\(pods) pods)", value: reportMB, unit: "MB", peer: peer, peerValue: peerMB,
                budget: "< \(Int(memoryBudgetMB)) MB", passed: reportMB < memoryBudgetMB),
        ]
        log("scale: interaction at \(pods) pods")
        results += try interaction(file: file, quick: quick)
        return results
    }

    // MARK: Interaction

    /// Key → frame on the pods screen of the namespace with most sidecars, and per editor toggle there.
    static func interaction(file: String, quick: Bool) throws -> [BenchResult] {
        let data = MeshData(analysis: MeshAnalysis(snapshot: try MeshSnapshot.load(from: file), source: file))
        guard let biggest = data.analysis.namespaces.max(by: { $0.sidecars < $1.sidecars }) else {
            throw BenchError("the generated mesh has no namespaces")
        }
        let pods = CountFormat.thousands(data.analysis.pods.count)
        var state = AppState(data: data, width: 120, height: 40)
        state.stack.append(.pods(PodsScreen(namespace: biggest.name)))
        let keys: [Key] = [.down, .down, .pageDown, .up, .pageUp, .end, .home, .character("j"), .character("k")]
        let runs = quick ? 30 : 300
        let list = Stopwatch.samples(runs: runs) { index in
            _ = reduce(&state, .key(keys[index % keys.count]))
            _ = render(state)
        }
        // The editor on that namespace, toggling the host under the cursor (on, off, on, …): each toggle recomputes
        // the namespace's impact.
        var editing = AppState(data: data, width: 120, height: 40)
        editing.stack += [.pods(PodsScreen(namespace: biggest.name)), .editor(makeEditor(target: EditorTarget(namespace: biggest.name), data: data))]
        let (toggles, moves) = toggleAndMoveSamples(&editing, runs: quick ? 20 : 100)
        // The mesh-wide default's editor (`E` on the namespaces screen), toggling the host under the cursor: each toggle
        // recomputes the default's impact over every sidecar Istio would give it (all of them in this mesh).
        var mesh = AppState(data: data, width: 120, height: 40)
        _ = reduce(&mesh, .key(.character("E")))
        guard case .editor(let opened) = mesh.top, let meshDefault = opened.meshDefault else {
            throw BenchError("E on the namespaces screen did not open the mesh-wide default's editor")
        }
        let meshSidecars = CountFormat.thousands(meshDefault.calculator.sidecarsAffected)
        let (meshToggles, meshMoves) = toggleAndMoveSamples(&mesh, runs: quick ? 20 : 100)
        let listP99 = Stopwatch.percentile(list, 0.99)
        let toggleP99 = Stopwatch.percentile(toggles, 0.99)
        let meshToggleP99 = Stopwatch.percentile(meshToggles, 0.99)
        return [
            BenchResult(
                name: "scale key-to-frame p99 (\(pods) pods, pods of \(biggest.name): \(CountFormat.thousands(biggest.pods)) rows)",
                value: listP99, unit: "ms", peer: "p50 of the same keys", peerValue: Stopwatch.percentile(list, 0.5),
                budget: "< 16 ms", passed: listP99 < 16),
            BenchResult(
                name: "scale editor toggle p99 (\(pods) pods, \(biggest.name): \(CountFormat.thousands(biggest.sidecars)) sidecars)",
                value: toggleP99, unit: "ms", peer: "a cursor move in the same editor (p99)",
                peerValue: Stopwatch.percentile(moves, 0.99), budget: "< 16 ms", passed: toggleP99 < 16),
            BenchResult(
                name: "scale mesh-default toggle p99 (\(pods) pods, ROOT/default over \(meshSidecars) sidecars)",
                value: meshToggleP99, unit: "ms", peer: "a cursor move in the same editor (p99)",
                peerValue: Stopwatch.percentile(meshMoves, 0.99), budget: "< 16 ms", passed: meshToggleP99 < 16),
        ]
    }

    /// `reduce` + `render` of an editor in `state`, one row down from where it opened: `runs` toggles of the host
    /// under the cursor (on, off, …), then `runs` cursor moves (down, up, …), the toggle rows' peer.
    static func toggleAndMoveSamples(_ state: inout AppState, runs: Int) -> (toggles: [Double], moves: [Double]) {
        _ = reduce(&state, .key(.down))
        let toggles = Stopwatch.samples(runs: runs) { _ in
            _ = reduce(&state, .key(.character(" ")))
            _ = render(state)
        }
        let moves = Stopwatch.samples(runs: runs) { index in
            _ = reduce(&state, .key(index % 2 == 0 ? .down : .up))
            _ = render(state)
        }
        return (toggles, moves)
    }

    // MARK: First frame

    /// A first frame: milliseconds from spawn until the namespaces table showed, and the peak resident memory of the
    /// program until then.
    struct FirstFrame {
        var milliseconds: Double
        var peakResidentBytes: Int
    }

    /// Runs `command` in a pseudo-terminal (`script`) until the namespaces table's SAVING column shows, sampling the
    /// `VmHWM` of `script`'s descendants (the program, not the harness) every 2 ms; then sends `q`.
    static func firstFrame(command: String) throws -> FirstFrame {
        let run = try TerminalHarness.run(command, until: "SAVING", timeout: .seconds(120), patience: .seconds(5), samplesPeak: true)
        return FirstFrame(milliseconds: run.wallMilliseconds, peakResidentBytes: run.peakResidentBytes)
    }
}
