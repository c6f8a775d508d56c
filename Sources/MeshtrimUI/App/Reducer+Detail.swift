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
