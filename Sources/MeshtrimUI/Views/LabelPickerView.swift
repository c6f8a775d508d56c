/// The label picker drawn over the screen before a workload Sidecar.
enum LabelPickerView {
    /// Draws the picker.
    static func draw(_ picker: LabelPickerState, into screen: inout Screen) {
        let rows = max(1, picker.labels.count)
        let longest = picker.labels.map { $0.key.terminalWidth + $0.value.terminalWidth + 5 }.max() ?? 20
        let box = Box.centered(width: max(48, longest + 4), height: rows + 5, in: screen)
        Box.draw(x: box.x, y: box.y, width: box.width, height: box.height, title: "workloadSelector for \(picker.podName)", into: &screen)
        let inner = box.width - 4
        screen.put("labels to select (none: namespace-wide)", x: box.x + 2, y: box.y + 1, style: Theme.dim, maxWidth: inner)
        let listHeight = max(0, box.height - 4)
        let offset = max(0, picker.cursor - listHeight + 1)
        if picker.labels.isEmpty {
            screen.put("the pod has no labels: enter opens a namespace-wide editor", x: box.x + 2, y: box.y + 2, style: Theme.warning, maxWidth: inner)
        }
        for row in 0..<listHeight {
            let index = offset + row
            guard picker.labels.indices.contains(index) else { break }
            let pair = picker.labels[index]
            let chosen = picker.chosen.contains(pair.key)
            let y = box.y + 2 + row
            let x = screen.put(chosen ? "☑ " : "☐ ", x: box.x + 2, y: y, style: chosen ? Theme.goodBold : .plain)
            screen.put("\(pair.key)=\(pair.value)", x: x, y: y, maxWidth: box.x + box.width - 2 - x)
            if index == picker.cursor {
                Table.highlight(y: y, x: box.x + 1, width: box.width - 2, into: &screen)
            }
        }
        let footer = picker.chosen.isEmpty ? "enter: namespace-wide editor" : "enter: editor for " + LabelSelectorText.text(picker.selector)
        screen.put(footer, x: box.x + 2, y: box.y + box.height - 2, style: Theme.dim, maxWidth: inner)
    }
}

/// `k=v,k=v` without importing the domain types here.
enum LabelSelectorText {
    /// Labels sorted by key as kubectl prints them.
    static func text(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
