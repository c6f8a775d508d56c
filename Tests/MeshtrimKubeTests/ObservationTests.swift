import AsyncHTTPClient
import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Sidecar observations against the lab's real Envoys: stats through the pod proxy equal the Envoys' own figures,
/// cluster names through the port-forward equal the prediction, priorities, the TTL cache, permissions, a hung or
/// killed Envoy, and the report and snapshot commands.
@Suite(.timeLimit(.minutes(3)))
struct ObservationTests {
    static let mesh = ["--namespaces", "4", "--services", "20", "--pods", "12", "--seed", "5"]

    struct LabStatus: Decodable {
        var envoys: [EnvoyFleet.GroupStatus]
    }

    static func status(_ client: KubeClient) async throws -> [EnvoyFleet.GroupStatus] {
        try await client.get(LabStatus.self, "/lab/status").envoys
    }

    /// An Envoy's figures read directly from its Prometheus listener (not through meshtrim).
    static func direct(_ port: Int) async throws -> EnvoyStats {
        let request = HTTPClientRequest(
            url: "http://127.0.0.1:\(port)/stats/prometheus?filter=%5Eserver%5C.memory_allocated%24%7Ccluster_manager%5C.active_clusters")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return EnvoyStats(prometheusText: String(buffer: body))
    }

    static func sidecarKeys(_ inventory: MeshInventory) -> [PodKey] {
        inventory.pods.filter(\.hasSidecar).map { PodKey(namespace: $0.namespace, name: $0.name) }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func statsAndClusterNamesAreTheEnvoysOwn() async throws {
        try await withLab(Self.mesh, envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            #expect(session.permissions == .everything)
            let live = try await session.loadInventory()
            let analysis = MeshAnalysis(inventory: live.inventory, observations: [], source: "live", istioVersion: nil)
            let envoys = try await Self.status(session.client)
            let keys = Self.sidecarKeys(live.inventory)
            #expect(keys.count >= 8)
            let events = EventLog()
            let observer = session.makeObserver(concurrency: 4) { events.append($0) }
            let (observations, failures) = await observer.observeAll(keys)
            #expect(failures.isEmpty, "\(failures)")
            #expect(observations.count == keys.count)
            for observation in observations {
                let envoy = try #require(envoys.first { $0.namespace == observation.namespace && $0.pods.contains(observation.pod) })
                let direct = try await Self.direct(envoy.prometheusPort)
                #expect(observation.activeClusters == direct.activeClusters, "\(observation.pod)")
                #expect(observation.activeClusters == envoy.predictedActiveClusters, "\(observation.pod)")
                let predicted = analysis.pods(in: observation.namespace).first { $0.pod.name == observation.pod }?.predictedClusters
                #expect(observation.activeClusters == predicted, "\(observation.pod)")
                #expect((observation.envoyAllocatedBytes ?? 0) > 1_000_000)
                #expect(observation.source == "pod proxy :15090")
                // Envoy's server.uptime dates the traffic counters: the proxy started before it was read.
                let started = try #require(observation.proxyStartedAt, "\(observation.pod): no server.uptime")
                #expect(started <= (observation.capturedAt ?? Date()))
            }
            #expect(observations.contains { !$0.destinations.isEmpty }, "no Istio request metrics")
            #expect(events.progress.last?.isIdle == true)
            // Cluster names by port-forward: exactly the scope engine's clusters.
            for key in keys.prefix(3) {
                let names = try await observer.clusterNames(for: key)
                let pod = try #require(live.inventory.pod(named: key.name, in: key.namespace))
                let predicted = analysis.scope(for: pod).clusters.map(\.name)
                #expect(Set(names) == Set(predicted), "\(key): \(Set(names).symmetricDifference(Set(predicted)).sorted().prefix(5))")
                #expect(names.count == observations.first { $0.pod == key.name }?.activeClusters)
            }
            #expect(events.clusterNames.count == 3)
            await session.shutdown()
        }
    }

    /// The bundled demo's memory figures come from ``MemoryModel/measured``; the lab's real Envoys (Istio's stats
    /// matcher, file CDS) must report about the same for the same cluster counts, or the demo is not realistic.
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func realEnvoyMemoryMatchesTheModelBehindTheDemo() async throws {
        try await withLab(Self.mesh, envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let capture = try await session.capture()
            await session.shutdown()
            let model = MemoryModel.measured
            var errors: [Double] = []
            for observation in capture.snapshot.observations {
                let clusters = try #require(observation.activeClusters)
                let real = Double(try #require(observation.envoyAllocatedBytes))
                let modelled = Double(model.estimatedBytes(clusters: clusters))
                errors.append(abs(real - modelled) / real)
            }
            let worst = errors.max() ?? 1
            print("calibration: \(errors.count) Envoys, model vs real allocated bytes: worst \(Int(worst * 100)) %, mean \(Int(errors.reduce(0, +) / Double(max(errors.count, 1)) * 100)) %")
            #expect(errors.count >= 8)
            #expect(worst < 0.25)
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func priorityCacheCancellationAndPermissions() async throws {
        try await withLab(Self.mesh, envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let keys = Self.sidecarKeys(try await session.loadInventory().inventory)
            // Priorities: with one request at a time, the selected pod goes before the queued background ones.
            let events = EventLog()
            let observer = session.makeObserver(ttl: .seconds(60), concurrency: 1) { events.append($0) }
            await observer.request(Array(keys.dropLast()), priority: .background)
            await observer.request([keys[keys.count - 1]], priority: .selected)
            _ = await observer.observeAll(keys)
            let order = events.observedPods
            #expect(order.count == keys.count)
            #expect(order.prefix(2).contains(keys[keys.count - 1].name), "\(order)")
            // The TTL cache: nothing is read again while fresh; invalidate reads again.
            let before = session.client.requestCount
            _ = await observer.observeAll(keys)
            #expect(session.client.requestCount == before)
            await observer.invalidate()
            _ = await observer.observeAll(Array(keys.prefix(2)))
            #expect(session.client.requestCount == before + 2)
            // Cancellation: queued work is dropped.
            await observer.invalidate()
            await observer.request(keys, priority: .background)
            await observer.cancelAll()
            #expect(await observer.progress.isIdle)
            await session.shutdown()

            // The read-only user: stats yes, cluster names predicted, with the reason.
            let viewer = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: "meshtrim-lab-viewer")
            #expect(viewer.permissions.portForward == .denied)
            #expect(viewer.permissions.lines.contains { $0.hasPrefix("cluster names: predicted — pods/portforward not permitted (") })
            let viewerObserver = viewer.makeObserver()
            let (observations, failures) = await viewerObserver.observeAll(Array(keys.prefix(3)))
            #expect(failures.isEmpty && observations.count == 3)
            let denied = await #expect(throws: KubeError.self) { _ = try await viewerObserver.clusterNames(for: keys[0]) }
            #expect(denied?.kind == .forbidden)
            #expect(denied?.message.hasPrefix("cluster names: predicted — pods/portforward not permitted in namespace \(keys[0].namespace) (") == true)
            let capture = try await viewer.capture(clusterNames: true)
            #expect(capture.notes.contains { $0.hasPrefix("cluster names: predicted — pods/portforward not permitted (") })
            #expect(capture.snapshot.observations.allSatisfy { $0.clusterNames == nil })
            await viewer.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aHungOrKilledEnvoyFailsAloneWithAClearMessage() async throws {
        try await withLab(Self.mesh, envoy: true) { lab in
            var options = KubeClient.Options()
            options.requestTimeout = .seconds(2)
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil, options: options)
            let keys = Self.sidecarKeys(try await session.loadInventory().inventory)
            let envoys = try await Self.status(session.client)
            let victim = try #require(envoys.first { $0.pid != nil })
            let pid = try #require(victim.pid)
            // Hung: SIGSTOP (an Envoy this test's lab started).
            kill(pid, SIGSTOP)
            let observer = session.makeObserver(concurrency: 8)
            let (observations, failures) = await observer.observeAll(keys)
            kill(pid, SIGCONT)
            let victims = Set(victim.pods.map { PodKey(namespace: victim.namespace, name: $0) }).intersection(keys)
            #expect(Set(failures.keys) == victims)
            #expect(observations.count == keys.count - victims.count)
            for (key, error) in failures {
                #expect(error.kind == .timeout || error.kind == .unreachable, "\(error)")
                #expect(error.message.contains(key.name) || error.message.contains("/proxy/stats/prometheus"), "\(error.message)")
            }
            // Killed mid-fetch: the reads in flight fail or succeed, nothing else breaks, and it recovers.
            let other = try #require(envoys.first { $0.id != victim.id && $0.pid != nil })
            let otherKeys = other.pods.map { PodKey(namespace: other.namespace, name: $0) }.filter(keys.contains)
            let killer = Task {
                try await Task.sleep(for: .milliseconds(5))
                if let pid = other.pid { kill(pid, SIGKILL) }
            }
            let killed = session.makeObserver(concurrency: 8)
            let (_, killedFailures) = await killed.observeAll(keys)
            _ = try await killer.value
            for error in killedFailures.values {
                #expect([.unreachable, .timeout, .badResponse].contains(error.kind), "\(error)")
            }
            var recovered = false
            for _ in 0..<40 where !recovered {
                try await Task.sleep(for: .milliseconds(250))
                let retry = session.makeObserver()
                recovered = await retry.observeAll(otherKeys).failures.isEmpty
            }
            #expect(recovered, "the killed Envoy's pods never answered again:\n\(lab.log)")
            await session.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func slowEnvoysTimeOutWithAClearMessage() async throws {
        try await withLab(Self.mesh + ["--fault", "slow-envoy=2s"], envoy: true) { lab in
            var options = KubeClient.Options()
            options.requestTimeout = .milliseconds(600)
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil, options: options)
            let keys = Self.sidecarKeys(try await session.loadInventory().inventory)
            let started = ContinuousClock.now
            let (observations, failures) = await session.makeObserver(concurrency: 16).observeAll(keys)
            #expect(observations.isEmpty)
            #expect(failures.count == keys.count)
            #expect(failures.values.allSatisfy { $0.kind == .timeout && $0.message.contains("did not answer") }, "\(failures.values.first.map(\.message) ?? "")")
            #expect(ContinuousClock.now - started < .seconds(10))
            var reader = SidecarReader(client: session.client)
            reader.timeout = .milliseconds(600)
            let names = await #expect(throws: KubeError.self) { _ = try await reader.clusterNames(namespace: keys[0].namespace, pod: keys[0].name) }
            #expect(names?.kind == .timeout, "\(String(describing: names))")
            await session.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func portForwardToAClosedPortIsRefused() async throws {
        try await withLab(Self.mesh, envoy: true) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let envoys = try await Self.status(client)
            let envoy = try #require(envoys.first)
            let pod = try #require(envoy.pods.first)
            let refused = await #expect(throws: KubeError.self) {
                _ = try await client.portForwardGET(namespace: envoy.namespace, pod: pod, port: 8080, path: "/")
            }
            #expect(refused?.kind == .portForward)
            #expect(refused?.message.contains("refused the port-forward to port 8080") == true || refused?.message.contains("nothing listening on port 8080") == true, "\(String(describing: refused))")
            // The same client still works.
            let memory = try await client.portForwardGET(namespace: envoy.namespace, pod: pod, port: 15000, path: "/memory")
            #expect(memory.status == 200 && String(decoding: memory.body, as: UTF8.self).contains("allocated"))
            await client.shutdown()
        }
    }
}

/// Collects observer events from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ObservationEvent] = []

    func append(_ event: ObservationEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    private var all: [ObservationEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    var observedPods: [String] {
        all.compactMap { if case .observed(let observation) = $0 { return observation.pod } else { return nil } }
    }

    var clusterNames: [PodKey] {
        all.compactMap { if case .clusterNames(let key, _) = $0 { return key } else { return nil } }
    }

    var progress: [ObservationProgress] {
        all.compactMap { if case .progress(let progress) = $0 { return progress } else { return nil } }
    }
}
