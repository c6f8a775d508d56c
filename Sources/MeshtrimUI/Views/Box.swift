/// Bordered panels for overlays (help, label picker, confirm).
enum Box {
    /// Clears a rectangle and draws a single-line border with an optional title in it.
    static func draw(x: Int, y: Int, width: Int, height: Int, title: String = "", into screen: inout Screen) {
        guard width >= 2, height >= 2 else { return }
        screen.fill(x: x, y: y, width: width, height: height)
        let horizontal = String(repeating: "─", count: width - 2)
        screen.put("┌" + horizontal + "┐", x: x, y: y, style: Theme.border)
        screen.put("└" + horizontal + "┘", x: x, y: y + height - 1, style: Theme.border)
        for row in (y + 1)..<(y + height - 1) {
            screen.put("│", x: x, y: row, style: Theme.border)
            screen.put("│", x: x + width - 1, y: row, style: Theme.border)
        }
        if !title.isEmpty, width > 6 {
            screen.put(" " + title + " ", x: x + 2, y: y, style: Theme.panelTitle, maxWidth: width - 4)
        }
    }

    /// A centred rectangle of at most `width` × `height` inside the screen (one cell of margin when possible).
    static func centered(width: Int, height: Int, in screen: Screen) -> (x: Int, y: Int, width: Int, height: Int) {
        let w = min(width, max(2, screen.width - 2))
        let h = min(height, max(2, screen.height - 2))
        return ((screen.width - w) / 2, (screen.height - h) / 2, w, h)
    }
}
