import Foundation
import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// A cluster whose Istio predates 1.22 serves Sidecars as `networking.istio.io/v1beta1` only (issue #16 item 7): the
/// Sidecar the editor previews, writes and applies says that version, and the diff against an existing Sidecar
/// shows the `apiVersion` line that changes. Offline sources, which cannot tell, keep `networking.istio.io/v1`.
@Suite("Sidecars in the version the cluster serves")
struct ServedAPIVersionEditorTests {
    static let served = "networking.istio.io/v1beta1"

    /// The test mesh as a cluster serving `servedVersion`, plus `sidecars`.
    static func state(served servedVersion: String?, sidecars: [Sidecar] = []) -> AppState {
        var inventory = TestMesh.inventory
        inventory.servedSidecarAPIVersion = servedVersion
        inventory.sidecars += sidecars
        let data = MeshData(analysis: MeshAnalysis(inventory: inventory, observations: TestMesh.observations, source: "lab"))
        return AppState(data: data, width: 120, height: 60, colorEnabled: false, readOnly: false)
    }

    /// The preview `y` opens from the editor of `namespace`'s Sidecar, after `keys`.
    static func preview(_ state: inout AppState, namespace: String, keys: [Key] = []) throws -> PreviewState {
        state.goToNamespace(namespace)
        state.press(.character("e"))
        _ = try editor(state)
        for key in keys { state.press(key) }
        state.press(.character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("y did not open the preview: \(state.breadcrumbs)") }
        return preview
    }

    @Test("A new Sidecar's preview, file and apply document say the served version", arguments: [served, "networking.istio.io/v1alpha3"])
    func newSidecar(served: String) throws {
        var state = Self.state(served: served)
        let preview = try Self.preview(&state, namespace: "bookinfo", keys: [.character("1")])
        #expect(preview.replaces == nil)
        #expect(preview.manifest.yaml.hasPrefix("apiVersion: \(served)\nkind: Sidecar\n"), "\(preview.manifest.yaml)")
        #expect(preview.lines.contains { $0.text == "apiVersion: \(served)" && $0.kind == .yaml }, "the preview shows what is written")
        let document = ApplyDocument(manifest: preview.manifest)
        #expect(document.apiVersion == served)
        #expect(document.resourcePath == "/apis/\(served)/namespaces/bookinfo/sidecars/default")
        #expect(document.serving(apiVersion: served) == document, "nothing to convert when it is applied")
        let written = try #require(try SidecarDocumentReader.read(preview.manifest.yaml).sidecars.first)
        #expect(written.sidecar.defaultEgressHosts == preview.manifest.hosts, "the written file reads back")
    }

    @Test("Editing a Sidecar written as v1 shows the apiVersion line in the diff")
    func editedSidecarDiff() throws {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: default
              namespace: bookinfo
            spec:
              egress:
              - hosts:
                - "./*"
                - "istio-system/*"

            """
        let existing = try #require(try SidecarDocumentReader.read(yaml).sidecars.first?.sidecar)
        var state = Self.state(served: Self.served, sidecars: [existing])
        let preview = try Self.preview(&state, namespace: "bookinfo", keys: [.home, .character(" ")])
        #expect(preview.replaces == "bookinfo/default")
        let text = preview.lines.map(\.text)
        let diff = text[preview.diffStart...].filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        #expect(diff.contains("-apiVersion: networking.istio.io/v1"), "\(diff)")
        #expect(diff.contains("+apiVersion: \(Self.served)"), "\(diff)")
        #expect(ApplyDocument(manifest: preview.manifest).apiVersion == Self.served)
    }

    @Test("The mesh-wide default's preview says the served version")
    func meshDefault() throws {
        var state = Self.state(served: Self.served)
        state.press(.character("E"))
        guard case .editor(let editor) = state.top, editor.meshDefault != nil else { throw TestFailure("E did not open the mesh default") }
        state.press(.character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("y did not open the preview") }
        #expect(preview.manifest.namespace == "istio-system")
        #expect(preview.manifest.yaml.hasPrefix("apiVersion: \(Self.served)\n"), "\(preview.manifest.yaml)")
    }

    @Test("A source that cannot tell (manifests, snapshots of v1 clusters, the demo) writes networking.istio.io/v1")
    func offline() throws {
        var state = Self.state(served: nil)
        let preview = try Self.preview(&state, namespace: "bookinfo", keys: [.character("1")])
        #expect(preview.manifest.yaml.hasPrefix("apiVersion: networking.istio.io/v1\n"))
        #expect(ApplyDocument(manifest: preview.manifest).apiVersion == "networking.istio.io/v1")
    }
}
