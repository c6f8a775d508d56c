/// Mouse: the wheel scrolls; a click selects a row, and a click on the selected row opens it (or toggles it in the
/// editor). Nothing happens while the terminal is too small to show the screen.
func reduceMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
    guard state.data != nil, !state.layout.isTooSmall, !state.isWriting, state.prompt == nil, state.confirm == nil,
        state.labelPicker == nil
    else { return [] }
    if state.help != nil {
        switch event {
        case .wheelUp: return reduceHelpKey(&state, .up)
        case .wheelDown: return reduceHelpKey(&state, .down)
        case .click: return []
        }
    }
    switch event {
    case .wheelUp:
        var effects: [Effect] = []
        for _ in 0..<3 { effects += perform(&state, .up) }
        return effects
    case .wheelDown:
        var effects: [Effect] = []
        for _ in 0..<3 { effects += perform(&state, .down) }
        return effects
    case .click(_, let y):
        let layout = state.layout
        let kind = state.top.kind
        let first = layout.firstListRow(for: kind)
        let row = y - first
        guard row >= 0, row < state.pageSize else { return [] }
        switch state.top {
        case .namespaces, .pods, .detail:
            guard var list = state.top.list else { return [] }
            let position = list.offset + row
            guard list.rows.indices.contains(position) else { return [] }
            if position == list.selection { return perform(&state, .drillIn) }
            list.select(position, pageSize: state.pageSize)
            var route = state.top
            route.list = list
            state.top = route
            return []
        case .editor(var editor):
            let position = editor.offset + row
            guard editor.rows.indices.contains(position), editor.rows[position].isSelectable else { return [] }
            if position == editor.cursor { return perform(&state, .toggle) }
            editor.cursor = position
            clampEditor(&editor, pageSize: state.pageSize)
            state.top = .editor(editor)
            return []
        case .preview, .apply, .plan:
            return []
        }
    }
}
