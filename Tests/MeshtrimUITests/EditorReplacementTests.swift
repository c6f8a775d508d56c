import Foundation
import MeshtrimCore
import MeshtrimFiles
import Testing
@testable import MeshtrimUI

/// Through the editor: toggling one host of an existing Sidecar read from a manifest and pressing `y` shows that
/// Sidecar with every other field kept, and a diff against the object as written that shows only the host (issue #11).
@Suite("Editing an existing Sidecar")
struct EditorReplacementTests {
    /// The test mesh with `payments/default` as read from the manifest (ingress, label, REGISTRY_ONLY).
    static func state() throws -> AppState {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent("Tests/MeshtrimCoreTests/Fixtures/sidecars/issue-11-payments.yaml")
        let sidecar = try #require(try ManifestLoader.load(paths: [file.path]).inventory.sidecars.first)
        try #require(sidecar.original != nil)
        var inventory = TestMesh.inventory
        inventory.sidecars.append(sidecar)
        let data = MeshData(analysis: MeshAnalysis(inventory: inventory, observations: TestMesh.observations, source: "payments.yaml"))
        var state = AppState(data: data, width: 120, height: 60, colorEnabled: false, readOnly: false)
        state.goToNamespace("payments")
        state.press(.character("e"))
        return state
    }

    @Test func togglingOneHostKeepsIngressLabelAndPolicyAndDiffsOnlyThatHost() throws {
        var state = try Self.state()
        let before = try editor(state)
        #expect(before.replaces?.meta.qualifiedName == "payments/default")
        #expect(before.hosts == ["./*", "istio-system/*", "ledger/*"])
        state.press(.home, .character(" "))
        let after = try editor(state)
        let toggled = Set(before.hosts).symmetricDifference(after.hosts)
        #expect(toggled.count == 1, "one host toggled")
        state.press(.character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("no preview") }
        let yaml = preview.manifest.yaml
        for kept in ["defaultEndpoint: 127.0.0.1:8080", "team: payments", "mode: REGISTRY_ONLY", "http1MaxPendingRequests: 1024"] {
            #expect(yaml.contains(kept), "\(kept) is carried over")
        }
        let text = preview.lines.map(\.text)
        let diffLines = text[preview.diffStart...].filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        let host = try #require(toggled.first)
        #expect(diffLines.count == 1)
        #expect(diffLines.first?.contains(host) == true)
        #expect(text.contains("DIFF against payments/default (as it is in the mesh)"))
        #expect(preview.problems.filter { $0.severity == .error }.isEmpty)
    }
}
