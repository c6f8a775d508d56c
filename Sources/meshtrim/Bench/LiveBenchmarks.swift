import Foundation
import MeshtrimCore
import MeshtrimKube

/// The live-cluster budgets, measured against a `meshtrim lab` child process with real Envoys, each against kubectl
/// (or the naive way) on the same lab in the same run.
///
/// - inventory (connect + list) against `kubectl get pods -A -o json` with a fresh cache: ratio ≤ 1;
/// - observations of 1,000 sidecars (< 10 s) against kubectl reading the same stats one pod at a time;
/// - one sidecar's cluster names against a full `config_dump` plus its parse: less time, fewer bytes;
/// - peak resident memory of `meshtrim report -A` loading the whole lab (< 200 MB) against kubectl listing the pods;
/// - the lab's proof: a real Envoy's allocated memory before and after the common-fix Sidecar (``SidecarProofBenchmark``).
enum LiveBenchmarks {
    /// Runs every live budget; `quick` uses a 500-pod lab and 100 observations.
    static func run(quick: Bool, log: (String) -> Void) async throws -> [BenchResult] {
        let envoy = try LabFixture.locateEnvoy()
        try LabFixture.requireKubectl()
        let size: LabFixture.Size = quick ? .quick : .full
        let timeout: Duration = quick ? .seconds(240) : .seconds(1_800)
        let lab: LabFixture
        do {
            lab = try LabFixture(size: size, envoy: envoy, timeout: timeout, log: log)
        } catch let error as BenchError where error.description.contains("exited with status") {
            // An Envoy that loses a free port to another process while starting stops the lab; one retry.
            log("bench: \(error.description.split(separator: "\n").last ?? "")")
            log("bench: the lab did not start (an Envoy exited while starting); trying once more")
            lab = try LabFixture(size: size, envoy: envoy, timeout: timeout, log: log)
        }
        defer { lab.stop() }
        let repetitions = quick ? 2 : 3

        // Inventory: best of `repetitions`, alternating with kubectl; both start cold (new connection, fresh cache).
        log("bench: inventory against kubectl…")
        var kubectlRuns: [MeasuredProcess.Result] = []
        var inventoryTimes: [Double] = []
        var session: LiveSession?
        var live: LiveInventory?
        for _ in 0..<repetitions {
            let listed = try lab.kubectl(["get", "pods", "-A", "-o", "json"])
            guard listed.exitCode == 0 else { throw BenchError("kubectl get pods -A -o json failed: \(listed.stderr)") }
            kubectlRuns.append(listed)
            await session?.shutdown()
            let (opened, milliseconds) = try await Stopwatch.measure { () async throws -> (LiveSession, LiveInventory) in
                let opened = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
                return (opened, try await opened.loadInventory())
            }
            (session, live) = (opened.0, opened.1)
            inventoryTimes.append(milliseconds)
        }
        guard let session, let live else { throw BenchError("no inventory was loaded") }
        do {
            let results = try await measure(live: live, kubectlRuns: kubectlRuns, inventoryTimes: inventoryTimes, session: session, lab: lab, quick: quick, log: log)
            await session.shutdown()
            return results
        } catch {
            await session.shutdown()
            throw error
        }
    }

    /// The budgets after the inventory's, on one open session.
    private static func measure(
        live: LiveInventory, kubectlRuns: [MeasuredProcess.Result], inventoryTimes: [Double], session: LiveSession, lab: LabFixture,
        quick: Bool, log: (String) -> Void
    ) async throws -> [BenchResult] {
        let repetitions = quick ? 2 : 3
        let inventory = live.inventory
        let kubectlBest = kubectlRuns.map(\.milliseconds).min() ?? 0
        let inventoryBest = inventoryTimes.min() ?? 0
        var results = [
            BenchResult(
                name: "live-inventory (\(inventory.pods.count) pods, \(inventory.services.count) services, connect + list)",
                value: inventoryBest / 1_000, unit: "s", peer: "kubectl get pods -A -o json (fresh cache)",
                peerValue: kubectlBest / 1_000, budget: "ratio ≤ 1", passed: inventoryBest <= kubectlBest)
        ]

        results.append(try await observations(of: quick ? 100 : 1_000, inventory: inventory, session: session, lab: lab, log: log))
        results += try await clusterNames(inventory: inventory, session: session, repetitions: repetitions, log: log)
        results.append(try peakMemory(lab: lab, pods: inventory.pods.count, kubectlRuns: kubectlRuns, log: log))
        results += try await SidecarProofBenchmark.run(lab: lab, session: session, inventory: inventory, log: log)
        return results
    }

    /// Observations of `count` sidecars spread over the mesh, as `meshtrim snapshot` reads them (16 at a time).
    /// The peer is kubectl reading the same filtered stats one pod at a time: a sample, extrapolated to `count`.
    static func observations(
        of count: Int, inventory: MeshInventory, session: LiveSession, lab: LabFixture, log: (String) -> Void
    ) async throws -> BenchResult {
        let sidecars = inventory.pods.filter { $0.hasSidecar && $0.phase == "Running" }
        guard sidecars.count >= count else { throw BenchError("the lab has \(sidecars.count) running sidecars, \(count) needed") }
        let step = sidecars.count / count
        let keys = (0..<count).map { PodKey(namespace: sidecars[$0 * step].namespace, name: sidecars[$0 * step].name) }
        log("bench: observations of \(count) sidecars…")
        let observer = session.makeObserver(ttl: .seconds(3_600))
        let ((observed, failures), milliseconds) = await Stopwatch.measure { await observer.observeAll(keys) }
        for (key, error) in failures.sorted(by: { $0.key < $1.key }).prefix(5) { log("bench: not observed: \(key): \(error.message)") }

        let sample = Array(keys.prefix(count >= 1_000 ? 10 : 5))
        let query = SidecarReader.statsFilter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var sampleMilliseconds = 0.0
        for key in sample {
            let path = "/api/v1/namespaces/\(key.namespace)/pods/\(key.name):15090/proxy/stats/prometheus?filter=\(query)"
            let read = try lab.kubectl(["get", "--raw", path])
            guard read.exitCode == 0 else { throw BenchError("kubectl get --raw \(path) failed: \(read.stderr)") }
            sampleMilliseconds += read.milliseconds
        }
        let peer = sampleMilliseconds / Double(sample.count) * Double(count)
        let budget = Double(count) / 100  // 10 s for 1,000 sidecars
        let failed = failures.isEmpty ? "" : ", \(failures.count) failed"
        return BenchResult(
            name: "observations (\(observed.count) of \(count) sidecars\(failed))", value: milliseconds / 1_000, unit: "s",
            peer: "kubectl get --raw …/stats/prometheus one pod at a time (\(sample.count) timed, ×\(count / sample.count))",
            peerValue: peer / 1_000, budget: "< \(String(format: "%g", budget)) s",
            passed: failures.isEmpty && milliseconds / 1_000 < budget)
    }

    /// One sidecar's cluster names (the biggest Envoy): masked config dumps against the full dump plus its parse,
    /// best of `repetitions` each; two rows, time and bytes.
    static func clusterNames(
        inventory: MeshInventory, session: LiveSession, repetitions: Int, log: (String) -> Void
    ) async throws -> [BenchResult] {
        let reader = SidecarReader(client: session.client)
        var biggest: (key: PodKey, clusters: Int)?
        var seenNamespaces: Set<String> = []
        for pod in inventory.pods where pod.hasSidecar && pod.phase == "Running" && seenNamespaces.insert(pod.namespace).inserted {
            let clusters = try await reader.stats(namespace: pod.namespace, pod: pod.name).activeClusters ?? 0
            if clusters > biggest?.clusters ?? -1 { biggest = (PodKey(namespace: pod.namespace, name: pod.name), clusters) }
        }
        guard let target = biggest?.key else { throw BenchError("the lab has no running sidecar") }
        log("bench: cluster names of \(target) against its full config_dump…")
        var masked: [Double] = []
        var full: [Double] = []
        var maskedBytes = 0
        var fullBytes = 0
        var same = true
        var count = 0
        for _ in 0..<repetitions {
            let before = session.client.bytesReceived
            let (names, maskedMilliseconds) = try await Stopwatch.measure {
                try await reader.clusterNames(namespace: target.namespace, pod: target.name)
            }
            maskedBytes = session.client.bytesReceived - before
            masked.append(maskedMilliseconds)
            let beforeFull = session.client.bytesReceived
            let (fullNames, fullMilliseconds) = try await Stopwatch.measure { () async throws -> [String] in
                let answer = try await session.client.portForwardGET(
                    namespace: target.namespace, pod: target.name, port: 15000, path: "/config_dump")
                guard answer.status == 200 else { throw BenchError("config_dump of \(target) answered \(answer.status)") }
                return try EnvoyConfigDump(data: answer.body).clusterNames
            }
            fullBytes = session.client.bytesReceived - beforeFull
            full.append(fullMilliseconds)
            same = same && Set(names) == Set(fullNames)
            count = names.count
        }
        let label = "\(target.namespace), \(count) clusters\(same ? "" : ", NAMES DIFFER")"
        let maskedBest = masked.min() ?? 0
        let fullBest = full.min() ?? 0
        return [
            BenchResult(
                name: "cluster-names time (\(label))", value: maskedBest, unit: "ms", peer: "full config_dump + parse",
                peerValue: fullBest, budget: "< peer", passed: same && maskedBest < fullBest),
            BenchResult(
                name: "cluster-names bytes (\(label))", value: Double(maskedBytes) / 1_000, unit: "kB", peer: "full config_dump",
                peerValue: Double(fullBytes) / 1_000, budget: "< peer", passed: same && maskedBytes < fullBytes),
        ]
    }

    /// Peak resident memory of a `meshtrim report -A -o json` child that loads the whole lab (inventory, every
    /// sidecar's stats, the analysis), against kubectl's peak for `get pods -A -o json` on the same lab.
    static func peakMemory(lab: LabFixture, pods: Int, kubectlRuns: [MeasuredProcess.Result], log: (String) -> Void) throws -> BenchResult {
        log("bench: peak memory of meshtrim report -A on the lab…")
        let report = try MeasuredProcess.run(
            [MeasuredProcess.meshtrimBinary, "report", "-A", "-o", "json", "--kubeconfig", lab.kubeconfig], timeout: .seconds(600))
        guard report.exitCode == 0 else { throw BenchError("meshtrim report -A against the lab failed: \(report.stderr)") }
        let megabytes = Double(report.peakResidentBytes) / 1_000_000
        let kubectl = Double(kubectlRuns.map(\.peakResidentBytes).max() ?? 0) / 1_000_000
        return BenchResult(
            name: "peak-rss meshtrim report -A (\(pods) pods, \(String(format: "%.1f", report.milliseconds / 1_000)) s)",
            value: megabytes, unit: "MB", peer: "kubectl get pods -A -o json", peerValue: kubectl, budget: "< 200 MB",
            passed: megabytes < 200)
    }
}
