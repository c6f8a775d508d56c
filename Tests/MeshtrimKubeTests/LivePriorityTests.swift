import AsyncHTTPClient
import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import MeshtrimUI
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The UI's demand against the lab's real Envoys: the selected and visible pods are read first (order of
/// completion), superseded priorities go back to the background, cancellation stops the work, and the detail
/// screen's cluster names are the Envoy's own — equal to the prediction, and different once the lab changes under
/// an old prediction. The real binary in tmux shows "actual" on the detail screen.
@Suite(.timeLimit(.minutes(4)))
struct LivePriorityTests {
    /// An Envoy's cluster names read directly from its admin port (not through meshtrim).
    static func directNames(adminPort: Int) async throws -> [String] {
        var names: [String] = []
        for path in SidecarReader.clusterNamePaths {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(adminPort)\(path)"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 64 << 20)
            names += try EnvoyConfigDump(data: Data(buffer: body)).clusterNames
        }
        return names
    }

    static func keysAndEnvoys(_ lab: LabRun) async throws -> (keys: [PodKey], envoys: [EnvoyFleet.GroupStatus], inventory: MeshInventory) {
        let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
        let inventory = try await session.loadInventory().inventory
        let envoys = try await ObservationTests.status(session.client)
        await session.shutdown()
        return (ObservationTests.sidecarKeys(inventory), envoys, inventory)
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func theDemandIsReadFirstAndSupersededWorkGoesBack() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let keys = ObservationTests.sidecarKeys(try await session.loadInventory().inventory)
            #expect(keys.count >= 8)

            // One read at a time: the first background pod is already in flight; then the selected pod, then the
            // visible ones in screen order, then the rest.
            let events = EventLog()
            let observer = session.makeObserver(ttl: .seconds(60), concurrency: 1) { events.append($0) }
            await observer.request(keys, priority: .background)
            let selected = keys[keys.count - 1]
            let visible = [keys[keys.count - 2], keys[keys.count - 3]]
            await observer.prioritize(selected: [selected], visible: visible)
            _ = await observer.observeAll(keys)
            let order = events.observedPods
            #expect(order.count == keys.count)
            #expect(Array(order.prefix(4)) == [keys[0].name, selected.name] + visible.map(\.name), "\(order)")

            // A new demand demotes what the old one raised and is not in flight.
            await observer.invalidate()
            let demoted = EventLog()
            let second = session.makeObserver(ttl: .seconds(60), concurrency: 1) { demoted.append($0) }
            await second.request(keys, priority: .background)
            await second.prioritize(selected: [keys[5]], visible: [keys[6], keys[7]])
            #expect(await second.queuedPriority(of: keys[6]) == .visible)
            await second.prioritize(selected: [keys[3]], visible: [])
            #expect(await second.queuedPriority(of: keys[6]) == .background)
            #expect(await second.queuedPriority(of: keys[7]) == .background)
            #expect(await second.queuedPriority(of: keys[3]) == .selected)
            _ = await second.observeAll(keys)
            let secondOrder = demoted.observedPods
            #expect(secondOrder.count == keys.count)
            #expect(secondOrder.firstIndex(of: keys[3].name) == 1, "\(secondOrder)")
            // keys[5…7] went back to their background places: after keys[4], in key order.
            let positions = [4, 5, 6, 7].compactMap { secondOrder.firstIndex(of: keys[$0].name) }
            #expect(positions == positions.sorted(), "\(secondOrder)")

            // Cancellation: after cancelAll nothing more arrives, and the counts are idle.
            let cancelled = EventLog()
            let third = session.makeObserver(ttl: .seconds(60), concurrency: 1) { cancelled.append($0) }
            await third.request(keys, priority: .background)
            await third.cancelAll()
            let atCancel = cancelled.observedPods.count
            try await Task.sleep(for: .seconds(1))
            #expect(cancelled.observedPods.count == atCancel)
            #expect(atCancel <= 1)
            #expect(await third.progress.isIdle)
            await session.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func theControllerReadsTheDemandFirstAndNamesAreTheEnvoys() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let (keys, envoys, _) = try await Self.keysAndEnvoys(lab)
            let events = ControllerEvents()
            let controller = LiveController(kubeconfig: lab.kubeconfig, context: nil, interval: nil, concurrency: 1) { events.append($0) }
            let selected = keys[keys.count - 1]
            let visible = keys[keys.count - 2]
            await controller.prioritize(selected: selected, visible: [visible], namespaces: [])
            await controller.start()

            // Completion order: the selected pod, then the visible one, then the rest.
            let order = events.observed
            #expect(order.count == keys.count)
            #expect(Array(order.prefix(2)) == [selected, visible], "\(order.prefix(4))")
            let streamed = events.analyses.filter { $0.kind == "refreshed" }.map(\.analysis)
            // Progress lines while reading (when a pass takes longer than a publishing interval), then the summary.
            let progress = events.notices.compactMap { line -> Int? in
                guard line.hasPrefix("sidecars: "), let slash = line.firstIndex(of: "/") else { return nil }
                return Int(line[line.index(line.startIndex, offsetBy: 10)..<slash])
            }
            #expect(progress == progress.sorted() && progress.allSatisfy { $0 < keys.count }, "\(events.notices)")
            #expect(events.notices.last?.contains("\(keys.count) sidecars observed") == true, "\(events.notices)")
            let final = try #require(streamed.last)
            #expect(final.pods.filter { $0.observation != nil }.count == keys.count)

            // Names on demand: Envoy's own (read from its admin port directly), equal to the engine's prediction.
            let envoy = try #require(envoys.first { $0.namespace == selected.namespace && $0.pods.contains(selected.name) })
            let fetched = try await controller.clusterNames(for: selected).get()
            let direct = try await Self.directNames(adminPort: envoy.adminPort)
            #expect(fetched.names.sorted() == direct.sorted())
            #expect(abs(fetched.fetchedAt.timeIntervalSinceNow) < 60)
            let summary = try #require(final.pods.first { $0.pod.namespace == selected.namespace && $0.pod.name == selected.name })
            let predicted = final.scope(for: summary.pod).clusters.map(\.name)
            let same = ActualClusterNames(names: fetched.names, fetchedAt: "").difference(from: predicted)
            #expect(same.onlyInEnvoy.isEmpty && same.notInEnvoy.isEmpty, "\(same)")

            // Perturb the lab: the Sidecar that governs the pod (or a new namespace default) now imports only
            // istio-system, and the lab trims the Envoy as istiod would push. Against the old prediction the names
            // now differ; after a refresh the prediction matches again.
            let governing = final.scope(for: summary.pod).sidecar
            let selector = governing?.workloadSelector.map { selector in
                "  workloadSelector:\n    labels: {" + selector.matchLabels.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}\n"
            } ?? ""
            let sidecar = """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata:
                  name: \(governing?.meta.name ?? "default")
                  namespace: \(selected.namespace)
                spec:
                \(selector)  egress:
                  - hosts: ["istio-system/*"]
                """
            let manifest = "\(lab.directory)/sidecar.yaml"
            try sidecar.write(toFile: manifest, atomically: true, encoding: .utf8)
            let applied = try lab.kubectl(["apply", "--server-side", "--force-conflicts", "-f", manifest])
            #expect(applied.exitCode == 0, "\(applied.stderr)")
            var trimmed = direct
            for _ in 0..<100 where Set(trimmed) == Set(direct) {
                try await Task.sleep(for: .milliseconds(100))
                trimmed = try await Self.directNames(adminPort: envoy.adminPort)
            }
            #expect(trimmed.count < direct.count, "the Envoy was not trimmed by\n\(sidecar)\n\(lab.log.suffix(2000))")
            await controller.refresh()  // invalidates the cached names and reads the inventory (with the Sidecar)
            let after = try await controller.clusterNames(for: selected).get()
            #expect(after.names.sorted() == trimmed.sorted())
            let stale = ActualClusterNames(names: after.names, fetchedAt: "").difference(from: predicted)
            #expect(!stale.notInEnvoy.isEmpty, "the old prediction has clusters the trimmed Envoy lacks")
            let refreshed = try #require(events.analyses.last?.analysis)
            let pod = try #require(refreshed.inventory.pod(named: selected.name, in: selected.namespace))
            let now = ActualClusterNames(names: after.names, fetchedAt: "").difference(from: refreshed.scope(for: pod).clusters.map(\.name))
            #expect(now.onlyInEnvoy.isEmpty && now.notInEnvoy.isEmpty, "\(now)")
            await controller.stop()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aHungEnvoyFailsItsNamesAloneAndStopCancels() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let (keys, envoys, _) = try await Self.keysAndEnvoys(lab)
            var options = KubeClient.Options()
            options.requestTimeout = .seconds(2)
            let controller = LiveController(kubeconfig: lab.kubeconfig, context: nil, interval: nil, options: options) { _ in }
            await controller.start()
            // The Envoy of the first sidecar in inventory order: with one read at a time it is read first.
            let victim = try #require(envoys.first { $0.pid != nil && $0.namespace == keys[0].namespace && $0.pods.contains(keys[0].name) })
            let pid = try #require(victim.pid)
            let victimKey = try #require(keys.first { $0.namespace == victim.namespace && victim.pods.contains($0.name) })
            let otherKey = try #require(keys.first { !($0.namespace == victim.namespace && victim.pods.contains($0.name)) })
            kill(pid, SIGSTOP)
            let failed = await controller.clusterNames(for: victimKey)
            kill(pid, SIGCONT)
            guard case .failure(let error) = failed else {
                Issue.record("a stopped Envoy's names were fetched")
                return
            }
            #expect([.timeout, .portForward, .unreachable].contains(error.kind), "\(error)")
            #expect(!error.message.isEmpty)
            let other = try await controller.clusterNames(for: otherKey).get()
            #expect(!other.names.isEmpty)
            await controller.stop()

            // Stop in the middle of the first load: the load returns at once instead of reading every sidecar. The
            // hung read gets a long timeout, so a load that waited for it instead of cancelling would take 30 s: the
            // bound below tells the two apart without timing the machine.
            kill(pid, SIGSTOP)
            defer { kill(pid, SIGCONT) }
            var patient = options
            patient.requestTimeout = .seconds(30)
            let slowEvents = ControllerEvents()
            let slow = LiveController(kubeconfig: lab.kubeconfig, context: nil, interval: nil, options: patient, concurrency: 1) {
                slowEvents.append($0)
            }
            let loading = Task { await slow.start() }
            while slowEvents.analyses.isEmpty { try await Task.sleep(for: .milliseconds(50)) }  // the inventory is shown
            try await Task.sleep(for: .milliseconds(300))  // a hung sidecar is being read, the rest queued
            let stopped = ContinuousClock.now
            let stopping = Task { await slow.stop() }
            await loading.value
            let loadEnded = ContinuousClock.now - stopped
            await stopping.value
            let observedAtStop = slowEvents.observed.count
            try await Task.sleep(for: .seconds(2))
            #expect(loadEnded < .seconds(15), "stop waited for the hung read (timeout 30 s) instead of cancelling it (\(loadEnded))")
            #expect(slowEvents.observed.count == observedAtStop, "sidecars were read after stop")
            #expect(observedAtStop < keys.count)
        }
    }
}
