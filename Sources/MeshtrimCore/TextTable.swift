/// Left-aligned text columns for people: headers, rows, two spaces between columns.
///
/// Used by the table outputs of the CLI (`-o table`). Columns are as wide as their widest cell; nothing is cut.
public struct TextTable: Sendable {
    /// Column headers.
    public var headers: [String]
    /// Rows, each with as many cells as there are headers.
    public var rows: [[String]]
    /// Indices of columns whose cells are right-aligned (numbers).
    public var rightAligned: Set<Int>

    /// Makes a table.
    public init(headers: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
    }

    /// The rendered table, one line per row, no trailing spaces.
    public var rendered: String {
        let all = [headers] + rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in all {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return all.map { row in
            var line = ""
            for (column, cell) in row.enumerated() where column < widths.count {
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                let isLast = column == widths.count - 1
                if rightAligned.contains(column) {
                    line += padding + cell
                } else {
                    line += isLast ? cell : cell + padding
                }
                if !isLast { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
