/// The `?` overlay: every key of the current screen, then navigation and general keys, from the key tables.
enum HelpOverlay {
    /// Draws the overlay over the body.
    static func draw(_ state: AppState, into screen: inout Screen) {
        let layout = state.layout
        let lines = KeyMap.helpLines(for: state.top.kind, readOnly: state.readOnly, live: state.canApplyToCluster)
        let width = min(84, screen.width - 2)
        let height = layout.bodyHeight
        guard width >= 10, height >= 3 else { return }
        let x = (screen.width - width) / 2
        let y = layout.bodyTop
        screen.fill(x: 0, y: y, width: screen.width, height: height)
        Box.draw(x: x, y: y, width: width, height: height, title: "help · \(state.top.kind.title)", into: &screen)
        let inner = height - 2
        let offset = min(state.help?.offset ?? 0, max(0, lines.count - inner))
        let keyWidth = min(12, max(6, (width - 4) / 3))
        for row in 0..<inner {
            let index = offset + row
            guard lines.indices.contains(index) else { break }
            let lineY = y + 1 + row
            switch lines[index] {
            case .title(let title):
                screen.put(title, x: x + 2, y: lineY, style: Theme.section, maxWidth: width - 4)
            case .binding(let key, let description):
                screen.put(key.padded(toWidth: keyWidth), x: x + 2, y: lineY, style: Theme.hintKey)
                screen.put(description, x: x + 3 + keyWidth, y: lineY, maxWidth: max(0, width - keyWidth - 5))
            case .blank:
                break
            }
        }
        if lines.count > inner {
            let more = " \(offset + 1)-\(min(lines.count, offset + inner))/\(lines.count) "
            screen.put(more, x: x + width - more.terminalWidth - 2, y: y + height - 1, style: Theme.dim)
        }
    }
}
