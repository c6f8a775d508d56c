import MeshtrimCore

/// Draws `state` into a new screen of the state's size: the whole UI as a pure function.
///
/// Lists draw only the rows on screen, so the cost of a frame does not grow with the number of pods.
public func render(_ state: AppState) -> Screen {
    var screen = Screen(width: state.width, height: state.height)
    render(state, into: &screen)
    return screen
}

/// Draws `state` into `screen` (which must be of the state's size).
public func render(_ state: AppState, into screen: inout Screen) {
    let layout = state.layout
    if layout.isTooSmall {
        drawTooSmall(width: state.width, height: state.height, into: &screen)
    } else {
        if let row = layout.headerRow { Chrome.drawHeader(state, y: row, into: &screen) }
        switch state.load {
        case .loading(let message):
            Chrome.drawCrumbs(state, right: "", y: layout.crumbRow, into: &screen)
            drawCentered(["⎈ " + message], style: Theme.brand, layout: layout, into: &screen)
        case .failed(let message):
            Chrome.drawCrumbs(state, right: "", y: layout.crumbRow, into: &screen)
            let lines = Formatting.wrap("✗ " + message, width: max(10, state.width - 4), indent: "  ") + ["", "press q to quit"]
            drawCentered(lines, style: Theme.danger, layout: layout, into: &screen)
        case .loaded(let data):
            drawScreen(state, data: data, layout: layout, into: &screen)
        }
        if let row = layout.statusRow {
            if state.prompt == nil, let flash = state.flash, flash.kind == .error, (" " + flash.message).terminalWidth > screen.width {
                // A long error takes the hint bar's row too: it has to be read in full.
                let lines = Formatting.wrap(flash.message, width: screen.width - 2, indent: "  ")
                for (index, line) in lines.prefix(2).enumerated() {
                    screen.put(" " + line, x: 0, y: row + index, style: Theme.flashError, maxWidth: screen.width)
                }
            } else {
                Chrome.drawStatus(state, y: row, into: &screen)
                HintBar.draw(state, y: layout.hintRow, into: &screen)
            }
        } else if state.prompt != nil || state.flash != nil {
            Chrome.drawStatus(state, y: layout.hintRow, into: &screen)
        } else {
            HintBar.draw(state, y: layout.hintRow, into: &screen)
        }
        switch state.modal {
        case .help: HelpOverlay.draw(state, into: &screen)
        case .labelPicker(let picker): LabelPickerView.draw(picker, into: &screen)
        case .question(let question): ConfirmView.draw(question, into: &screen)
        case .prompt, nil: break  // the prompt is drawn on the flash line
        }
    }
    if !state.colorEnabled {
        screen.restyle(x: 0, y: 0, width: screen.width, height: screen.height) { $0 = $0.withoutColor }
    }
}

/// The top screen's body and its crumbs line.
private func drawScreen(_ state: AppState, data: MeshData, layout: AppLayout, into screen: inout Screen) {
    switch state.top {
    case .namespaces(let namespaces):
        var right = Chrome.listSummary(namespaces.list, total: data.analysis.namespaces.count)
        // The mesh-wide default in effect, here when the header has no room for it.
        let inHeader = layout.headerRow != nil && Chrome.headerFacts(state, width: screen.width).contains { $0.text.hasPrefix("mesh default:") }
        let meshDefault = data.meshDefaultText(short: true)
        if !inHeader, " namespaces ".terminalWidth + meshDefault.terminalWidth + right.terminalWidth + 5 <= screen.width {
            right = meshDefault + "  " + right
        }
        Chrome.drawCrumbs(state, right: right, y: layout.crumbRow, into: &screen)
        NamespacesView.draw(namespaces, data: data, layout: layout, into: &screen)
    case .pods(let pods):
        let total = data.podIndicesByNamespace[pods.namespace]?.count ?? 0
        Chrome.drawCrumbs(state, right: Chrome.listSummary(pods.list, total: total), y: layout.crumbRow, into: &screen)
        PodsView.draw(pods, data: data, layout: layout, status: state.live.status, into: &screen)
    case .detail(let detail):
        Chrome.drawCrumbs(state, right: Chrome.listSummary(detail.list, total: detail.scope.clusters.count), y: layout.crumbRow, into: &screen)
        SidecarDetailView.draw(detail, data: data, layout: layout, status: state.live.status, into: &screen)
    case .editor(let editor):
        let chosen = Formatting.plural(editor.hosts.count, "host")
        Chrome.drawCrumbs(state, right: chosen, y: layout.crumbRow, into: &screen)
        EgressEditorView.draw(editor, data: data, layout: layout, into: &screen)
    case .preview(let preview):
        let page = layout.pageSize(for: .preview)
        let last = min(preview.lines.count, preview.offset + page)
        let right = "lines \(preview.lines.isEmpty ? 0 : preview.offset + 1)-\(last)/\(preview.lines.count)"
        Chrome.drawCrumbs(state, right: right, y: layout.crumbRow, into: &screen)
        YAMLPreviewView.draw(preview, layout: layout, into: &screen)
    case .apply(let apply):
        let page = layout.pageSize(for: .apply)
        let last = min(apply.lines.count, apply.offset + page)
        let right = "lines \(apply.lines.isEmpty ? 0 : apply.offset + 1)-\(last)/\(apply.lines.count)"
        Chrome.drawCrumbs(state, right: right, y: layout.crumbRow, into: &screen)
        ApplyView.draw(apply, layout: layout, into: &screen)
    case .plan(let plan):
        Chrome.drawCrumbs(state, right: PlanView.summary(plan, layout: layout), y: layout.crumbRow, into: &screen)
        PlanView.draw(plan, layout: layout, into: &screen)
    }
}

/// Lines centred in the body.
private func drawCentered(_ lines: [String], style: CellStyle, layout: AppLayout, into screen: inout Screen) {
    let top = layout.bodyTop + max(0, (layout.bodyHeight - lines.count) / 2)
    for (index, line) in lines.enumerated() where index < layout.bodyHeight {
        let text = line.truncated(toWidth: screen.width - 2)
        screen.put(text, x: max(1, (screen.width - text.terminalWidth) / 2), y: top + index, style: style)
    }
}

/// `terminal too small (WxH); q quits; need 20x5`, wrapped into whatever room there is (keys but `q` and ctrl-c
/// do nothing meanwhile).
private func drawTooSmall(width: Int, height: Int, into screen: inout Screen) {
    guard width > 0, height > 0 else { return }
    let lines = Formatting.wrap("terminal too small (\(width)x\(height)); q quits; need \(AppLayout.minimumWidth)x\(AppLayout.minimumHeight)", width: width)
    for (index, line) in lines.prefix(height).enumerated() {
        screen.put(line, x: 0, y: index, style: Theme.warning)
    }
}
