/// The apply confirmation: the check's lines (RBAC, dry-run, pods, diff) from the scroll offset, and the Cancel /
/// Apply buttons on the body's last row, the highlighted one reversed.
enum ApplyView {
    /// Draws the lines and the buttons into the body.
    static func draw(_ apply: ApplyState, layout: AppLayout, into screen: inout Screen) {
        let page = layout.pageSize(for: .apply)
        YAMLPreviewView.drawLines(apply.lines, from: apply.offset, rows: page, top: layout.bodyTop, into: &screen)
        drawButtons(apply, y: layout.bodyTop + page, into: &screen)
    }

    /// `[ Cancel ]  [ Apply ]` and what the state allows, on row `y`.
    static func drawButtons(_ apply: ApplyState, y: Int, into screen: inout Screen) {
        var x = 1
        let cancelStyle = apply.choice == .cancel ? Theme.button : Theme.bold
        x = screen.put("[ Cancel ]", x: x, y: y, style: cancelStyle, maxWidth: max(0, screen.width - 1 - x))
        x += 2
        let applyStyle: CellStyle
        if !apply.canApply {
            applyStyle = Theme.dim
        } else {
            applyStyle = apply.choice == .apply ? Theme.button : Theme.bold
        }
        x = screen.put("[ Apply ]", x: x, y: y, style: applyStyle, maxWidth: max(0, screen.width - 1 - x))
        x += 2
        let status: (String, CellStyle)
        switch apply.phase {
        case .checking: status = ("checking with the cluster…", Theme.dim)
        case .applying: status = ("applying…", Theme.dim)
        case .failed: status = ("not applied; esc: back", Theme.danger)
        case .checked(let check):
            if check.mayApply {
                status = (apply.choice == .cancel ? "enter cancels; tab or y to apply" : "enter applies", Theme.dim)
            } else {
                status = ("cannot apply (see above)", Theme.danger)
            }
        }
        if x < screen.width - 1 {
            screen.put(status.0, x: x, y: y, style: status.1, maxWidth: screen.width - 1 - x)
        }
    }
}

extension Theme {
    /// The highlighted button of a dialog.
    static let button = CellStyle(bold: true, reverse: true)
}
