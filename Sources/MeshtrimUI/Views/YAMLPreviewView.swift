/// The YAML preview: validation, the manifest and the diff, coloured by line kind, from the scroll offset.
enum YAMLPreviewView {
    /// Draws the visible lines into the body.
    static func draw(_ preview: PreviewState, layout: AppLayout, into screen: inout Screen) {
        let page = layout.pageSize(for: .preview)
        for index in 0..<page {
            let position = preview.offset + index
            guard preview.lines.indices.contains(position) else { break }
            let line = preview.lines[position]
            let y = layout.bodyTop + index
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
