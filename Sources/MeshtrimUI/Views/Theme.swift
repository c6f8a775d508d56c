/// The styles every view uses, in one place: eight ANSI colours on the terminal's own background, and attributes
/// (bold, reverse) that still carry meaning when colour is off.
enum Theme {
    /// The app name in the header.
    static let brand = CellStyle(foreground: .cyan, bold: true)
    /// Header facts.
    static let headerText = CellStyle()
    /// Header labels and separators.
    static let headerLabel = CellStyle(dim: true)
    /// A breadcrumb.
    static let crumb = CellStyle(foreground: .cyan, reverse: true)
    /// The current breadcrumb.
    static let crumbCurrent = CellStyle(foreground: .yellow, bold: true, reverse: true)
    /// Column headers.
    static let columnHeader = CellStyle(bold: true)
    /// The sorted column's header.
    static let sortedHeader = CellStyle(foreground: .cyan, bold: true)
    /// Hint-bar keys.
    static let hintKey = CellStyle(foreground: .cyan, bold: true)
    /// Hint-bar words.
    static let hintText = CellStyle()
    /// Info flashes.
    static let flashInfo = CellStyle(foreground: .green)
    /// Error flashes.
    static let flashError = CellStyle(foreground: .red, bold: true)
    /// Prompt labels.
    static let promptLabel = CellStyle(foreground: .yellow, bold: true)
    /// The prompt's cursor.
    static let promptCursor = CellStyle(reverse: true)
    /// Quiet text (bases, units, explanations).
    static let dim = CellStyle(dim: true)
    /// Emphasis.
    static let bold = CellStyle(bold: true)
    /// Good news (selected hosts, savings, valid).
    static let good = CellStyle(foreground: .green)
    /// Good news, emphasised.
    static let goodBold = CellStyle(foreground: .green, bold: true)
    /// Worth a look (warnings, predicted numbers).
    static let warning = CellStyle(foreground: .yellow)
    /// Traffic that would be cut, errors.
    static let danger = CellStyle(foreground: .red, bold: true)
    /// Panel and dialog titles.
    static let panelTitle = CellStyle(foreground: .cyan, bold: true)
    /// Panel borders.
    static let border = CellStyle(foreground: .cyan)
    /// Section titles inside lists.
    static let section = CellStyle(foreground: .magenta, bold: true)
    /// Big memory numbers.
    static let heavy = CellStyle(bold: true)
    /// The mesh's total Envoy memory in the header.
    static let total = CellStyle(foreground: .yellow, bold: true)
    /// Diff additions.
    static let added = CellStyle(foreground: .green)
    /// Diff removals.
    static let removed = CellStyle(foreground: .red)
    /// Diff hunk headers.
    static let hunk = CellStyle(foreground: .cyan)
    /// YAML keys.
    static let yamlKey = CellStyle(foreground: .blue, bold: true)
}
