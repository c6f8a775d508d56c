import MeshtrimCore

/// The pods screen: `enter` opens the sidecar detail, `e` the label picker for a workload Sidecar.
func performOnPods(_ state: inout AppState, _ command: Command, data: MeshData) -> [Effect] {
    guard case .pods(let screen) = state.top else { return [] }
    guard let index = screen.list.selectedSource, let summary = data.pod(at: index) else {
        return command == .drillIn || command == .openEditor ? flash(&state, "no pod selected", kind: .info) : []
    }
    switch command {
    case .drillIn:
        guard summary.pod.hasSidecar else {
            return flash(&state, "\(summary.pod.name) has no istio-proxy: nothing to trim", kind: .info)
        }
        pushDetail(&state, podIndex: index, data: data)
        return []
    case .openEditor:
        return openLabelPicker(&state, summary: summary)
    default:
        return []
    }
}

/// Pushes the detail screen of the pod at `podIndex`.
func pushDetail(_ state: inout AppState, podIndex: Int, data: MeshData) {
    guard let summary = data.pod(at: podIndex) else { return }
    let scope = data.analysis.scope(for: summary.pod)
    var traffic: [String: Int] = [:]
    for destination in summary.observation?.destinations ?? [] {
        traffic[destination.host, default: 0] += destination.requests
    }
    var screen = DetailScreen(
        podIndex: podIndex, podName: summary.pod.name, namespace: summary.pod.namespace, scope: scope, trafficByHost: traffic)
    screen.list.rows = clusterRows(screen: screen, list: screen.list)
    state.stack.append(.detail(screen))
}

/// Opens the label picker for a pod's workload Sidecar: its labels, `app` first and preselected.
func openLabelPicker(_ state: inout AppState, summary: PodSummary) -> [Effect] {
    guard summary.pod.hasSidecar else {
        return flash(&state, "\(summary.pod.name) has no istio-proxy: a Sidecar would not change it", kind: .info)
    }
    guard !summary.pod.isGateway else {
        return flash(&state, "\(summary.pod.name) is a gateway: Istio applies no Sidecar to it (it keeps the default scope)", kind: .info)
    }
    let preferred = ["app", "app.kubernetes.io/name"]
    let labels = summary.pod.labels
        .filter { !LabelPickerState.volatileKeys.contains($0.key) }
        .map { LabelPair(key: $0.key, value: $0.value) }
        .sorted { left, right in
            let a = preferred.firstIndex(of: left.key) ?? preferred.count
            let b = preferred.firstIndex(of: right.key) ?? preferred.count
            return a != b ? a < b : left.key < right.key
        }
    let chosen = labels.first { preferred.contains($0.key) }.map { Set([$0.key]) } ?? []
    state.labelPicker = LabelPickerState(
        namespace: summary.pod.namespace, podName: summary.pod.name, labels: labels, chosen: chosen)
    return []
}

extension LabelPickerState {
    /// Labels Kubernetes sets per ReplicaSet or revision: selecting on them would break on the next rollout.
    public static let volatileKeys: Set<String> = ["pod-template-hash", "controller-revision-hash", "pod-template-generation"]
}

/// Keys of the label picker, by ``KeyMap/labelPicker``: move, `space` toggles a label, `enter` opens the editor,
/// `esc` cancels.
func reducePickerKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    guard var picker = state.labelPicker else { return [] }
    switch KeyMap.labelPicker.binding(for: key)?.command {
    case .back:
        state.labelPicker = nil
        return []
    case .quit:
        return quit(&state)
    case .up:
        picker.cursor = max(0, picker.cursor - 1)
    case .down:
        picker.cursor = min(max(0, picker.labels.count - 1), picker.cursor + 1)
    case .toggle:
        guard picker.labels.indices.contains(picker.cursor) else { return [] }
        let key = picker.labels[picker.cursor].key
        if picker.chosen.contains(key) { picker.chosen.remove(key) } else { picker.chosen.insert(key) }
    case .openEditor:
        state.labelPicker = nil
        guard let data = state.data else { return [] }
        let selector = picker.selector
        if selector.isEmpty {
            return openEditor(&state, target: EditorTarget(namespace: picker.namespace), data: data)
        }
        let workload = SidecarNaming.workloadName(selector: selector)
        return openEditor(
            &state, target: EditorTarget(namespace: picker.namespace, workloadSelector: selector, workload: workload), data: data)
    default:
        return []
    }
    state.labelPicker = picker
    return []
}
