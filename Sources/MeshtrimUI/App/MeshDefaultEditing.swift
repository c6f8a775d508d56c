import MeshtrimCore

/// The egress editor's part for the mesh-wide default (`ROOT/default` without a selector): what it would do to every
/// sidecar Istio would give it, and where the per-namespace breakdown is scrolled to.
///
/// ``calculator`` holds what does not depend on the hosts (which sidecars get it, their traffic), made once when the
/// editor opens, so a toggle costs one scope per affected namespace.
public struct MeshDefaultEditing: Hashable, Sendable {
    /// Computes ``impact`` for a choice of hosts.
    public var calculator: MeshDefaultImpact.Calculator
    /// What the current hosts would do, mesh-wide.
    public var impact: MeshDefaultImpact
    /// The first line of the breakdown (affected, then unaffected namespaces) on screen.
    public var breakdownOffset: Int

    /// Makes the state for `hosts`.
    public init(calculator: MeshDefaultImpact.Calculator, hosts: [String]) {
        self.calculator = calculator
        self.impact = calculator.impact(hosts: hosts)
        self.breakdownOffset = 0
    }

    /// Lines of the breakdown: a row per affected namespace, a title, a row per unaffected one.
    public var breakdownCount: Int {
        impact.namespaces.count + (impact.unaffected.isEmpty ? 0 : 1 + impact.unaffected.count)
    }
}

extension EditorState {
    /// Whether this editor edits the mesh-wide default.
    public var isMeshDefault: Bool { meshDefault != nil }

    /// The breadcrumb: `mesh-wide default`, `egress bookinfo`, `egress bookinfo app=reviews`.
    public var crumb: String { isMeshDefault ? "mesh-wide default" : "egress " + target.description }
}

extension MeshData {
    /// The mesh-wide default in effect: the oldest Sidecar without a selector in the root namespace, if any.
    public var meshDefaultSidecar: Sidecar? {
        let inventory = analysis.inventory
        let root = inventory.meshConfig.rootNamespace
        return inventory.sidecars
            .filter { $0.meta.namespace == root && ($0.workloadSelector?.matchLabels ?? [:]).isEmpty }
            .min { ($0.meta.creationTime, $0.meta.name) < ($1.meta.creationTime, $1.meta.name) }
    }

    /// `mesh default: istio-system/default (./*, istio-system/*)` or `mesh default: none — every sidecar imports */*`;
    /// `short` leaves the hosts out (`mesh default: none (*/*)`).
    public func meshDefaultText(short: Bool) -> String {
        guard let sidecar = meshDefaultSidecar else {
            return short ? "mesh default: none (*/*)" : "mesh default: none — every sidecar imports */*"
        }
        let hosts = sidecar.egress.isEmpty ? ["*/*"] : sidecar.allEgressHosts
        let shown = hosts.prefix(3).joined(separator: ", ") + (hosts.count > 3 ? ", …" : "")
        return "mesh default: " + sidecar.meta.qualifiedName + (short ? "" : " (\(shown))")
    }
}

/// `:mesh`, `E` on the namespaces screen, `e` on the root namespace's row: opens the egress editor for the mesh-wide
/// default, on top of the screen the person is on.
func openMeshDefaultEditor(_ state: inout AppState) -> [Effect] {
    guard let data = state.data else { return [] }
    if case .editor(let editor) = state.top, editor.isMeshDefault { return [] }
    let editor = makeMeshDefaultEditor(data: data)
    state.stack.append(.editor(editor))
    clampTop(&state)
    if editor.impact.affectedPodCount == 0 {
        return flash(&state, "no sidecar would get the mesh-wide default: every namespace has a Sidecar of its own", kind: .info)
    }
    return []
}

/// The editor for `ROOT/default` without a selector: the existing mesh default's hosts (every other field is kept by
/// the manifest), else `./*` and the istiod namespace.
public func makeMeshDefaultEditor(data: MeshData) -> EditorState {
    let calculator = MeshPlanner(analysis: data.analysis).meshDefaultCalculator()
    let root = calculator.rootNamespace
    let current = calculator.current
    let inventory = data.analysis.inventory
    // A root Sidecar called `default` with a selector is not the mesh default: the new one must not replace it.
    let taken = current == nil && inventory.sidecars.contains { $0.meta.namespace == root && $0.meta.name == "default" }
    let name = current?.meta.name ?? (taken ? "mesh-default" : "default")
    let hosts = current?.defaultEgressHosts ?? data.analysis.hosts(for: .commonFix, namespace: root)
    let meshDefault = MeshDefaultEditing(calculator: calculator, hosts: hosts)
    var observedByNamespace: [String: Int] = [:]
    let observedByHost = calculator.observedByService
    for (host, requests) in observedByHost {
        observedByNamespace[String(host.prefix { $0 != "/" }), default: 0] += requests
    }
    var editor = EditorState(
        target: EditorTarget(namespace: root), sidecarName: name, replaces: current, hosts: hosts, customHosts: [], expanded: [],
        rows: [], cursor: 0, offset: 0, impact: meshDefault.impact.egressImpact, observedByHost: observedByHost,
        observedByNamespace: observedByNamespace, version: data.istioVersion,
        apiVersion: data.analysis.inventory.servedSidecarAPIVersion)
    editor.meshDefault = meshDefault
    adoptCustomHosts(&editor, data: data)
    editor.rows = editorRows(editor, data: data)
    editor.cursor = editor.rows.firstIndex { $0.isSelectable } ?? 0
    return editor
}

/// The mesh default's impact after its hosts changed (the calculator made when the editor opened).
func meshDefaultHostsChanged(_ editor: inout EditorState) {
    guard var meshDefault = editor.meshDefault else { return }
    meshDefault.impact = meshDefault.calculator.impact(hosts: editor.hosts)
    meshDefault.breakdownOffset = min(meshDefault.breakdownOffset, max(0, meshDefault.breakdownCount - 1))
    editor.impact = meshDefault.impact.egressImpact
    editor.meshDefault = meshDefault
}

/// The mesh default's presets: the observed one keeps every destination its sidecars were seen calling (each one's
/// own namespace with `./*`, the istiod namespace, and every service called across namespaces).
func meshDefaultPresetHosts(_ preset: EgressPreset, editor: EditorState, data: MeshData) -> [String]? {
    guard preset == .observedTraffic, let meshDefault = editor.meshDefault else { return nil }
    let istiod = data.istiodNamespace + "/*"
    return ["./*", istiod] + meshDefault.calculator.crossNamespaceServices.filter { !$0.hasPrefix(data.istiodNamespace + "/") }
}

/// `]` `[` `}` `{`: scrolls the mesh default's per-namespace breakdown.
func scrollMeshDefaultBreakdown(_ editor: inout EditorState, by lines: Int) -> Bool {
    guard var meshDefault = editor.meshDefault else { return false }
    meshDefault.breakdownOffset = max(0, min(meshDefault.breakdownOffset + lines, max(0, meshDefault.breakdownCount - 1)))
    editor.meshDefault = meshDefault
    return true
}

extension AppLayout {
    /// Rows of the mesh-wide default's impact panel below the list: about half the body, since its breakdown matters
    /// more than the host list (beside the list it takes the whole height, as the other editors' panel).
    public var meshDefaultPanelHeight: Int {
        if editorPanelBeside || bodyHeight < 16 { return editorPanelHeight }
        return max(editorPanelHeight, bodyHeight / 2 + 1)
    }

    /// Rows of the host list in the mesh-wide default's editor.
    public var meshDefaultPageSize: Int { max(1, bodyHeight - meshDefaultPanelHeight) }
}
