import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimKube
import Testing

/// A stopped Envoy on a live cluster: its older figures stay, marked stale, and the refresh says what failed
/// (issue 12, item 9).
@Suite(.timeLimit(.minutes(3)))
struct StaleFiguresTests {
    /// The controller's events, with its read reports.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [LiveControllerEvent] = []

        func append(_ event: LiveControllerEvent) {
            lock.lock()
            events.append(event)
            lock.unlock()
        }

        private var all: [LiveControllerEvent] {
            lock.lock()
            defer { lock.unlock() }
            return events
        }

        var notices: [String] { all.compactMap { if case .notice(let line) = $0 { return line } else { return nil } } }
        var statuses: [LiveReadStatus] { all.compactMap { if case .readStatus(let status) = $0 { return status } else { return nil } } }
        var lastAnalysis: MeshAnalysis? {
            all.compactMap { if case .refreshed(let analysis) = $0 { return analysis } else { return nil } }.last
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aStoppedEnvoysFiguresAreMarkedStaleAndCounted() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            var options = KubeClient.Options()
            options.requestTimeout = .seconds(2)
            let events = Events()
            let controller = LiveController(kubeconfig: lab.kubeconfig, context: nil, interval: nil, options: options) { events.append($0) }
            await controller.start()
            let first = try #require(events.statuses.last)
            #expect(first.failedReads.isEmpty && first.refreshFailure == nil && first.clusterReadAt != nil)

            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil, options: options)
            let keys = ObservationTests.sidecarKeys(try await session.loadInventory().inventory)
            let envoys = try await ObservationTests.status(session.client)
            let victim = try #require(envoys.first { $0.pid != nil && !$0.pods.isEmpty })
            let pid = try #require(victim.pid)
            let victims = Set(victim.pods.map { PodKey(namespace: victim.namespace, name: $0) }).intersection(keys)
            try #require(!victims.isEmpty)
            let before = try #require(events.lastAnalysis)
            for key in victims {
                try #require(before.pods.first { $0.pod.namespace == key.namespace && $0.pod.name == key.name }?.observation != nil)
            }

            // Stopped (SIGSTOP: an Envoy this test's lab started): the refresh reads every sidecar but these.
            kill(pid, SIGSTOP)
            await controller.refresh()
            kill(pid, SIGCONT)
            let summary = try #require(events.notices.last { $0.hasPrefix("refreshed: ") })
            #expect(summary.hasPrefix("refreshed: \(keys.count - victims.count) of \(keys.count) sidecars observed, \(victims.count) failed"), "\(summary)")
            let stale = try #require(events.statuses.last)
            #expect(Set(stale.failedReads.keys) == victims)
            for key in victims {
                let read = try #require(stale.failedReads[key])
                #expect(read.figuresReadAt != nil, "the figures kept were read before")
                #expect(read.failedAt >= (read.figuresReadAt ?? .distantFuture))
                #expect(!read.message.isEmpty)
            }
            #expect(stale.refreshFailure == nil, "the cluster itself was read")
            // The older figures stay on screen (marked stale by the UI), not dropped.
            let after = try #require(events.lastAnalysis)
            for key in victims {
                #expect(after.pods.first { $0.pod.namespace == key.namespace && $0.pod.name == key.name }?.observation != nil)
            }

            // Running again: the next refresh reads it and nothing is stale.
            var recovered = false
            for _ in 0..<20 where !recovered {
                await controller.refresh()
                recovered = events.statuses.last?.failedReads.isEmpty == true
                if !recovered { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(recovered, "\(events.notices.suffix(3))")
            #expect(events.notices.last { $0.hasPrefix("refreshed: ") }?.hasPrefix("refreshed: \(keys.count) of \(keys.count) sidecars observed") == true)
            await session.shutdown()
            await controller.stop()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aRefreshWithTheAPIServerGoneIsReportedAndKeepsTheLastRead() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            var options = KubeClient.Options()
            options.requestTimeout = .seconds(2)
            let events = Events()
            let controller = LiveController(kubeconfig: lab.kubeconfig, context: nil, interval: nil, options: options) { events.append($0) }
            await controller.start()
            let loaded = try #require(events.statuses.last)
            let readAt = try #require(loaded.clusterReadAt)
            #expect(loaded.refreshFailure == nil)
            // The API server (and its Envoys) gone.
            try await lab.stop()
            await controller.refresh()
            let failed = try #require(events.statuses.last)
            #expect(failed.refreshFailure?.isEmpty == false, "the failure says why")
            #expect(failed.clusterReadAt == readAt, "the last read stays the one before")
            #expect(failed.at > readAt)
            #expect(events.notices.last?.hasPrefix("refresh failed (the numbers on screen are from the last read)") == true)
            await controller.stop()
        }
    }
}
