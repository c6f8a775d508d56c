/// One cell of the screen: a grapheme (or nothing, behind a wide glyph) and its style.
public struct Cell: Hashable, Sendable {
    /// The grapheme shown; empty for the continuation cell behind a double-width glyph.
    public var character: String
    /// How it looks.
    public var style: CellStyle

    /// Makes a cell.
    public init(_ character: String = " ", style: CellStyle = .plain) {
        self.character = character
        self.style = style
    }

    /// A blank cell.
    public static let blank = Cell()
}

/// A value-type grid of cells that views draw into; the terminal backend copies it to the tty.
///
/// Views are pure functions `(AppState) -> Screen`. Tests compare `Screen`s as text plus style runs, so nothing
/// here depends on a terminal, a locale or `wcwidth`.
public struct Screen: Hashable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Row-major cells, `width × height`.
    public private(set) var cells: [Cell]

    /// Makes a blank screen; negative sizes become 0.
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at (x, y); a blank cell outside the screen.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, y >= 0, x < width, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `text` at (x, y) in `style`, clipped at `maxWidth` columns and at the right edge.
    ///
    /// Double-width glyphs take two cells (the second left empty); a wide glyph that does not fit is replaced by a
    /// space. Returns the column after the last cell written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        var column = x
        for character in text {
            let cellWidth = character.terminalWidth
            if cellWidth == 0 { continue }
            if column + cellWidth > limit {
                if cellWidth == 2, column < limit, column >= 0 { self[column, y] = Cell(" ", style: style) }
                break
            }
            if column >= 0 {
                self[column, y] = Cell(String(character), style: style)
                if cellWidth == 2 { self[column + 1, y] = Cell("", style: style) }
            }
            column += cellWidth
        }
        return column
    }

    /// Fills a rectangle with `character` in `style` (clipped to the screen).
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, character: String = " ", style: CellStyle = .plain) {
        let rows = Self.clipped(start: y, length: height, limit: self.height)
        let columns = Self.clipped(start: x, length: width, limit: self.width)
        for row in rows {
            for column in columns {
                self[column, row] = Cell(character, style: style)
            }
        }
    }

    /// Changes the style of a rectangle, keeping its characters (used for selection bars).
    public mutating func restyle(x: Int, y: Int, width: Int, height: Int = 1, _ change: (inout CellStyle) -> Void) {
        let rows = Self.clipped(start: y, length: height, limit: self.height)
        let columns = Self.clipped(start: x, length: width, limit: self.width)
        for row in rows {
            for column in columns {
                change(&cells[row * self.width + column].style)
            }
        }
    }

    /// `start..<start+length` clipped to `0..<limit` (empty when it lies outside, never an invalid range).
    private static func clipped(start: Int, length: Int, limit: Int) -> Range<Int> {
        let lower = max(0, start)
        let upper = min(limit, start + max(0, length))
        return lower < upper ? lower..<upper : 0..<0
    }

    /// The text of row `y` (continuation cells omitted), trailing spaces kept.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        return cells[(y * width)..<((y + 1) * width)].map(\.character).joined()
    }

    /// All rows joined by newlines, trailing spaces trimmed: the text part of a golden.
    public var text: String {
        (0..<height).map { row in
            var line = line(row)
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Style runs that are not plain, one line each as `y x..<x style`: the style part of a golden.
    public var styleRuns: String {
        var runs: [String] = []
        for row in 0..<height {
            var column = 0
            while column < width {
                let style = cells[row * width + column].style
                var end = column + 1
                while end < width, cells[row * width + end].style == style { end += 1 }
                if style != .plain { runs.append("\(row) \(column)..<\(end) \(style.goldenDescription)") }
                column = end
            }
        }
        return runs.joined(separator: "\n")
    }

    /// The text followed by the style runs: what screen goldens store.
    public var golden: String { text + "\n--- styles ---\n" + styleRuns }
}
