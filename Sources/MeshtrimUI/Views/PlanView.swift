import MeshtrimCore

/// The plan screen: its lines from the scroll offset, coloured by kind, the cursor's line highlighted.
enum PlanView {
    /// Draws the visible lines into the body.
    static func draw(_ screen: PlanScreen, layout: AppLayout, into cells: inout Screen) {
        let rows = layout.pageSize(for: .plan)
        YAMLPreviewView.drawLines(screen.lines, from: screen.offset, rows: rows, top: layout.bodyTop, into: &cells)
        let y = layout.bodyTop + screen.cursor - screen.offset
        if screen.cursor >= screen.offset, screen.cursor < screen.offset + rows {
            Table.highlight(y: y, x: 0, width: cells.width, into: &cells)
        }
    }

    /// `lines 1-20/64 · 12 Sidecars` for the breadcrumb bar.
    static func summary(_ screen: PlanScreen, layout: AppLayout) -> String {
        let last = min(screen.lines.count, screen.offset + layout.pageSize(for: .plan))
        return "lines \(screen.lines.isEmpty ? 0 : screen.offset + 1)-\(last)/\(screen.lines.count)"
    }
}
