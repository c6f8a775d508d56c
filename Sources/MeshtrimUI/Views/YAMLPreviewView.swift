import MeshtrimCore

/// The YAML preview: validation, the manifest and the diff, coloured by line kind, from the scroll offset.
enum YAMLPreviewView {
    /// Draws the visible lines into the body.
    static func draw(_ preview: PreviewState, layout: AppLayout, into screen: inout Screen) {
        drawLines(preview.lines, from: preview.offset, rows: layout.pageSize(for: .preview), top: layout.bodyTop, into: &screen)
    }

    /// Draws `rows` report lines from `offset` at row `top`, coloured by kind (YAML keys highlighted); the apply
    /// screen draws its report with it too.
    static func drawLines(_ lines: [ReportLine], from offset: Int, rows: Int, top: Int, into screen: inout Screen) {
        for index in 0..<max(0, rows) {
            let position = offset + index
            guard lines.indices.contains(position) else { break }
            let line = lines[position]
            let y = top + index
            switch line.kind {
            case .yaml:
                drawYAML(line.text, y: y, into: &screen)
            default:
                screen.put(line.text.truncated(toWidth: screen.width - 2), x: 1, y: y, style: style(line.kind))
            }
        }
    }

    /// The style of a line kind.
    static func style(_ kind: PreviewLine.Kind) -> CellStyle {
        switch kind {
        case .heading: return Theme.panelTitle
        case .yaml, .context: return .plain
        case .error: return Theme.danger
        case .warning: return Theme.warning
        case .success: return Theme.good
        case .note: return Theme.dim
        case .diffHeader: return Theme.hunk
        case .added: return Theme.added
        case .removed: return Theme.removed
        }
    }

    /// A YAML line with its key highlighted.
    static func drawYAML(_ text: String, y: Int, into screen: inout Screen) {
        let shown = text.truncated(toWidth: screen.width - 2)
        if let colon = shown.firstIndex(of: ":"), !shown[..<colon].contains("\""), !shown.trimmed.hasPrefix("- ") {
            let x = screen.put(String(shown[..<colon]), x: 1, y: y, style: Theme.yamlKey)
            screen.put(String(shown[colon...]), x: x, y: y)
        } else {
            screen.put(shown, x: 1, y: y)
        }
    }
}
