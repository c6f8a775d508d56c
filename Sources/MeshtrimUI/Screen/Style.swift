/// A terminal colour: the terminal's default or one of the eight ANSI colours.
///
/// meshtrim sticks to the eight base colours on the terminal's own background so it looks right in dark and
/// light themes and degrades cleanly with `NO_COLOR`.
public enum TerminalColor: String, Hashable, Sendable, CaseIterable {
    /// The terminal's default foreground or background.
    case `default`
    /// ANSI black.
    case black
    /// ANSI red.
    case red
    /// ANSI green.
    case green
    /// ANSI yellow.
    case yellow
    /// ANSI blue.
    case blue
    /// ANSI magenta.
    case magenta
    /// ANSI cyan.
    case cyan
    /// ANSI white.
    case white
}

/// How one cell looks: colours plus attributes.
public struct CellStyle: Hashable, Sendable {
    /// Foreground colour.
    public var foreground: TerminalColor
    /// Background colour.
    public var background: TerminalColor
    /// Bold text.
    public var bold: Bool
    /// Dim text.
    public var dim: Bool
    /// Reverse video (selection bars).
    public var reverse: Bool
    /// Underlined text.
    public var underline: Bool

    /// Makes a style; the default is plain text on the terminal's colours.
    public init(
        foreground: TerminalColor = .default, background: TerminalColor = .default, bold: Bool = false,
        dim: Bool = false, reverse: Bool = false, underline: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    /// Plain text.
    public static let plain = CellStyle()

    /// The same style without colours (for `NO_COLOR`), keeping bold, dim, reverse and underline.
    public var withoutColor: CellStyle {
        CellStyle(bold: bold, dim: dim, reverse: reverse, underline: underline)
    }

    /// A compact description for goldens: `fg/bg+bold+reverse`.
    public var goldenDescription: String {
        var text = "\(foreground.rawValue)/\(background.rawValue)"
        if bold { text += "+bold" }
        if dim { text += "+dim" }
        if reverse { text += "+reverse" }
        if underline { text += "+underline" }
        return text
    }
}
