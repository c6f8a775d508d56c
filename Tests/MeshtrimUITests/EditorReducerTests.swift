import MeshtrimCore
import Testing
@testable import MeshtrimUI

@Suite("Egress editor")
struct EditorReducerTests {
    /// The namespace-wide editor of `namespace`.
    func open(_ namespace: String) -> AppState {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace(namespace)
        state.press(.character("e"))
        return state
    }

    @Test("The editor starts from the Sidecar it replaces, or from nothing")
    func startingPoint() throws {
        #expect(try editor(open("scoped")).hosts == ["./*", "istio-system/*"])
        #expect(try editor(open("scoped")).replaces?.meta.qualifiedName == "scoped/default")
        let fresh = try editor(open("bookinfo"))
        #expect(fresh.hosts.isEmpty)
        #expect(fresh.impact.cutDestinations.isEmpty, "no hosts: */*, nothing is cut")
    }

    @Test("Toggling recomputes the impact once, from analysis.impact")
    func toggleRecomputes() throws {
        var state = open("bookinfo")
        state.press(.home, .character(" "))
        let chosen = try editor(state)
        #expect(chosen.hosts == ["./*"])
        let expected = TestMesh.data.analysis.impact(namespace: "bookinfo", workloadSelector: nil, hosts: ["./*"], name: "default")
        #expect(chosen.impact == expected)
        #expect(chosen.impact.clustersAfter < chosen.impact.clustersBefore)
        state.press(.character(" "))
        #expect(try editor(state).hosts.isEmpty)
    }

    @Test("Presets: 1 common fix, 2 observed traffic, 3 nothing, 0 clear")
    func presets() throws {
        var state = open("bookinfo")
        state.press(.character("1"))
        #expect(try editor(state).hosts == ["./*", "istio-system/*"])
        state.press(.character("2"))
        #expect(try editor(state).hosts == [
            "bookinfo/details.bookinfo.svc.cluster.local", "bookinfo/ratings.bookinfo.svc.cluster.local",
            "bookinfo/reviews.bookinfo.svc.cluster.local", "istio-system/*",
        ])
        #expect(try editor(state).expanded.contains("bookinfo"), "services a preset picked are shown")
        #expect(try editor(state).customHosts.isEmpty, "they have rows of their own")
        state.press(.character("3"))
        #expect(try editor(state).hosts == ["~/*"])
        #expect(try editor(state).customHosts == ["~/*"])
        state.press(.character("0"))
        #expect(try editor(state).hosts.isEmpty)
    }

    @Test("Cutting observed traffic is listed with request counts and marked on its row")
    func cutTraffic() throws {
        var state = open("shipping")
        state.press(.character("1"))
        let impact = try editor(state).impact
        #expect(impact.cutDestinations.map(\.host) == ["api.payments.svc.cluster.local"])
        #expect(impact.cutDestinations.first?.requests == 150)
        let text = render(state).text
        #expect(text.contains("✗ 150 req cut"))
        #expect(text.contains("cuts observed traffic"))
        // Importing payments/* keeps the traffic.
        guard let row = try editor(state).rows.firstIndex(of: .namespace("payments")) else { throw TestFailure("no payments row") }
        state.press(.home)
        while try editor(state).cursor < row { state.press(.down) }
        state.press(.character(" "))
        #expect(try editor(state).impact.cutDestinations.isEmpty)
    }

    @Test("A covered row shows ✓: ./* covers this namespace and its services")
    func coverage() throws {
        var state = open("bookinfo")
        state.press(.character("1"))
        let current = try editor(state)
        #expect(current.mark(for: .namespace("bookinfo")) == .covered)
        #expect(current.mark(for: .service(namespace: "bookinfo", hostname: "reviews.bookinfo.svc.cluster.local")) == .covered)
        #expect(current.mark(for: .namespace("payments")) == .unselected)
        #expect(current.mark(for: .istiodNamespace("istio-system")) == .selected)
    }

    @Test("enter/→ expand a namespace, ← collapses it from a service row")
    func expandCollapse() throws {
        var state = open("bookinfo")
        state.press(.home, .down, .down)
        #expect(try editor(state).currentRow == .namespace("bookinfo"))
        state.press(.right)
        #expect(try editor(state).rows.contains(.service(namespace: "bookinfo", hostname: "details.bookinfo.svc.cluster.local")))
        state.press(.down)
        state.press(.left)
        #expect(try editor(state).currentRow == .namespace("bookinfo"))
        #expect(try !editor(state).expanded.contains("bookinfo"))
    }

    @Test("A custom host is validated as typed; an invalid one keeps the prompt open")
    func customHost() throws {
        var state = open("payments")
        state.press(.character("+"))
        state.type("reviews")
        #expect(state.prompt?.messageIsError == true)
        #expect(state.prompt?.message?.contains("host must be of form namespace/dnsName") == true)
        state.press(.enter)
        #expect(state.prompt?.kind == .addHost, "enter on an invalid host does not close the prompt")
        state.press(.control("u"))
        state.type("bookinfo/reviews")
        #expect(state.prompt?.message?.contains("short names") == true)
        state.press(.control("u"))
        state.type("*/api.stripe.com")
        #expect(state.prompt?.messageIsError == false)
        #expect(state.prompt?.message == "✓ valid: imports 1 known service")
        state.press(.enter)
        #expect(state.prompt == nil)
        let current = try editor(state)
        #expect(current.hosts == ["*/api.stripe.com"])
        #expect(current.currentRow == .custom("*/api.stripe.com"))
        state.press(.character("x"))
        #expect(try editor(state).hosts.isEmpty)
        #expect(try editor(state).customHosts.isEmpty)
    }

    @Test("A workload Sidecar: the picker preselects app, skips pod-template-hash, and the editor selects by it")
    func workloadSidecar() throws {
        var state = TestMesh.state()
        state.goToNamespace("bookinfo")
        state.press(.enter, .character("e"))
        let picker = try #require(state.labelPicker)
        #expect(picker.labels.map(\.key) == ["app", "version"])
        #expect(picker.chosen == ["app"])
        state.press(.down, .character(" "), .enter)
        let current = try editor(state)
        #expect(current.target.workloadSelector == ["app": "productpage", "version": "v1"])
        #expect(current.sidecarName == "productpage")
        #expect(current.impact.affectedPods == ["productpage-v1-6b746f74dc-9stvs"])
        #expect(current.manifest.fileName == "sidecar-bookinfo-productpage.yaml")
    }

    @Test("A picker with no labels chosen opens the namespace-wide editor; esc cancels")
    func pickerNoLabels() throws {
        var state = TestMesh.state()
        state.goToNamespace("bookinfo")
        state.press(.enter, .character("e"), .escape)
        #expect(state.labelPicker == nil && state.top.kind == .pods)
        state.press(.character("e"), .character(" "), .enter)
        #expect(try editor(state).target.workloadSelector == nil)
    }

    @Test("A workload Sidecar in a namespace with a Sidecar says which one wins")
    func precedence() throws {
        var state = TestMesh.state()
        state.goToNamespace("scoped")
        state.press(.enter, .character("e"), .enter, .character("1"))
        let notes = try editor(state).impact.notes
        #expect(notes.contains { $0.contains("overrides scoped/default") })
    }
}

@Suite("YAML preview and writing")
struct PreviewWriteTests {
    /// The shipping preview after the common fix.
    func preview() -> AppState {
        var state = TestMesh.state()
        state.goToNamespace("shipping")
        state.press(.character("e"), .character("1"), .character("y"))
        return state
    }

    @Test("The preview holds the manifest, its validation and the cut traffic")
    func content() throws {
        let state = preview()
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview") }
        #expect(preview.manifest.uniqueHosts == ["./*", "istio-system/*"])
        #expect(preview.problems.isEmpty)
        let text = preview.lines.map(\.text)
        #expect(text.contains("✓ valid: Istio's webhook would accept it"))
        #expect(text.contains { $0.contains("api.payments.svc.cluster.local: 150 requests") })
        #expect(text.contains("  name: default"))
    }

    @Test("The diff against the replaced Sidecar is a unified diff")
    func diff() throws {
        let state = Scenario.previewDiff.state(width: 80, height: 24)
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview") }
        let lines = preview.lines[preview.diffStart...].map(\.text)
        #expect(lines.contains("+    - \"payments/*\""))
        #expect(lines.contains("--- scoped/default (in the mesh)"))
        #expect(preview.offset == min(preview.diffStart, preview.lines.count - state.pageSize))
    }

    @Test("w asks for the path (default sidecar-<ns>.yaml) and enter writes without overwriting")
    func writeFlow() {
        var state = preview()
        state.press(.character("w"))
        #expect(state.prompt?.kind == .writePath)
        #expect(state.prompt?.text == "sidecar-shipping.yaml")
        let effects = state.press(.enter)
        guard case .writeFile(let path, let contents, let overwrite) = effects.first else {
            Issue.record("no write: \(effects)")
            return
        }
        #expect(path == "sidecar-shipping.yaml")
        #expect(!overwrite)
        #expect(contents.contains("- \"istio-system/*\""))
        _ = reduce(&state, .fileWritten(path: "/work/sidecar-shipping.yaml"))
        #expect(state.flash?.message.hasPrefix("✓ wrote /work/sidecar-shipping.yaml") == true)
        state.press(.character("w"))
        #expect(state.prompt?.text == "/work/sidecar-shipping.yaml", "the next write offers the last path")
    }

    @Test("An existing file asks before overwriting; the default answer keeps it")
    func overwrite() {
        var state = preview()
        state.press(.character("w"), .enter)
        _ = reduce(&state, .fileExists(path: "/work/sidecar-shipping.yaml"))
        #expect(state.confirm != nil)
        state.press(.enter)
        #expect(state.confirm == nil)
        #expect(state.flash?.message.contains("left as it was") == true)
        state.press(.character("w"), .enter)
        _ = reduce(&state, .fileExists(path: "/work/sidecar-shipping.yaml"))
        let effects = state.press(.character("y"))
        guard case .writeFile(let path, _, let overwrite) = effects.first else {
            Issue.record("no write: \(effects)")
            return
        }
        #expect(path == "/work/sidecar-shipping.yaml" && overwrite)
    }

    @Test("A failed write shows the error and keeps the editor state")
    func failure() throws {
        var state = preview()
        let editorBefore = state.stack[state.stack.count - 2]
        state.press(.character("w"), .control("u"))
        state.type("/nonexistent/dir/x.yaml")
        state.press(.enter)
        _ = reduce(&state, .fileWriteFailed(message: "the directory /nonexistent/dir does not exist", path: "/nonexistent/dir/x.yaml"))
        #expect(state.flash?.kind == .error)
        #expect(render(state).text.contains("/nonexistent/dir does not"))
        #expect(state.top.kind == .preview)
        state.press(.escape)
        #expect(state.top == editorBefore)
    }

    @Test("An empty path is refused in the prompt")
    func emptyPath() {
        var state = preview()
        state.press(.character("w"), .control("u"))
        #expect(state.press(.enter).isEmpty)
        #expect(state.prompt?.messageIsError == true)
    }
}
