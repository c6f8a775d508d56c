import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimKube
import MeshtrimUI
import Testing

/// The UI on a live cluster: the reducer's refresh keeps the screens, ctrl-r and `:ctx` ask the effect runner, the
/// controller loads, refreshes and switches contexts against the lab, and the real binary in tmux.
@Suite(.timeLimit(.minutes(3)))
struct LiveUITests {
    /// A generated mesh as the UI gets it.
    static func data(seed: UInt64 = 1, pods: Int = 40) -> MeshData {
        let snapshot = MeshGenerator.generateSnapshot(.init(namespaces: 5, services: 30, pods: pods, seed: seed))
        return MeshData(analysis: MeshAnalysis(snapshot: snapshot, source: "context lab (https://127.0.0.1:1)"))
    }

    @Test func refreshKeepsTheScreensAndTheSelectionByName() throws {
        let first = Self.data()
        var state = AppState(data: first, width: 120, height: 40)
        // namespaces → the first namespace with sidecars → its second pod → its sidecar detail.
        let namespace = try #require(first.analysis.namespaces.first { $0.sidecars > 1 }?.name)
        _ = reduce(&state, .key(.character(":")))
        for character in "pods \(namespace)" { _ = reduce(&state, .key(.character(character))) }
        _ = reduce(&state, .key(.enter))
        _ = reduce(&state, .key(.down))
        guard case .pods(let pods) = state.top else { throw KubeTestError("not on the pods screen: \(state.top.crumb)") }
        let selectedPod = try #require(pods.list.selectedSource.flatMap { first.pod(at: $0)?.pod.name })
        _ = reduce(&state, .key(.enter))
        guard case .detail = state.top else { throw KubeTestError("not on the detail screen") }

        // The same mesh with fresh numbers (here: one pod fewer elsewhere, which shifts every index after it).
        var snapshot = MeshGenerator.generateSnapshot(.init(namespaces: 5, services: 30, pods: 40, seed: 1))
        if let index = snapshot.inventory.pods.firstIndex(where: { $0.namespace < namespace }) { snapshot.inventory.pods.remove(at: index) }
        let second = MeshData(analysis: MeshAnalysis(snapshot: snapshot, source: "context lab (https://127.0.0.1:1)"))
        let effects = reduce(&state, .refreshed(second))
        #expect(effects.isEmpty)
        #expect(state.data === second)
        #expect(state.stack.map(\.crumb) == ["namespaces", namespace, selectedPod])
        guard case .detail(let detail) = state.top else { throw KubeTestError("the detail screen was closed") }
        #expect(second.pod(at: detail.podIndex)?.pod.name == selectedPod)
        _ = reduce(&state, .key(.escape))
        guard case .pods(let refreshedPods) = state.top else { throw KubeTestError("not back on pods") }
        #expect(refreshedPods.list.selectedSource.flatMap { second.pod(at: $0)?.pod.name } == selectedPod)

        // A refresh in which the namespace is gone closes its screens.
        snapshot.inventory.pods.removeAll { $0.namespace == namespace }
        snapshot.inventory.services.removeAll { $0.namespace == namespace }
        snapshot.inventory.namespaces.removeAll { $0.name == namespace }
        snapshot.inventory.sidecars.removeAll { $0.meta.namespace == namespace }
        snapshot.inventory.virtualServices.removeAll { $0.meta.namespace == namespace }
        snapshot.inventory.destinationRules.removeAll { $0.meta.namespace == namespace }
        _ = reduce(&state, .refreshed(MeshData(analysis: MeshAnalysis(snapshot: snapshot, source: "x"))))
        #expect(state.stack.map(\.crumb) == ["namespaces"])
        #expect(state.sourceLabel == "x")
    }

    @Test func ctrlRAndCtxGoToTheEffectRunner() {
        var state = AppState(data: Self.data(), width: 100, height: 30)
        let refresh = reduce(&state, .key(.control("r")))
        #expect(refresh.first == .refresh)
        #expect(state.flash?.message == "refreshing…")
        for (command, expected) in [("ctx", Effect.switchContext(nil)), ("ctx prod", .switchContext("prod")), ("context dev", .switchContext("dev"))] {
            _ = reduce(&state, .key(.character(":")))
            for character in command { _ = reduce(&state, .key(.character(character))) }
            #expect(reduce(&state, .key(.enter)) == [expected], "\(command)")
        }
        _ = reduce(&state, .notice("contexts: a (current), b"))
        #expect(state.flash?.message == "contexts: a (current), b")
        #expect(KeyMap.helpLines(for: .namespaces, readOnly: false).contains(.binding("ctrl-r", "read the live cluster again (it also refreshes every minute)")))
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func controllerLoadsRefreshesAndSwitchesContexts() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let events = ControllerEvents()
            let controller = LiveController(kubeconfig: lab.kubeconfig, context: nil, interval: nil) { events.append($0) }
            await controller.start()
            // The inventory first (predictions), then the sidecars' figures as they arrive.
            let loaded = try #require(events.analyses.first)
            #expect(loaded.kind == "loaded")
            #expect(loaded.analysis.source == "context meshtrim-lab (\(lab.server))")
            #expect(loaded.analysis.pods.allSatisfy { $0.observation == nil })
            let complete = try #require(events.analyses.last)
            #expect(complete.kind == "refreshed")
            #expect(complete.analysis.pods.filter { $0.observation != nil }.count >= 8)
            #expect(events.notices.contains { $0.contains("sidecars observed") })
            #expect(events.progress.contains { $0.hasPrefix("connecting to context meshtrim-lab") })
            #expect(events.progress.contains { $0.hasPrefix("pods: ") })
            await controller.refresh()
            #expect(events.analyses.last?.kind == "refreshed")
            #expect(events.notices.contains { $0.hasPrefix("refreshed: ") })
            await controller.switchContext(nil)
            #expect(events.notices.last == "contexts: meshtrim-lab (current), meshtrim-lab-cert, meshtrim-lab-viewer — :ctx NAME switches")
            await controller.switchContext("nope")
            #expect(events.notices.last?.hasPrefix("no context nope in the kubeconfig") == true)
            let before = events.analyses.count
            await controller.switchContext("meshtrim-lab-viewer")
            #expect(events.analyses.dropFirst(before).first?.kind == "loaded")
            #expect(events.analyses.last?.kind == "refreshed")
            #expect(events.analyses.last?.analysis.source == "context meshtrim-lab-viewer (\(lab.server))")
            #expect(events.notices.last?.contains("cluster names: predicted — pods/portforward not permitted") == true, "\(events.notices)")
            await controller.stop()

            let missing = ControllerEvents()
            let broken = LiveController(kubeconfig: "\(lab.directory)/none", context: nil, interval: nil) { missing.append($0) }
            await broken.start()
            #expect(missing.failures == ["--kubeconfig \(lab.directory)/none: no such file"])
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "tmux")))
    func theBinaryBrowsesALiveClusterInTmux() async throws {
        try requireTool("tmux")
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let tmux = try TmuxScreen(command: "KUBECONFIG=\(lab.kubeconfig) \(try meshtrimBinaryPath())", directory: lab.directory)
            defer { tmux.close() }
            try await tmux.wait(for: "context meshtrim-lab (")
            try await tmux.wait(for: "sidecars observed")
            try tmux.press("Enter")
            try await tmux.wait(for: "READY")
            try tmux.press("Enter")
            try await tmux.wait(for: "SERVICE FQDN")
            #expect(try tmux.screen().contains("actual"), "the detail screen shows Envoy's own cluster count")
            try await tmux.wait(for: "= predicted")  // Envoy's actual names, fetched on opening, equal the prediction
            try tmux.press("C-r")
            try await tmux.wait(for: "refreshed: ")
            #expect(try tmux.screen().contains("SERVICE FQDN"), "the detail screen survives a refresh")
            try tmux.press("Escape")
            try tmux.press("Escape")
            try await tmux.wait(for: "CLUSTERS/SIDECAR")
            try tmux.press("e")
            try await tmux.wait(for: "egress ")
            // An empty selection has no YAML (hosts: [] is invalid): the common fix has.
            try tmux.press("1")
            try tmux.press("y")
            try await tmux.wait(for: "kind: Sidecar")
            try tmux.press("Escape")
            try await tmux.wait(for: "IMPACT")
            try tmux.press("Escape")
            // A changed selection asks before it is thrown away (not asked when the namespace had the same hosts).
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline, try !tmux.screen().contains("CLUSTERS/SIDECAR") {
                if try tmux.screen().contains("Discard the changed selection") {
                    try tmux.press("y")
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await tmux.wait(for: "CLUSTERS/SIDECAR")
            try tmux.type(":ctx meshtrim-lab-viewer")
            try tmux.press("Enter")
            try await tmux.wait(for: "context meshtrim-lab-viewer (")
            try await tmux.wait(for: "sidecars observed")
            // The viewer may not port-forward: the detail says so in place, with the prediction.
            try tmux.press("Enter")
            try await tmux.wait(for: "READY")
            try tmux.press("Enter")
            try await tmux.wait(for: "names: predicted (not permitted)")
            #expect(try tmux.screen().contains("cluster names: predicted — pods/portforward not permitted"))
            try tmux.press("q")
            try await tmux.wait(for: "[exited 0]")
        }
    }
}

/// Records a controller's events.
final class ControllerEvents: @unchecked Sendable {
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

    var analyses: [(kind: String, analysis: MeshAnalysis)] {
        all.compactMap {
            switch $0 {
            case .loaded(let analysis): return ("loaded", analysis)
            case .refreshed(let analysis): return ("refreshed", analysis)
            default: return nil
            }
        }
    }

    var progress: [String] { all.compactMap { if case .progress(let line) = $0 { return line } else { return nil } } }
    var notices: [String] { all.compactMap { if case .notice(let line) = $0 { return line } else { return nil } } }
    var failures: [String] { all.compactMap { if case .failed(let line) = $0 { return line } else { return nil } } }
    var observed: [PodKey] { all.compactMap { if case .observed(let key) = $0 { return key } else { return nil } } }
}
