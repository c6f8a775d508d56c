import MeshtrimCore

/// Opens the egress editor for `target`, starting from the hosts of the Sidecar it would replace (if any).
func openEditor(_ state: inout AppState, target: EditorTarget, data: MeshData) -> [Effect] {
    let editor = makeEditor(target: target, data: data)
    state.stack.append(.editor(editor))
    clampTop(&state)
    if editor.impact.affectedPodCount == 0 {
        return flash(&state, "no sidecar in \(target.description) would use this Sidecar", kind: .info)
    }
    return []
}

/// Builds the editor state for `target`: the Sidecar's name, what it replaces, observed traffic, rows, impact.
public func makeEditor(target: EditorTarget, data: MeshData) -> EditorState {
    let inventory = data.analysis.inventory
    let choice = SidecarNaming.choose(namespace: target.namespace, selector: target.workloadSelector, sidecars: inventory.sidecars)
    let name = choice.name
    // A Sidecar of that name with another selector is where the editor starts from too (and what it warns about).
    let replaces = choice.replacing ?? inventory.sidecars.first { $0.meta.namespace == target.namespace && $0.meta.name == name }
    var observedByHost: [String: Int] = [:]
    var observedByNamespace: [String: Int] = [:]
    for index in data.podIndicesByNamespace[target.namespace] ?? [] {
        let summary = data.analysis.pods[index]
        guard summary.pod.hasSidecarProxy else { continue }  // a gateway's traffic is no evidence for a Sidecar
        if let selector = target.workloadSelector, !LabelSelector(selector).matches(summary.pod.labels) { continue }
        for destination in summary.observation?.destinations ?? [] {
            let host = data.analysis.egressHost(for: destination, proxyNamespace: target.namespace)
            observedByHost[host, default: 0] += destination.requests
            let namespace = String(host.prefix { $0 != "/" })
            observedByNamespace[namespace, default: 0] += destination.requests
        }
    }
    // Only the default egress listener is edited; other listeners are written back as they are.
    let hosts = replaces?.defaultEgressHosts ?? []
    let blocks = data.analysis.egressImpactBlocks(namespace: target.namespace)
    let impact = data.analysis.impact(
        namespace: target.namespace, workloadSelector: target.workloadSelector, hosts: hosts, name: name, blocks: blocks)
    var editor = EditorState(
        target: target, sidecarName: name, replaces: replaces, hosts: hosts, customHosts: [], expanded: [], rows: [],
        cursor: 0, offset: 0, impact: impact, observedByHost: observedByHost, observedByNamespace: observedByNamespace,
        version: data.istioVersion, apiVersion: data.analysis.inventory.servedSidecarAPIVersion)
    editor.impactBlocks = blocks
    adoptCustomHosts(&editor, data: data)
    editor.rows = editorRows(editor, data: data)
    editor.cursor = editor.rows.firstIndex { $0.isSelectable } ?? 0
    return editor
}

/// The editor's rows: the two common hosts, every namespace (with services when expanded), custom hosts.
public func editorRows(_ editor: EditorState, data: MeshData) -> [EditorRow] {
    var rows: [EditorRow] = [.currentNamespace, .istiodNamespace(data.istiodNamespace), .section("namespaces")]
    for namespace in data.namespaceNames {
        rows.append(.namespace(namespace))
        if editor.expanded.contains(namespace) {
            for service in data.servicesByNamespace[namespace] ?? [] {
                rows.append(.service(namespace: namespace, hostname: service.hostname))
            }
        }
    }
    rows.append(.section("custom hosts"))
    rows += editor.customHosts.map(EditorRow.custom)
    rows.append(.addCustom)
    return rows
}

/// Whether a row other than a custom one stands for `host`.
func hasOwnRow(_ host: String, data: MeshData) -> Bool {
    if host == "./*" || host == data.istiodNamespace + "/*" { return true }
    guard let slash = host.firstIndex(of: "/") else { return false }
    let namespace = String(host[..<slash])
    let name = String(host[host.index(after: slash)...])
    guard data.namespaceNames.contains(namespace) else { return false }
    if name == "*" { return true }
    return data.servicesByNamespace[namespace]?.contains { $0.hostname == name } ?? false
}

/// Lists chosen hosts that have no row of their own in the custom section.
func adoptCustomHosts(_ editor: inout EditorState, data: MeshData) {
    for host in editor.hosts where !hasOwnRow(host, data: data) && !editor.customHosts.contains(host) {
        editor.customHosts.append(host)
    }
}

/// Recomputes the impact after the hosts changed (the only place the editor calls the engine).
func hostsChanged(_ editor: inout EditorState, data: MeshData) {
    if editor.isMeshDefault {
        meshDefaultHostsChanged(&editor)
    } else {
        editor.impact = data.analysis.impact(
            namespace: editor.target.namespace, workloadSelector: editor.target.workloadSelector, hosts: editor.hosts,
            name: editor.sidecarName, blocks: editor.impactBlocks)
    }
    let before = editor.customHosts
    adoptCustomHosts(&editor, data: data)
    if editor.customHosts != before { rebuildRows(&editor, data: data) }
}

/// Rebuilds the rows, keeping the cursor on the same row when it is still there.
func rebuildRows(_ editor: inout EditorState, data: MeshData, focus: EditorRow? = nil) {
    let current = focus ?? editor.currentRow
    editor.rows = editorRows(editor, data: data)
    if let current, let index = editor.rows.firstIndex(of: current) {
        editor.cursor = index
    } else {
        editor.cursor = min(editor.cursor, max(0, editor.rows.count - 1))
        if !editor.rows.indices.contains(editor.cursor) || !editor.rows[editor.cursor].isSelectable {
            editor.cursor = nearestSelectable(editor.rows, from: editor.cursor, direction: -1)
        }
    }
}

/// The nearest selectable row from `index` in `direction`, else in the other direction.
func nearestSelectable(_ rows: [EditorRow], from index: Int, direction: Int) -> Int {
    var position = index
    while rows.indices.contains(position) {
        if rows[position].isSelectable { return position }
        position += direction
    }
    position = index
    while rows.indices.contains(position) {
        if rows[position].isSelectable { return position }
        position -= direction
    }
    return 0
}

/// Keeps the cursor on a selectable row and on screen.
func clampEditor(_ editor: inout EditorState, pageSize: Int) {
    let page = max(1, pageSize)
    editor.cursor = max(0, min(editor.cursor, editor.rows.count - 1))
    if !editor.rows.isEmpty && !editor.rows[editor.cursor].isSelectable {
        editor.cursor = nearestSelectable(editor.rows, from: editor.cursor, direction: 1)
    }
    if editor.cursor < editor.offset { editor.offset = editor.cursor }
    if editor.cursor >= editor.offset + page { editor.offset = editor.cursor - page + 1 }
    editor.offset = max(0, min(editor.offset, max(0, editor.rows.count - page)))
    if editor.offset > editor.cursor { editor.offset = editor.cursor }
    // A section title right above the cursor scrolls in with it.
    if editor.offset == editor.cursor, editor.offset > 0, !editor.rows[editor.offset - 1].isSelectable, page > 1 {
        editor.offset -= 1
    }
}

/// Moves the cursor by `delta` selectable rows' worth, skipping section titles.
func moveEditorCursor(_ editor: inout EditorState, to target: Int, direction: Int, pageSize: Int) {
    let clamped = max(0, min(target, editor.rows.count - 1))
    editor.cursor = nearestSelectable(editor.rows, from: clamped, direction: direction)
    clampEditor(&editor, pageSize: pageSize)
}

/// Adds `host` to the selection (or removes it when present).
func toggleHost(_ host: String, in editor: inout EditorState, data: MeshData) {
    if let index = editor.hosts.firstIndex(of: host) {
        editor.hosts.remove(at: index)
    } else {
        editor.hosts.append(host)
    }
    hostsChanged(&editor, data: data)
}

/// Commands of the egress editor.
func performOnEditor(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard let data = state.data, case .editor(var editor) = state.top else { return [] }
    let page = state.pageSize
    var effects: [Effect] = []
    switch command {
    case .up: moveEditorCursor(&editor, to: editor.cursor - 1, direction: -1, pageSize: page)
    case .down: moveEditorCursor(&editor, to: editor.cursor + 1, direction: 1, pageSize: page)
    case .pageUp: moveEditorCursor(&editor, to: editor.cursor - page, direction: -1, pageSize: page)
    case .pageDown: moveEditorCursor(&editor, to: editor.cursor + page, direction: 1, pageSize: page)
    case .top: moveEditorCursor(&editor, to: 0, direction: 1, pageSize: page)
    case .bottom: moveEditorCursor(&editor, to: editor.rows.count - 1, direction: -1, pageSize: page)
    case .toggle:
        guard let row = editor.currentRow else { return [] }
        if row == .addCustom {
            state.prompt = addHostPrompt(text: "", data: data)
            return []
        }
        guard let host = row.host else { return [] }
        toggleHost(host, in: &editor, data: data)
    case .preset(let preset):
        editor.hosts = meshDefaultPresetHosts(preset, editor: editor, data: data)
            ?? data.analysis.hosts(for: preset, namespace: editor.target.namespace, workloadSelector: editor.target.workloadSelector)
        hostsChanged(&editor, data: data)
        // Show the services a preset picked one by one.
        let picked = Set(editor.hosts.compactMap { host -> String? in
            guard !host.hasSuffix("/*"), hasOwnRow(host, data: data) else { return nil }
            return String(host.prefix { $0 != "/" })
        })
        if !picked.isSubset(of: editor.expanded) {
            editor.expanded.formUnion(picked)
            rebuildRows(&editor, data: data)
        }
        let count = Formatting.plural(editor.hosts.count, "host")
        effects = flash(&state, "\(preset.title): \(count)", kind: .info)
    case .expand:
        switch editor.currentRow {
        case .namespace(let namespace):
            if editor.expanded.contains(namespace) {
                moveEditorCursor(&editor, to: editor.cursor + 1, direction: 1, pageSize: page)
            } else {
                editor.expanded.insert(namespace)
                rebuildRows(&editor, data: data)
                if (data.servicesByNamespace[namespace] ?? []).isEmpty {
                    effects = flash(&state, "\(namespace) has no services", kind: .info)
                }
            }
        case .addCustom:
            state.prompt = addHostPrompt(text: "", data: data)
            return []
        case .some(let row):
            if let host = row.host { toggleHost(host, in: &editor, data: data) }
        case .none:
            return []
        }
    case .collapse:
        switch editor.currentRow {
        case .namespace(let namespace):
            editor.expanded.remove(namespace)
            rebuildRows(&editor, data: data)
        case .service(let namespace, _):
            editor.expanded.remove(namespace)
            rebuildRows(&editor, data: data, focus: .namespace(namespace))
        default:
            return []
        }
    case .addHost:
        state.prompt = addHostPrompt(text: "", data: data)
        return []
    case .removeHost:
        guard case .custom(let host) = editor.currentRow else {
            return flash(&state, "only custom hosts can be removed; space unchecks a row", kind: .info)
        }
        editor.customHosts.removeAll { $0 == host }
        editor.hosts.removeAll { $0 == host }
        hostsChanged(&editor, data: data)
        rebuildRows(&editor, data: data)
    case .scrollImpact(let lines):
        guard scrollMeshDefaultBreakdown(&editor, by: lines) else {
            return flash(&state, "only the mesh-wide default's impact scrolls (:mesh opens it)", kind: .info)
        }
    case .preview, .write:
        state.top = .editor(editor)
        if editor.hosts.isEmpty { return flash(&state, emptySelectionMessage, kind: .error) }
        pushPreview(&state, editor: editor, data: data)
        return command == .write ? openWritePrompt(&state) : []
    default:
        return []
    }
    clampEditor(&editor, pageSize: page)
    state.top = .editor(editor)
    return effects
}

/// The add-host prompt with its live validation message.
func addHostPrompt(text: String, data: MeshData) -> PromptState {
    var prompt = PromptState(kind: .addHost, text: text)
    validateHostPrompt(&prompt, data: data)
    return prompt
}

/// Validates the typed host as Istio's webhook would, and says what it imports.
func validateHostPrompt(_ prompt: inout PromptState, data: MeshData) {
    let text = prompt.text.trimmed
    if text.isEmpty {
        prompt.message = "namespace/dnsName, e.g. */api.example.com, payments/*, ~/*"
        prompt.messageIsError = false
        return
    }
    let problems = EgressHost.problems(in: text, version: data.istioVersion)
    if let first = problems.first {
        prompt.message = "✗ " + first.description
        prompt.messageIsError = true
        return
    }
    // The scope engine's rule (exclusions included); `.` and `~` hosts get no count below.
    let listener = ListenerHosts([text], configNamespace: "", version: data.istioVersion)
    let matches = data.analysis.inventory.services.filter { service in
        listener.importingEntry(hostname: service.hostname, namespace: service.namespace) != nil
    }.count
    prompt.message = "✓ valid" + (text.hasPrefix(".") || text.hasPrefix("~") ? "" : ": imports \(Formatting.plural(matches, "known service"))")
    prompt.messageIsError = false
}

/// Why `y` and `w` refuse an empty selection: the egress listener would hold `hosts: []`, which Istio's webhook
/// rejects, while the impact panel describes a Sidecar without egress (which imports `*/*`, like no Sidecar).
let emptySelectionMessage =
    "nothing to write: no egress host chosen (hosts: [] is invalid; without a Sidecar the pods import */*) — 1: common fix, 2: observed, space: pick"

/// `esc` on the egress editor: leaves at once when the selection is the one it opened with, else asks
/// "discard changes?" (the default answer keeps editing).
func leaveEditor(_ state: inout AppState) -> [Effect]? {
    guard case .editor(let editor) = state.top, editor.hasChanges else { return nil }
    state.confirm = ConfirmState(
        question: "Discard the changed selection of Sidecar \(editor.target.namespace)/\(editor.sidecarName)? (y/N)",
        intent: .discardEditorChanges)
    return []
}

/// The answer to "discard changes?" (``KeyMap/confirm``): yes leaves the editor, no keeps it as it is.
func answerDiscard(_ state: inout AppState, yes: Bool) -> [Effect] {
    guard yes else {
        return flash(&state, "kept: the selection is still there (y previews, w writes)", kind: .info)
    }
    if case .editor = state.top, state.stack.count > 1 {
        state.stack.removeLast()
        clampTop(&state)
    }
    return []
}

/// Istio's webhook rules and meshtrim's own, applied to exactly the YAML the preview shows (read back from its
/// text), so VALIDATION never speaks of a host, listener or field the YAML does not hold.
func problemsOfShownYAML(_ manifest: SidecarManifest, version: IstioVersion) -> [SidecarProblem] {
    do {
        guard let document = try SidecarDocumentReader.read(manifest.yaml).sidecars.first else {
            return [SidecarProblem(.error, "the YAML shown holds no Sidecar")]
        }
        return document.problems
            + SidecarValidator(version: version).validate(
                document.sidecar, details: document.details, spec: document.spec)
    } catch {
        return [SidecarProblem(.error, "the YAML shown cannot be read back: \(error.description)")]
    }
}

/// After `w` wrote the top preview's Sidecar: the editor it came from counts as saved, so `esc` there leaves
/// without asking (until the selection changes again).
func markEditorSaved(_ state: inout AppState) {
    guard let hosts = topPreview(state)?.manifest.hosts else { return }
    for index in state.stack.indices.reversed() {
        guard case .editor(var editor) = state.stack[index] else { continue }
        if editor.hosts == hosts { editor.initialHosts = hosts }
        state.stack[index] = .editor(editor)
        return
    }
}
