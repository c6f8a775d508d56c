/// The overlay and modal rules every ``AppState`` keeps after every action, part of ``AppState/checkInvariants()``.
///
/// They are checked by the tests after each key they press (the test helper `AppState.press` records every broken
/// one at the line that pressed the key), not asserted in the app: a broken invariant in a release build must not
/// end a session on a keystroke.
extension AppState {
    /// Broken overlay rules, described: scroll offsets stay in their text, and the label picker's chosen keys are the
    /// pod's own. At most one modal (prompt, yes/no question, label picker, help) is open by construction: they are
    /// one value, ``AppState/modal``, so there is nothing to check.
    func overlayInvariantProblems() -> [String] {
        var problems: [String] = []
        if let help, help.offset < 0 { problems.append("help: offset \(help.offset) is negative") }
        if let picker = labelPicker {
            let keys = Set(picker.labels.map(\.key))
            if !picker.chosen.isSubset(of: keys) {
                problems.append("label picker: chosen \(picker.chosen.subtracting(keys).sorted()) are not the pod's labels")
            }
        }
        for route in stack {
            guard case .apply(let apply) = route else { continue }
            if apply.offset < 0 || (apply.offset > 0 && apply.offset >= apply.lines.count) {
                problems.append("apply: offset \(apply.offset) outside the text")
            }
        }
        return problems
    }
}
