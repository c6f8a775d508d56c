/// Go's `text/tabwriter` (flags 0), reproduced byte for byte so istioctl's tables can be matched exactly.
///
/// The semantics that matter: a cell is text terminated by `\t` (or `\v`); lines end at `\n` (or `\f`, which is
/// written as `\n`). The last cell of a line is not tab-terminated and belongs to no column, so it is never padded.
/// A column is a block of consecutive lines that all have a cell at that position; its width is
/// `max(minWidth, widest cell + padding)`, widths counted in Unicode scalars (Go counts runes). Cells are padded
/// even when the text after them is empty, so a line can end in spaces. A line without any tab ends every block.
/// Padding with `\t` rounds cell widths up to `tabWidth` and writes tabs, as Go does.
public struct GoTabWriter: Hashable, Sendable {
    /// The minimal column width, padding included.
    public var minWidth: Int
    /// The width of a tab stop, used only when padding with tabs.
    public var tabWidth: Int
    /// Extra width added to the widest cell of each column.
    public var padding: Int
    /// The padding byte (ASCII), usually a space.
    public var padCharacter: UInt8

    /// istioctl's writer: `tabwriter.NewWriter(out, 0, 8, 5, ' ', 0)`.
    public static let istioctl = GoTabWriter(minWidth: 0, tabWidth: 8, padding: 5, padCharacter: UInt8(ascii: " "))

    /// Makes a writer with Go's `Init(output, minwidth, tabwidth, padding, padchar, 0)` parameters.
    public init(minWidth: Int, tabWidth: Int, padding: Int, padCharacter: UInt8) {
        self.minWidth = minWidth
        self.tabWidth = tabWidth
        self.padding = padding
        self.padCharacter = padCharacter
    }

    private struct Cell {
        var start: Int
        var end: Int
        var width: Int
    }

    /// Formats `text` as writing it to a Go tabwriter and flushing would. Linear in the text size times the
    /// number of columns.
    public func format(_ text: String) -> String {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 2)
        var lines: [[Cell]] = [[]]
        var cellStart = 0
        var cellWidth = 0
        var position = 0
        while position < input.count {
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\t"), 0x0B:
                lines[lines.count - 1].append(Cell(start: cellStart, end: position, width: cellWidth))
                cellStart = position + 1
                cellWidth = 0
            case UInt8(ascii: "\n"), 0x0C:
                lines[lines.count - 1].append(Cell(start: cellStart, end: position, width: cellWidth))
                let cellCount = lines[lines.count - 1].count
                cellStart = position + 1
                cellWidth = 0
                lines.append([])
                if byte == 0x0C || cellCount == 1 {
                    // Go flushes here: such a line can't affect the alignment of later lines.
                    flush(&lines, input: input, output: &output)
                }
            default:
                if byte & 0xC0 != 0x80 { cellWidth += 1 }  // count scalars, not bytes
            }
            position += 1
        }
        if cellStart < input.count {
            lines[lines.count - 1].append(Cell(start: cellStart, end: input.count, width: cellWidth))
        }
        flush(&lines, input: input, output: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Go's `format`, iteratively: for each column, finds the blocks of consecutive lines that have a cell there,
    /// sizes each block, then handles the next column within it (an explicit stack instead of Go's recursion, so a
    /// line with thousands of tabs can't exhaust the call stack).
    private func flush(_ lines: inout [[Cell]], input: [UInt8], output: inout [UInt8]) {
        struct Frame {
            var end: Int
            var current: Int
            var pending: Int
        }
        var widths: [Int] = []
        var stack = [Frame(end: lines.count, current: 0, pending: 0)]
        while var frame = stack.last {
            let column = stack.count - 1
            while frame.current < frame.end, column >= lines[frame.current].count - 1 {
                frame.current += 1
            }
            guard frame.current < frame.end else {
                writeLines(lines, from: frame.pending, to: frame.end, widths: widths, input: input, output: &output)
                stack.removeLast()
                if !widths.isEmpty { widths.removeLast() }
                continue
            }
            writeLines(lines, from: frame.pending, to: frame.current, widths: widths, input: input, output: &output)
            let blockStart = frame.current
            var width = minWidth
            while frame.current < frame.end, column < lines[frame.current].count - 1 {
                width = max(width, lines[frame.current][column].width + padding)
                frame.current += 1
            }
            frame.pending = frame.current
            stack[stack.count - 1] = frame
            widths.append(width)
            stack.append(Frame(end: frame.current, current: blockStart, pending: blockStart))
        }
        lines = [[]]
    }

    /// Go's `writeLines`: cells in known columns are padded; every buffered line but the last ends in a newline.
    private func writeLines(
        _ lines: [[Cell]], from firstLine: Int, to endLine: Int, widths: [Int], input: [UInt8], output: inout [UInt8]
    ) {
        guard firstLine < endLine else { return }
        for lineIndex in firstLine..<endLine {
            for (cellIndex, cell) in lines[lineIndex].enumerated() {
                output.append(contentsOf: input[cell.start..<cell.end])
                if cellIndex < widths.count {
                    writePadding(textWidth: cell.width, cellWidth: widths[cellIndex], output: &output)
                }
            }
            if lineIndex + 1 < lines.count {
                output.append(UInt8(ascii: "\n"))
            }
        }
    }

    private func writePadding(textWidth: Int, cellWidth: Int, output: inout [UInt8]) {
        if padCharacter == UInt8(ascii: "\t") {
            guard tabWidth > 0 else { return }
            let roundedWidth = (cellWidth + tabWidth - 1) / tabWidth * tabWidth
            let missing = roundedWidth - textWidth
            let tabs = (missing + tabWidth - 1) / tabWidth
            output.append(contentsOf: repeatElement(UInt8(ascii: "\t"), count: max(0, tabs)))
        } else {
            output.append(contentsOf: repeatElement(padCharacter, count: max(0, cellWidth - textWidth)))
        }
    }
}
