import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// Measures the UI budgets (one frame with 10,000 rows, a key press, an editor toggle) and prints them.
///
/// These are measurements for people, not timed assertions (debug builds on a loaded machine vary too much); the
/// release numbers come from `meshtrim bench`. The tests check only that the work was done.
@Suite("Budgets (measured, printed)")
struct BudgetTests {
    /// One namespace with `pods` pods over 200 services.
    static func bigMesh(pods: Int) -> MeshData {
        let services = (0..<200).map { index in
            MeshService(
                hostname: "svc-\(index).big.svc.cluster.local", namespace: "big", name: "svc-\(index)",
                ports: [ServicePort(number: 8080, name: "http", protocol: "HTTP")], selector: ["app": "svc-\(index)"])
        }
        let podList = (0..<pods).map { index in
            Pod(meta: ObjectMeta(name: "svc-\(index % 200)-\(index)", namespace: "big", labels: ["app": "svc-\(index % 200)"]), proxyVersion: "1.31.0")
        }
        let observations = (0..<pods).map { index in
            ProxyObservation(
                namespace: "big", pod: "svc-\(index % 200)-\(index)", envoyAllocatedBytes: 30_000_000 + index * 100, activeClusters: 220,
                destinations: [ObservedDestination(host: "svc-\((index + 1) % 200).big.svc.cluster.local", namespace: "big", requests: index)])
        }
        let inventory = MeshInventory(
            namespaces: [MeshNamespace(meta: ObjectMeta(name: "big"))], pods: podList, services: services,
            istioVersion: IstioVersion(major: 1, minor: 31))
        return MeshData(analysis: MeshAnalysis(inventory: inventory, observations: observations, source: "big"))
    }

    static func time(_ body: () -> Void) -> Duration {
        let clock = ContinuousClock()
        return clock.measure(body)
    }

    @Test("A 10,000-row pod list: frame and key press")
    func tenThousandRows() throws {
        var built: MeshData?
        let build = Self.time { built = Self.bigMesh(pods: 10_000) }
        let data = try #require(built)
        var state = AppState(data: data, width: 120, height: 40)
        let enter = Self.time { _ = reduce(&state, .key(.enter)) }
        #expect(state.top.list?.rows.count == 10_000)
        var frames: [Duration] = []
        var keys: [Duration] = []
        for _ in 0..<20 {
            keys.append(Self.time { _ = reduce(&state, .key(.pageDown)) })
            frames.append(Self.time { _ = render(state) })
        }
        let sort = Self.time { _ = reduce(&state, .key(.character("N"))) }
        let filter = Self.time { _ = reduce(&state, .key(.character("/"))); _ = reduce(&state, .key(.character("7"))) }
        let frame = frames.sorted()[frames.count / 2]
        let key = keys.sorted()[keys.count / 2]
        print("budget: analysis of 10,000 pods \(build); open pods \(enter); frame (median) \(frame); page down \(key); sort \(sort); filter keystroke \(filter)")
        #expect(state.top.list?.rows.count ?? 0 > 0)
    }

    @Test("An editor toggle recomputes the impact (time printed)")
    func toggle() throws {
        let data = Self.bigMesh(pods: 500)
        var state = AppState(data: data, width: 120, height: 40)
        _ = reduce(&state, .key(.character("e")))
        var toggles: [Duration] = []
        for _ in 0..<10 { toggles.append(Self.time { _ = reduce(&state, .key(.character(" "))) }) }
        let median = toggles.sorted()[toggles.count / 2]
        print("budget: toggle in a 500-pod namespace (median) \(median)")
        let editor = try #require(state.top.editorScreen, "e opened the editor")
        #expect(editor.hosts.isEmpty, "ten toggles of one row leave it as it was")
    }
}
