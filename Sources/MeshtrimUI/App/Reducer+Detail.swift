import MeshtrimCore

/// The sidecar detail: `enter` shows why the selected cluster exists, `e` opens the label picker.
func performOnDetail(_ state: inout AppState, _ command: Command, data: MeshData) -> [Effect] {
    guard case .detail(var screen) = state.top else { return [] }
    switch command {
    case .drillIn:
        guard screen.list.selectedSource != nil else { return flash(&state, "no cluster selected", kind: .info) }
        screen.showsReason.toggle()
        state.top = .detail(screen)
        clampTop(&state)
        return []
    case .openEditor:
        guard let summary = data.pod(at: screen.podIndex) else { return [] }
        return openLabelPicker(&state, summary: summary)
    default:
        return []
    }
}

/// Puts a live source's answer about a pod's actual cluster names on every detail screen of that pod.
///
/// A failed re-fetch does not hide names already shown: the screen keeps them (they are older, and say when they
/// were fetched) unless nothing was fetched yet.
func applyClusterNames(_ state: inout AppState, pod: PodKey, status: ClusterNamesStatus) {
    for index in state.stack.indices {
        guard case .detail(var screen) = state.stack[index], screen.namespace == pod.namespace, screen.podName == pod.name else { continue }
        if case .actual = screen.clusterNames, case .failed = status { continue }
        screen.clusterNames = status
        state.stack[index] = .detail(screen)
    }
}
