import Foundation
import MeshtrimCore
import MeshtrimKube
import Testing

/// The live-cluster budget, measured against one lab of 5,000 pods and 2,000 services (opt-in: it starts dozens
/// of Envoys with thousands of clusters each). Run with `MESHTRIM_LIVE_BENCH=1 swift test --filter LiveBenchmark`.
///
/// - the inventory loads no slower than `kubectl get pods -A -o json` on the same lab;
/// - observations of 1,000 sidecars take under 10 s;
/// - one sidecar's cluster names take less time and fewer bytes than a full config_dump plus its parse.
///
/// Figures are printed; ratios are checked in the same run, so the machine's speed cancels out. Build in release
/// for figures that mean something: `swift build -c release --build-tests -Xswiftc -enable-testing`, then
/// `MESHTRIM_LIVE_BENCH=1 swift test -c release --skip-build --filter LiveBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MESHTRIM_LIVE_BENCH"] == "1"), .timeLimit(.minutes(15)))
struct LiveBenchmarkTests {
    static func seconds(_ duration: Duration) -> Double { LiveSession.seconds(duration) }

    static func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let started = ContinuousClock.now
        let value = try await body()
        return (value, seconds(ContinuousClock.now - started))
    }

    @Test func budgetOnALargeLab() async throws {
        try requireTool("kubectl")
        try await withLab(
            ["--namespaces", "24", "--services", "2000", "--pods", "5000", "--seed", "11", "--max-envoys", "40"], envoy: true,
            startTimeout: .seconds(600)
        ) { lab in
            print("bench: lab up: \(lab.log.split(separator: "\n").filter { $0.contains("serving") }.joined())")
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)

            // Inventory against kubectl (best of three each, alternating, fresh kubectl cache every time).
            var kubectlTimes: [Double] = []
            var inventoryTimes: [Double] = []
            var live: LiveInventory?
            for _ in 0..<3 {
                let (result, kubectlSeconds) = try await Self.time { try lab.kubectl(["get", "pods", "-A", "-o", "json"]) }
                #expect(result.exitCode == 0)
                kubectlTimes.append(kubectlSeconds)
                let (inventory, inventorySeconds) = try await Self.time { try await session.loadInventory() }
                inventoryTimes.append(inventorySeconds)
                live = inventory
            }
            let inventory = try #require(live)
            let pods = inventory.inventory.pods.count
            #expect(pods >= 5000)
            let kubectlBest = kubectlTimes.min() ?? 0
            let inventoryBest = inventoryTimes.min() ?? 0
            print(
                "bench: inventory (\(pods) pods, \(inventory.inventory.services.count) services, \(inventory.pages) pages, "
                    + "\(inventory.bytes / 1_000_000) MB): meshtrim \(String(format: "%.2f", inventoryBest)) s, "
                    + "kubectl get pods -A -o json \(String(format: "%.2f", kubectlBest)) s, ratio \(String(format: "%.2f", inventoryBest / kubectlBest))")
            #expect(inventoryBest <= kubectlBest, "the inventory took \(inventoryBest) s, kubectl \(kubectlBest) s")

            // Observations of 1,000 sidecars.
            let keys = inventory.inventory.pods.filter(\.hasSidecar).prefix(1000).map { PodKey(namespace: $0.namespace, name: $0.name) }
            #expect(keys.count == 1000)
            let observer = session.makeObserver(concurrency: 32)
            let startBytes = session.client.bytesReceived
            let ((observations, failures), observeSeconds) = await Self.time { await observer.observeAll(keys) }
            print(
                "bench: observations of \(keys.count) sidecars: \(String(format: "%.2f", observeSeconds)) s, \(observations.count) observed, "
                    + "\(failures.count) failed, \((session.client.bytesReceived - startBytes) / 1000) kB received")
            for (key, error) in failures.sorted(by: { $0.key < $1.key }) { print("bench: not observed: \(key): \(error.message)") }
            for line in lab.log.split(separator: "\n") where line.contains("exited") || line.contains("restart") || line.contains("error") {
                print("bench: lab: \(line)")
            }
            #expect(failures.isEmpty)
            #expect(observeSeconds < 10)

            // One sidecar's cluster names: the masked dumps against the full dump plus its parse.
            let largest = try #require(observations.max { ($0.activeClusters ?? 0) < ($1.activeClusters ?? 0) })
            let reader = SidecarReader(client: session.client)
            var maskedTimes: [Double] = []
            var fullTimes: [Double] = []
            var maskedBytes = 0
            var fullBytes = 0
            var names: [String] = []
            for _ in 0..<3 {
                let before = session.client.bytesReceived
                let (list, maskedSeconds) = try await Self.time { try await reader.clusterNames(namespace: largest.namespace, pod: largest.pod) }
                maskedBytes = session.client.bytesReceived - before
                maskedTimes.append(maskedSeconds)
                names = list
                let beforeFull = session.client.bytesReceived
                let (fullNames, fullSeconds) = try await Self.time {
                    let answer = try await session.client.portForwardGET(namespace: largest.namespace, pod: largest.pod, port: 15000, path: "/config_dump")
                    return try EnvoyConfigDump(data: answer.body).clusterNames
                }
                fullBytes = session.client.bytesReceived - beforeFull
                fullTimes.append(fullSeconds)
                #expect(Set(fullNames) == Set(list))
            }
            let maskedBest = maskedTimes.min() ?? 0
            let fullBest = fullTimes.min() ?? 0
            print(
                "bench: cluster names of \(largest.namespace)/\(largest.pod) (\(names.count) clusters): masked \(String(format: "%.3f", maskedBest)) s / "
                    + "\(maskedBytes / 1000) kB, full config_dump + parse \(String(format: "%.3f", fullBest)) s / \(fullBytes / 1000) kB")
            #expect(names.count == largest.activeClusters)
            #expect(maskedBest < fullBest)
            #expect(maskedBytes < fullBytes)
            await session.shutdown()
        }
    }
}
