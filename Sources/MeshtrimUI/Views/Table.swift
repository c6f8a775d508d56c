/// A table column: its title, how wide it may be, how it aligns, and how important it is when space runs out.
struct TableColumn {
    /// Text alignment.
    enum Alignment {
        /// Left-aligned (names).
        case left
        /// Right-aligned (numbers).
        case right
    }

    /// The header text.
    var title: String
    /// The narrowest it may be.
    var minWidth: Int
    /// The width it needs to be useful; columns are dropped until every kept one gets it.
    var preferredWidth: Int
    /// The widest it grows to when it is flexible; `nil` for unlimited.
    var maxWidth: Int?
    /// Whether it takes spare width.
    var isFlexible: Bool
    /// Left or right.
    var alignment: Alignment
    /// Higher survives longer on a narrow terminal; the lowest is dropped first.
    var priority: Int

    /// A fixed-width column.
    static func fixed(_ title: String, _ width: Int, _ alignment: Alignment = .right, priority: Int) -> TableColumn {
        // One more column than the title for the sort arrow.
        let width = max(width, title.terminalWidth + 1)
        return TableColumn(
            title: title, minWidth: width, preferredWidth: width, maxWidth: nil, isFlexible: false, alignment: alignment,
            priority: priority)
    }

    /// A column that grows into spare width.
    static func flexible(_ title: String, min: Int, preferred: Int? = nil, max: Int? = nil, priority: Int) -> TableColumn {
        TableColumn(
            title: title, minWidth: Swift.max(min, 1), preferredWidth: Swift.max(preferred ?? min, min, 1), maxWidth: max,
            isFlexible: true, alignment: .left, priority: priority)
    }
}

/// One cell of a table row.
struct TableCell {
    /// The text.
    var text: String
    /// Its style.
    var style: CellStyle
    /// A shorter text for when the column is too narrow for ``text`` (instead of cutting it).
    var short: String?
    /// Whether a cut keeps the end (``Swift/String/truncatedInMiddle(toWidth:)``: pod names) instead of the start.
    var cutsInMiddle: Bool

    /// Makes a cell.
    init(_ text: String, _ style: CellStyle = .plain, short: String? = nil, cutsInMiddle: Bool = false) {
        self.text = text
        self.style = style
        self.short = short
        self.cutsInMiddle = cutsInMiddle
    }
}

/// Column layout and drawing for the list screens, shared so every table degrades the same way.
///
/// The least important columns are dropped until the rest fit; spare width goes to flexible columns. Only the rows
/// passed in are drawn: callers pass just the rows on screen.
struct Table {
    /// Space between columns.
    static let gap = 1
    /// Left margin.
    static let margin = 1

    /// The columns kept at `width` (their indices into `columns`) and their x positions and widths.
    static func layout(_ columns: [TableColumn], width: Int) -> [(index: Int, x: Int, width: Int)] {
        var kept = Array(columns.indices)
        func needed(_ set: [Int]) -> Int {
            set.reduce(margin) { $0 + columns[$1].minWidth } + gap * max(0, set.count - 1)
        }
        func preferred(_ set: [Int]) -> Int {
            set.reduce(margin) { $0 + columns[$1].preferredWidth } + gap * max(0, set.count - 1)
        }
        while kept.count > 1 && preferred(kept) > width {
            let drop = kept.min { columns[$0].priority < columns[$1].priority } ?? kept[kept.count - 1]
            kept.removeAll { $0 == drop }
        }
        // Every kept column gets its preferred width (or its minimum when even one column does not fit) …
        let fitsPreferred = preferred(kept) <= width
        var widths = Dictionary(uniqueKeysWithValues: kept.map { ($0, fitsPreferred ? columns[$0].preferredWidth : columns[$0].minWidth) })
        var spare = width - (fitsPreferred ? preferred(kept) : needed(kept))
        // … then spare width goes to the most important flexible column first, up to its maximum.
        let growable = kept.filter { columns[$0].isFlexible }.sorted { columns[$0].priority > columns[$1].priority }
        for index in growable where spare > 0 {
            let room = columns[index].maxWidth.map { max(0, $0 - widths[index, default: 0]) } ?? spare
            let grant = min(room, spare)
            widths[index, default: 0] += grant
            spare -= grant
        }
        var x = margin
        var result: [(index: Int, x: Int, width: Int)] = []
        for index in kept {
            let columnWidth = min(widths[index, default: 0], max(0, width - x))
            result.append((index, x, columnWidth))
            x += columnWidth + gap
        }
        return result
    }

    /// Draws the header row at `y`, marking the sorted column with ↓ or ↑.
    static func drawHeader(
        _ columns: [TableColumn], layout: [(index: Int, x: Int, width: Int)], sortedColumn: Int?, descending: Bool,
        y: Int, into screen: inout Screen
    ) {
        for slot in layout {
            let column = columns[slot.index]
            let sorted = slot.index == sortedColumn
            let title = column.title + (sorted ? (descending ? "↓" : "↑") : "")
            let text = column.alignment == .right ? title.leftPadded(toWidth: slot.width) : title.padded(toWidth: slot.width)
            screen.put(text, x: slot.x, y: y, style: sorted ? Theme.sortedHeader : Theme.columnHeader, maxWidth: slot.width)
        }
    }

    /// Draws one row at `y`; a selected row is shown in reverse video across the whole width.
    static func drawRow(
        _ cells: [TableCell], columns: [TableColumn], layout: [(index: Int, x: Int, width: Int)], y: Int, width: Int,
        selected: Bool, into screen: inout Screen
    ) {
        for slot in layout where slot.index < cells.count {
            let cell = cells[slot.index]
            let full = cell.text.terminalWidth > slot.width ? (cell.short ?? cell.text) : cell.text
            let text =
                columns[slot.index].alignment == .right
                ? full.leftPadded(toWidth: slot.width)
                : cell.cutsInMiddle ? full.truncatedInMiddle(toWidth: slot.width) : full.truncated(toWidth: slot.width)
            screen.put(text, x: slot.x, y: y, style: cell.style, maxWidth: slot.width)
        }
        if selected { Table.highlight(y: y, x: 0, width: width, into: &screen) }
    }

    /// The selection bar: one uniform colour across the row (reverse video without colour), whatever the cells'
    /// own colours.
    static func highlight(y: Int, x: Int, width: Int, into screen: inout Screen) {
        screen.restyle(x: x, y: y, width: width) { style in
            style = CellStyle(foreground: .cyan, background: .default, bold: style.bold, reverse: true)
        }
    }
}
