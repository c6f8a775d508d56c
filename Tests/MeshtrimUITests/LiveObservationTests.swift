import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// A live source: the reducer tells the observer which sidecars are on screen (exactly the rows drawn, plus the
/// selection), only when that changes, and asks for the open detail's actual cluster names; the detail screen
/// shows "fetching…", the actual names against the prediction, "not permitted" and errors in place.
@Suite("Live observations")
struct LiveObservationTests {
    /// A live state on the test mesh at a size (loaded the way the runtime loads it, so the first demand comes out).
    static func live(width: Int = 80, height: Int = 24) -> (state: AppState, effects: [Effect]) {
        var state = AppState(width: width, height: height, sourceLabel: "context lab")
        state.live.isEnabled = true
        let effects = reduce(&state, .loaded(TestMesh.data))
        return (state, effects)
    }

    static func demands(_ effects: [Effect]) -> [ObservationDemand] {
        effects.compactMap { if case .observe(let demand) = $0 { return demand } else { return nil } }
    }

    static func fetches(_ effects: [Effect]) -> [PodKey] {
        effects.compactMap { if case .fetchClusterNames(let pod) = $0 { return pod } else { return nil } }
    }

    /// The pod names drawn in the list rows of a pods screen, top to bottom (read from the rendered screen).
    static func drawnPods(_ state: AppState) -> [String] {
        let screen = render(state)
        let first = state.layout.firstListRow(for: .pods)
        return (first..<(first + state.layout.pageSize(for: .pods))).compactMap { y in
            // Names are cut in the middle with "…" in narrow columns: match the shown start and end.
            guard let shown = screen.line(y).trimmed.split(separator: " ").first else { return nil }
            let parts = shown.split(separator: "…", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let (prefix, suffix) = (parts[0], parts.count > 1 ? parts[1] : "")
            let matches = TestMesh.inventory.pods.filter {
                $0.namespace == "bookinfo" && $0.name.hasPrefix(prefix) && $0.name.hasSuffix(suffix)
            }
            return matches.count == 1 ? matches[0].name : nil
        }
    }

    static func podNames(_ demand: ObservationDemand) -> [String] {
        (demand.selected.map { [$0.name] } ?? []) + demand.visible.map(\.name)
    }

    @Test("Loading emits the namespaces on screen, the selected one first; file sources emit nothing")
    func namespacesDemand() throws {
        let (state, effects) = Self.live()
        let demand = try #require(Self.demands(effects).first)
        #expect(Self.demands(effects).count == 1)
        let data = TestMesh.data
        let shown = state.top.list?.rows.map { data.analysis.namespaces[$0].name } ?? []
        #expect(demand.namespaces.first == shown.first)
        #expect(Set(demand.namespaces) == Set(shown))  // six namespaces: all fit at 80×24
        #expect(demand.selected == nil && demand.visible.isEmpty)

        var file = TestMesh.state()
        var all: [Effect] = []
        let keys: [Key] = [.down, .enter, .down, .enter, .escape, .escape, .character("?"), .escape]
        for key in keys { all += reduce(&file, .key(key)) }
        all += reduce(&file, .refreshed(TestMesh.data))
        #expect(Self.demands(all).isEmpty && Self.fetches(all).isEmpty)
        #expect(file.live.demand == nil)
    }

    @Test("The pods screen's demand is exactly the rows drawn plus the selection, sent again only when they change")
    func podsDemandFollowsTheScreen() throws {
        // 80×6: three pod rows on screen out of bookinfo's five, so moving down scrolls.
        var (state, _) = Self.live(width: 80, height: 6)
        state.goToNamespace("bookinfo")
        var effects = state.press(.enter)
        var demand = try #require(Self.demands(effects).last)
        #expect(Self.podNames(demand).sorted() == Self.drawnPods(state).sorted())
        #expect(Self.drawnPods(state).count == 3)
        let selectedName = try #require(state.top.list?.selectedSource.flatMap { TestMesh.data.pod(at: $0)?.pod.name })
        #expect(demand.selected?.name == selectedName)
        #expect(!demand.visible.contains { $0.name == selectedName })
        #expect(demand.namespaces.isEmpty)

        // No change, no effect: `up` at the top, help open and closed, a flash expiring, a notice.
        #expect(Self.demands(state.press(.up)).isEmpty)
        #expect(Self.demands(state.press(.character("?"), .escape)).isEmpty)
        #expect(Self.demands(reduce(&state, .tick(id: 99))).isEmpty)
        #expect(Self.demands(reduce(&state, .notice("refreshed"))).isEmpty)

        // Moving the selection within the page: same rows, new selection.
        effects = state.press(.down)
        demand = try #require(Self.demands(effects).last)
        #expect(Self.podNames(demand).sorted() == Self.drawnPods(state).sorted())
        #expect(demand.selected?.name == state.top.list?.selectedSource.flatMap { TestMesh.data.pod(at: $0)?.pod.name })

        // Scrolling: the window moves; the demand lists the new rows, not the old ones.
        let before = Self.drawnPods(state)
        effects = state.press(.down, .down)
        demand = try #require(Self.demands(effects).last)
        let after = Self.drawnPods(state)
        #expect(after != before)
        #expect(Self.podNames(demand).sorted() == after.sorted())
        #expect(state.live.demand == demand)

        // A resize that shows more rows sends the bigger window; the same size again sends nothing.
        effects = reduce(&state, .resize(width: 80, height: 24))
        demand = try #require(Self.demands(effects).last)
        #expect(Self.podNames(demand).count == 5)
        #expect(Self.podNames(demand).sorted() == Self.drawnPods(state).sorted())
        #expect(Self.demands(reduce(&state, .resize(width: 80, height: 24))).isEmpty)

        // A refresh that re-sorts the rows (same data here) does not resend an unchanged demand.
        #expect(Self.demands(reduce(&state, .refreshed(TestMesh.data))).isEmpty)
    }

    @Test("Opening a detail asks for its names once, keeps the pods below as visible, and shows the answer")
    func detailFetchesNames() throws {
        var (state, _) = Self.live()
        state.goToNamespace("bookinfo")
        state.press(.enter)
        let below = Self.drawnPods(state)
        let effects = state.press(.enter)
        let detail = try #require(state.top.detailScreen, "enter on a pod opens its detail")
        let pod = PodKey(namespace: "bookinfo", name: detail.podName)
        #expect(Self.fetches(effects) == [pod])
        #expect(detail.clusterNames == .fetching)
        // The detail's pod was the selected row, and the rows under it stay: the demand is unchanged, not resent.
        #expect(Self.demands(effects).isEmpty)
        let demand = try #require(state.live.demand)
        #expect(demand.selected == pod)
        #expect(Set(demand.visible.map(\.name)) == Set(below).subtracting([pod.name]))
        #expect(render(state).text.contains("names: fetching…"))
        // Moving in the cluster list asks nothing more.
        let moved = state.press(.down, .down)
        #expect(Self.fetches(moved).isEmpty && Self.demands(moved).isEmpty)

        // The answer: Envoy's names equal the prediction.
        let predicted = detail.scope.clusters.map(\.name)
        _ = reduce(&state, .clusterNamesArrived(pod, .actual(ActualClusterNames(names: predicted, fetchedAt: "12:00:01"))))
        let text = render(state).text
        #expect(text.contains("actual (\(predicted.count) names, fetched 12:00:01) = predicted"))
        #expect(!text.contains("not in Envoy"))

        // A failed re-fetch keeps the names already shown.
        _ = reduce(&state, .clusterNamesArrived(pod, .failed("the Envoy of bookinfo/x did not answer")))
        #expect(render(state).text.contains("= predicted"))

        // Back and in again: asked again (the controller's cache answers at once when fresh).
        state.press(.escape)
        #expect(Self.fetches(state.press(.enter)) == [pod])
    }

    @Test("Differences between Envoy's names and the prediction are named and marked on the rows")
    func differencesAreMarked() throws {
        var state = Self.detail(width: 120, height: 40)
        let detail = try #require(state.top.detailScreen)
        let pod = PodKey(namespace: detail.namespace, name: detail.podName)
        var names = detail.scope.clusters.map(\.name)
        let dropped = try #require(names.first { $0.contains("ratings") })
        names.removeAll { $0 == dropped }
        names.append("outbound|8080||extra.unknown.svc.cluster.local")
        _ = reduce(&state, .clusterNamesArrived(pod, .actual(ActualClusterNames(names: names, fetchedAt: "09:30:00"))))
        let text = render(state).text
        #expect(text.contains("≠ predicted"))
        #expect(text.contains("1 only in Envoy, 1 not in Envoy (✗ below) · only in Envoy: outbound|8080||extra.unknown.svc.cluster.local"))
        let marked = text.split(separator: "\n").filter { $0.contains("✗ not in Envoy") }
        #expect(marked.count == 1)
        #expect(marked.first?.contains("ratings.bookinfo") == true)
        let difference = ActualClusterNames(names: names, fetchedAt: "").difference(from: detail.scope.clusters.map(\.name))
        #expect(difference.onlyInEnvoy == ["outbound|8080||extra.unknown.svc.cluster.local"])
        #expect(difference.notInEnvoy == [dropped])
    }

    @Test("An answer for another pod leaves the open detail alone")
    func answersGoToTheirPod() throws {
        var state = Self.detail(width: 80, height: 24)
        _ = reduce(&state, .clusterNamesArrived(PodKey(namespace: "bookinfo", name: "someone-else"), .notPermitted("no")))
        let detail = try #require(state.top.detailScreen)
        #expect(detail.clusterNames == .fetching)
    }

    @Test("A new load (:ctx) sends the demand again even when the rows look the same")
    func reloadResendsTheDemand() {
        var (state, _) = Self.live()
        #expect(Self.demands(reduce(&state, .loaded(TestMesh.data))).count == 1)
    }

    @Test("The names states draw at every size without breaking invariants", arguments: NamesGolden.allCases)
    func everySize(_ kind: NamesGolden) throws {
        for width in [0, 1, 10, 19, 20, 25, 30, 39, 40, 60, 79, 80, 100, 130] {
            for height in [0, 2, 5, 6, 7, 8, 9, 10, 12, 15, 24, 45] {
                // Opened where it fits, then resized: a too-small terminal takes no keys, so it could not get there.
                var state = Self.detail(width: 120, height: 40)
                _ = reduce(&state, .resize(width: width, height: height))
                let detail = try #require(state.top.detailScreen, "\(width)x\(height)")
                let pod = PodKey(namespace: detail.namespace, name: detail.podName)
                let names = detail.scope.clusters.map(\.name).dropFirst() + ["outbound|1||x.y.svc.cluster.local"]
                let status: ClusterNamesStatus
                switch kind {
                case .fetching: status = .fetching
                case .actual: status = .actual(ActualClusterNames(names: detail.scope.clusters.map(\.name), fetchedAt: "01:02:03"))
                case .different: status = .actual(ActualClusterNames(names: Array(names), fetchedAt: "01:02:03"))
                case .notPermitted: status = .notPermitted("cluster names: predicted — pods/portforward not permitted in namespace bookinfo")
                case .failed: status = .failed("timeout")
                }
                _ = reduce(&state, .clusterNamesArrived(pod, status))
                let screen = render(state)
                #expect(screen.width == width && screen.height == height)
                #expect(state.checkInvariants() == [], "\(kind) at \(width)x\(height)")
            }
        }
    }

    /// The detail screen of bookinfo's first pod on a live source, names being fetched.
    static func detail(width: Int, height: Int) -> AppState {
        var (state, _) = live(width: width, height: height)
        state.goToNamespace("bookinfo")
        state.press(.enter, .enter)
        return state
    }

    enum NamesGolden: String, CaseIterable {
        case fetching, actual, different, notPermitted, failed
    }

    @Test("Detail goldens of the names states", arguments: NamesGolden.allCases)
    func goldens(_ kind: NamesGolden) throws {
        for (width, height) in ScreenGoldenTests.sizes {
            var state = Self.detail(width: width, height: height)
            let detail = try #require(state.top.detailScreen, "\(width)x\(height)")
            let pod = PodKey(namespace: detail.namespace, name: detail.podName)
            var names = detail.scope.clusters.map(\.name)
            switch kind {
            case .fetching:
                break
            case .actual:
                _ = reduce(&state, .clusterNamesArrived(pod, .actual(ActualClusterNames(names: names, fetchedAt: "12:00:01"))))
            case .different:
                names.removeAll { $0.contains("ratings") }
                names += ["outbound|8080||extra.unknown.svc.cluster.local", "outbound|9090||metrics.monitoring.svc.cluster.local"]
                _ = reduce(&state, .clusterNamesArrived(pod, .actual(ActualClusterNames(names: names, fetchedAt: "12:00:01"))))
            case .notPermitted:
                _ = reduce(
                    &state,
                    .clusterNamesArrived(pod, .notPermitted("cluster names: predicted — pods/portforward not permitted in namespace bookinfo")))
            case .failed:
                _ = reduce(
                    &state,
                    .clusterNamesArrived(
                        pod, .failed("the Envoy admin port 15000 of bookinfo/\(pod.name) closed the port-forward (Envoy exited?)")))
            }
            #expect(state.checkInvariants() == [])
            try assertGolden(render(state).golden, named: "liveNames-\(kind.rawValue)-\(width)x\(height)")
        }
    }
}
