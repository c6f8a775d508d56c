/// The bottom line: the current screen's keys from its key table, as many as fit.
///
/// While a prompt is open it shows the prompt's live message (validation, completions) or its keys instead; a
/// question, the label picker, help and the loading screen show their own tables' keys (``KeyMap/modals``).
enum HintBar {
    /// Draws the hint bar of `state` on row `y`.
    static func draw(_ state: AppState, y: Int, into screen: inout Screen) {
        switch state.modal {
        case .prompt(let prompt):
            if let message = prompt.message {
                screen.put(" " + message, x: 0, y: y, style: prompt.messageIsError ? Theme.flashError : Theme.dim, maxWidth: screen.width)
            } else {
                drawItems(KeyMap.prompt.hints(), y: y, into: &screen)
            }
            return
        case .question:
            drawItems(KeyMap.confirm.hints(), y: y, into: &screen)
            return
        case .labelPicker:
            drawItems(KeyMap.labelPicker.hints(), y: y, into: &screen)
            return
        case .help:
            drawItems(KeyMap.helpOverlay.hints(), y: y, into: &screen)
            return
        case nil:
            break
        }
        guard state.data != nil else {
            drawItems(KeyMap.loading.hints(), y: y, into: &screen)
            return
        }
        drawItems(KeyMap.hints(for: state.top.kind, readOnly: state.readOnly), y: y, into: &screen)
    }

    /// Draws the bindings' `key word` pairs separated by two spaces, stopping before one would not fit.
    static func drawItems(_ bindings: [KeyBinding], y: Int, into screen: inout Screen) {
        var x = 1
        for binding in bindings {
            let key = binding.hintKeyLabel
            let word = binding.hint
            let needed = key.terminalWidth + 1 + word.terminalWidth
            if x + needed > screen.width { break }
            x = screen.put(key, x: x, y: y, style: Theme.hintKey)
            x = screen.put(" " + word, x: x, y: y, style: Theme.hintText)
            x += 2
        }
    }
}
