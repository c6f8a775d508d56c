/// The bottom line: the current screen's keys from its key table, as many as fit.
///
/// While a prompt is open it shows the prompt's live message (validation, completions) or its keys instead.
enum HintBar {
    /// Draws the hint bar of `state` on row `y`.
    static func draw(_ state: AppState, y: Int, into screen: inout Screen) {
        if let prompt = state.prompt {
            if let message = prompt.message {
                screen.put(" " + message, x: 0, y: y, style: prompt.messageIsError ? Theme.flashError : Theme.dim, maxWidth: screen.width)
            } else {
                drawItems([("enter", "confirm"), ("esc", "cancel"), ("ctrl-u", "clear")], y: y, into: &screen)
            }
            return
        }
        if state.confirm != nil {
            drawItems([("y", "yes"), ("n/enter/esc", "no")], y: y, into: &screen)
            return
        }
        if state.labelPicker != nil {
            drawItems([("space", "toggle"), ("enter", "open editor"), ("esc", "cancel")], y: y, into: &screen)
            return
        }
        if state.help != nil {
            drawItems([("esc", "close"), ("↑↓", "scroll"), ("q", "quit")], y: y, into: &screen)
            return
        }
        guard state.data != nil else {
            drawItems([("?", "help"), ("q", "quit")], y: y, into: &screen)
            return
        }
        let items = KeyMap.hints(for: state.top.kind, readOnly: state.readOnly).map { ($0.keys[0].description, $0.hint) }
        drawItems(items, y: y, into: &screen)
    }

    /// Draws `key word` pairs separated by two spaces, stopping before one would not fit.
    static func drawItems(_ items: [(String, String)], y: Int, into screen: inout Screen) {
        var x = 1
        for (key, word) in items {
            let needed = key.terminalWidth + 1 + word.terminalWidth
            if x + needed > screen.width { break }
            x = screen.put(key, x: x, y: y, style: Theme.hintKey)
            x = screen.put(" " + word, x: x, y: y, style: Theme.hintText)
            x += 2
        }
    }
}
