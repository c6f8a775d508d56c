import Foundation
import MeshtrimCore
import MeshtrimFiles
import Testing
@testable import MeshtrimUI

/// The mesh-wide default in the TUI (issue #14 §1): `:mesh`, `E` and `e` on the root namespace open the egress editor
/// for `ROOT/default`; its impact covers exactly the sidecars Istio would give it, per namespace, with `.` evaluated
/// in each proxy's namespace; cut traffic per source namespace; preview and write as for any Sidecar.
@Suite("Mesh-wide default editor")
struct MeshDefaultEditorTests {
    static let demoPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/meshtrim/Resources/demo-snapshot.json").path
    static let demo: MeshData? = (try? MeshSnapshot.load(from: demoPath)).map { MeshData(analysis: MeshAnalysis(snapshot: $0)) }

    func demoState(width: Int = 120, height: Int = 40) throws -> AppState {
        let data = try #require(Self.demo, "the bundled demo snapshot must load")
        return AppState(data: data, width: width, height: height)
    }

    func meshEditor(_ state: AppState) throws -> (EditorState, MeshDefaultEditing) {
        guard case .editor(let editor) = state.top else { throw TestFailure("the top screen is not the editor: \(state.top.crumb)") }
        let meshDefault = try #require(editor.meshDefault, "the editor is not the mesh-wide default's")
        return (editor, meshDefault)
    }

    /// Sidecars Istio gives the mesh default, counted from the inventory alone: a sidecar (not a gateway) whose
    /// namespace has no Sidecar without a selector and none of whose namespace's workload Sidecars selects it.
    static func independentCount(_ inventory: MeshInventory) -> (count: Int, byNamespace: [String: Int]) {
        let root = inventory.meshConfig.rootNamespace
        var byNamespace: [String: Int] = [:]
        for pod in inventory.pods where pod.hasSidecar && !pod.isGateway {
            let own = inventory.sidecars.filter { $0.meta.namespace == pod.namespace }
            let namespaceWide = own.contains { ($0.workloadSelector?.matchLabels ?? [:]).isEmpty }
            if pod.namespace != root && namespaceWide { continue }
            if own.contains(where: { $0.workloadSelector.map { !$0.matchLabels.isEmpty && $0.matches(pod.labels) } ?? false }) { continue }
            byNamespace[pod.namespace, default: 0] += 1
        }
        return (byNamespace.values.reduce(0, +), byNamespace)
    }

    @Test("On the demo, E opens ROOT/default and its impact counts exactly the sidecars without a Sidecar of their own")
    func demoCountsExactly() throws {
        var state = try demoState()
        state.press(.character("E"))
        let (editor, meshDefault) = try meshEditor(state)
        let inventory = try #require(Self.demo).analysis.inventory
        #expect(editor.target == EditorTarget(namespace: inventory.meshConfig.rootNamespace))
        #expect(editor.sidecarName == "default" && editor.replaces == nil)
        #expect(editor.hosts == ["./*", "\(inventory.istiodNamespace)/*"], "no root default yet: the common fix")
        #expect(state.breadcrumbs.last == "mesh-wide default")
        let expected = Self.independentCount(inventory)
        try #require(expected.count > 1000, "the demo has more than a thousand sidecars without a Sidecar")
        #expect(meshDefault.impact.sidecarsAffected == expected.count)
        #expect(editor.impact.affectedPodCount == expected.count)
        #expect(Dictionary(uniqueKeysWithValues: meshDefault.impact.namespaces.map { ($0.namespace, $0.sidecars) }) == expected.byNamespace)
        #expect(meshDefault.impact.namespaces.reduce(0) { $0 + $1.clustersAfter } == meshDefault.impact.clustersAfter)
        let savings = meshDefault.impact.namespaces.map(\.savingBytes)
        #expect(savings == savings.sorted(by: >), "largest saving first")
        #expect(meshDefault.impact.clustersAfter < meshDefault.impact.clustersBefore)
    }

    @Test("`.` is evaluated in each proxy's namespace: a namespace's figures are those of the same hosts as its own Sidecar")
    func dotPerNamespace() throws {
        var state = try demoState()
        state.press(.character(":"))
        state.type("mesh")
        state.press(.enter)
        let (editor, meshDefault) = try meshEditor(state)
        let data = try #require(Self.demo)
        let kept = Set(meshDefault.impact.unaffected.map(\.namespace))
        let partly = Set(data.analysis.pods.filter { $0.pod.hasSidecarProxy && $0.sidecar != nil }.map(\.pod.namespace))
        let whole = meshDefault.impact.namespaces.filter { !partly.contains($0.namespace) }
        try #require(whole.count >= 10)
        for row in whole {
            #expect(!kept.contains(row.namespace))
            let own = data.analysis.impact(namespace: row.namespace, workloadSelector: nil, hosts: editor.hosts)
            #expect(row.clustersAfter == own.clustersAfter, "\(row.namespace)")
            #expect(row.cuts.count == own.cutDestinations.count, "\(row.namespace)")
        }
        // Without `./*` every proxy loses its own namespace: calls within a namespace are cut too.
        let withoutOwn = meshDefault.calculator.impact(hosts: ["\(data.istiodNamespace)/*"])
        #expect(withoutOwn.clustersAfter < meshDefault.impact.clustersAfter)
        #expect(withoutOwn.cuts.contains { $0.host.hasPrefix($0.sourceNamespace + "/") })
        #expect(!meshDefault.impact.cuts.contains { $0.host.hasPrefix($0.sourceNamespace + "/") })
    }

    @Test("Namespaces that keep their own Sidecar are listed as unaffected, with its name; cuts are per source namespace")
    func unaffectedAndCuts() throws {
        var state = try demoState()
        state.press(.character("E"))
        let (_, meshDefault) = try meshEditor(state)
        let data = try #require(Self.demo)
        let scoped = data.analysis.pods.filter(\.pod.hasSidecarProxy)
        let keeping = Set(scoped.filter { $0.sidecar != nil }.map(\.pod.namespace)).subtracting(scoped.filter { $0.sidecar == nil }.map(\.pod.namespace))
        try #require(!keeping.isEmpty, "the demo has a namespace with its own Sidecar")
        #expect(Set(meshDefault.impact.unaffected.map(\.namespace)) == keeping)
        for row in meshDefault.impact.unaffected {
            let sidecar = try #require(row.keptBy)
            #expect(data.analysis.inventory.sidecars.contains { $0.meta.qualifiedName == sidecar && $0.meta.namespace == row.namespace })
        }
        // Every sidecar either gets the mesh default or keeps its own Sidecar, and the breakdown says which.
        let kept = (meshDefault.impact.namespaces + meshDefault.impact.unaffected).reduce(0) { $0 + $1.keptSidecars }
        #expect(meshDefault.impact.sidecarsAffected + kept == scoped.count)
        let partly = meshDefault.impact.namespaces.filter { $0.keptSidecars > 0 }
        #expect(Set(partly.map(\.namespace)) == Set(scoped.filter { $0.sidecar != nil }.map(\.pod.namespace)).subtracting(keeping))
        for row in partly {
            #expect(row.keptSidecars == scoped.count { $0.pod.namespace == row.namespace && $0.sidecar != nil }, "\(row.namespace)")
            #expect(row.keptBy.map { name in scoped.contains { $0.sidecar == name } } == true)
        }
        // The risk: calls across namespaces, each named by its source namespace, in the red section and the rows.
        try #require(!meshDefault.impact.cuts.isEmpty)
        for cut in meshDefault.impact.cuts {
            #expect(meshDefault.impact.namespaces.first { $0.namespace == cut.sourceNamespace }?.cuts.contains(cut) == true)
        }
        let screen = render(state).text
        let first = try #require(meshDefault.impact.cuts.first)
        #expect(screen.contains("✗ CUTS OBSERVED TRAFFIC"))
        #expect(screen.contains("\(first.sourceNamespace) → "))
        // Scrolled past the affected namespaces, the breakdown lists the unaffected ones with their Sidecar.
        for _ in meshDefault.impact.namespaces { state.press(.character("]")) }
        let scrolled = render(state).text
        #expect(scrolled.contains("UNAFFECTED"))
        let firstKept = try #require(meshDefault.impact.unaffected.first)
        #expect(scrolled.contains("keeps \(firstKept.keptBy ?? "?")"))
    }

    @Test("e on the root namespace's row opens the mesh-wide default; elsewhere a namespace's editor")
    func rootRow() throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace("istio-system")
        state.press(.character("e"))
        let (editor, meshDefault) = try meshEditor(state)
        #expect(editor.target.namespace == "istio-system" && editor.target.workloadSelector == nil)
        // bookinfo 5, payments 2, shipping 1; scoped keeps its Sidecar; legacy and istio-system have no sidecars.
        #expect(meshDefault.impact.sidecarsAffected == Self.independentCount(TestMesh.inventory).count)
        #expect(meshDefault.impact.sidecarsAffected == 8)
        #expect(meshDefault.impact.unaffected.map(\.namespace) == ["scoped"])
        #expect(meshDefault.impact.unaffected.first?.keptBy == "scoped/default")
        var other = TestMesh.state()
        other.goToNamespace("shipping")
        other.press(.character("e"))
        guard case .editor(let shipping) = other.top else { throw TestFailure("no editor") }
        #expect(!shipping.isMeshDefault)
    }

    @Test(":mesh is in the command table: tab completes it, and it opens the editor from any screen")
    func commandTable() throws {
        var state = TestMesh.state(width: 80, height: 24)
        state.goToNamespace("bookinfo")
        state.press(.enter, .character(":"))
        state.type("me")
        state.press(.tab)
        #expect(state.prompt?.text == "mesh")
        state.press(.enter)
        let (editor, _) = try meshEditor(state)
        #expect(editor.target.namespace == "istio-system")
        #expect(state.breadcrumbs == ["namespaces", "bookinfo", "mesh-wide default"])
        // The key tables name it, so the hint bar and help show it.
        #expect(KeyMap.namespaces.binding(for: .character("E"))?.command == .openMeshDefault)
        #expect(KeyMap.global.binding(for: .character(":"))?.description.contains(":mesh") == true)
        #expect(KeyMap.helpLines(for: .editor, readOnly: false).contains { if case .binding("]", _) = $0 { true } else { false } })
    }

    @Test("Toggling a host recomputes the mesh-wide impact; ] and [ scroll the breakdown")
    func toggleAndScroll() throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.press(.character(":"))
        state.type("mesh")
        state.press(.enter)
        let (_, before) = try meshEditor(state)
        #expect(before.impact.cuts.map(\.host) == ["payments/api.payments.svc.cluster.local"])
        #expect(before.impact.cuts.first?.sourceNamespace == "shipping")
        // payments/* keeps shipping's call.
        for _ in 0..<20 {
            guard case .editor(let editor) = state.top, editor.currentRow != .namespace("payments") else { break }
            state.press(.down)
        }
        guard case .editor(let editor) = state.top, editor.currentRow == .namespace("payments") else { throw TestFailure("no payments row") }
        state.press(.character(" "))
        let (afterEditor, after) = try meshEditor(state)
        #expect(afterEditor.hosts.contains("payments/*"))
        #expect(after.impact.cuts.isEmpty)
        #expect(after.impact.clustersAfter > before.impact.clustersAfter)
        #expect(afterEditor.impact.cutDestinations.isEmpty)
        state.press(.character("]"))
        #expect(try meshEditor(state).1.breakdownOffset == 1)
        state.press(.character("}"))
        #expect(try meshEditor(state).1.breakdownOffset == after.breakdownCount - 1)
        state.press(.character("["))
        #expect(try meshEditor(state).1.breakdownOffset == after.breakdownCount - 2)
        #expect(state.checkInvariants() == [])
        // The observed preset keeps every destination.
        state.press(.character("2"))
        #expect(try meshEditor(state).1.impact.cuts.isEmpty)
        #expect(try meshEditor(state).0.hosts.starts(with: ["./*", "istio-system/*"]))
    }

    @Test("Preview and write work as for any Sidecar: ROOT/default without a selector, the cut in SAFETY")
    func previewAndWrite() throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.press(.character("E"), .character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("y did not open the preview") }
        #expect(preview.isMeshDefault)
        #expect(preview.manifest.namespace == "istio-system" && preview.manifest.name == "default")
        #expect(preview.manifest.workloadSelector.isEmpty)
        #expect(!preview.manifest.yaml.contains("workloadSelector"))
        let text = preview.lines.map(\.text).joined(separator: "\n")
        #expect(text.contains("(mesh-wide default)"))
        #expect(text.contains("every sidecar without a Sidecar of its own"))
        #expect(preview.safety.contains { $0.code == SafetyFinding.Code.cutsObservedTraffic && $0.message.contains("api.payments.svc.cluster.local") })
        #expect(preview.safety.contains { $0.code == SafetyFinding.Code.meshWideSidecar })
        state.press(.character("w"))
        #expect(state.prompt?.kind == .writePath)
    }

    @Test("On a live cluster a of the mesh default's preview checks applying ROOT/default, as for any Sidecar")
    func applyChecks() throws {
        var state = TestMesh.state(width: 120, height: 40)
        state.canApplyToCluster = true
        state.press(.character("E"), .character("1"), .character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("y did not open the preview") }
        let effects = state.press(.character("a"))
        let asked = effects.contains { effect in
            if case .checkApply(let document) = effect {
                return document == ApplyDocument(manifest: preview.manifest, version: TestMesh.data.istioVersion)
                    && document.namespace == "istio-system" && document.sidecar.workloadSelector == nil
            }
            return false
        }
        // A cut is a warning under ALLOW_ANY, so the check starts at once; an error would ask first.
        #expect(asked || state.confirm?.intent == .applyDespiteSafetyErrors, "\(effects)")
    }

    @Test("An existing mesh default is edited keeping every field; the header and namespaces screen name it")
    func existingDefault() throws {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: default
              namespace: istio-system
              labels:
                team: platform
            spec:
              outboundTrafficPolicy:
                mode: REGISTRY_ONLY
              egress:
              - hosts:
                - "./*"
                - "istio-system/*"
                - "payments/*"

            """
        let root = try #require(try SidecarDocumentReader.read(yaml).sidecars.first?.sidecar)
        var inventory = TestMesh.inventory
        inventory.sidecars.append(root)
        let data = MeshData(analysis: MeshAnalysis(inventory: inventory, observations: TestMesh.observations, source: "test-mesh.json"))
        var state = AppState(data: data, width: 120, height: 40)
        #expect(render(state).text.contains("mesh default: istio-system/default"))
        let narrow = AppState(data: data, width: 80, height: 24)
        #expect(render(narrow).text.contains("mesh default: istio-system/default"), "the namespaces screen names it")
        let wide = AppState(data: data, width: 200, height: 40)
        #expect(render(wide).text.contains("mesh default: istio-system/default (./*, istio-system/*, payments/*)"))
        state.press(.character("E"))
        let (editor, meshDefault) = try meshEditor(state)
        #expect(editor.hosts == ["./*", "istio-system/*", "payments/*"])
        #expect(editor.replaces?.meta.qualifiedName == "istio-system/default")
        #expect(meshDefault.impact.cuts.isEmpty)
        state.press(.character("0"), .character("1"), .character("y"))
        guard case .preview(let preview) = state.top else { throw TestFailure("y did not open the preview") }
        #expect(preview.manifest.hosts == ["./*", "istio-system/*"])
        #expect(preview.manifest.yaml.contains("REGISTRY_ONLY"))
        #expect(preview.manifest.yaml.contains("team: platform"))
        #expect(preview.replaces == "istio-system/default")
    }

    @Test("Without a mesh default the header says every sidecar imports */*")
    func noDefaultHeader() throws {
        let wide = TestMesh.state(width: 200, height: 40)
        #expect(render(wide).text.contains("mesh default: none — every sidecar imports */*"))
        #expect(render(TestMesh.state(width: 120, height: 40)).text.contains("mesh default: none (*/*)"))
    }
}
