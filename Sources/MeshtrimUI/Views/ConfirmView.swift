/// The yes/no dialog (default No).
enum ConfirmView {
    /// Draws the dialog.
    static func draw(_ confirm: ConfirmState, into screen: inout Screen) {
        let lines = Formatting.wrap(confirm.question, width: min(70, max(10, screen.width - 8)))
        let box = Box.centered(width: (lines.map(\.terminalWidth).max() ?? 10) + 6, height: lines.count + 4, in: screen)
        Box.draw(x: box.x, y: box.y, width: box.width, height: box.height, title: "confirm", into: &screen)
        for (index, line) in lines.enumerated() where index < box.height - 3 {
            screen.put(line, x: box.x + 3, y: box.y + 1 + index, style: Theme.bold, maxWidth: box.width - 4)
        }
        let x = screen.put("y", x: box.x + 3, y: box.y + box.height - 2, style: Theme.hintKey)
        let next = screen.put(" \(confirm.yesLabel)   ", x: x, y: box.y + box.height - 2, maxWidth: box.x + box.width - 1 - x)
        let key = screen.put("N", x: next, y: box.y + box.height - 2, style: Theme.hintKey, maxWidth: box.x + box.width - 1 - next)
        screen.put(" \(confirm.noLabel)", x: key, y: box.y + box.height - 2, maxWidth: max(0, box.x + box.width - 1 - key))
    }
}
