import MeshtrimUI
import Testing

/// The cell buffer views draw into: clipping, wide glyphs, width helpers and the golden format.
@Suite("Screen")
struct ScreenTests {
    @Test("A new screen is blank, and negative sizes become empty")
    func blankAndEmpty() {
        let screen = Screen(width: 4, height: 2)
        #expect(screen.cells.count == 8)
        #expect(screen.cells.allSatisfy { $0 == .blank })
        #expect(screen.text == "\n")
        let empty = Screen(width: -3, height: 5)
        #expect(empty.width == 0 && empty.cells.isEmpty)
    }

    @Test("Reading outside the screen gives a blank cell, writing there does nothing")
    func outsideAccess() {
        var screen = Screen(width: 2, height: 2)
        screen[5, 0] = Cell("x")
        screen[-1, 1] = Cell("x")
        screen[0, 2] = Cell("x")
        #expect(screen[5, 0] == .blank)
        #expect(screen.text == "\n")
    }

    @Test(
        "put clips at the right edge, at maxWidth and at the left edge",
        arguments: [
            // (text, x, maxWidth, expected line, returned column)
            ("hello", 0, nil, "hell", 4),
            ("hi", 1, nil, " hi ", 3),
            ("abcdef", 1, 2, " ab ", 3),
            ("abc", -1, nil, "bc  ", 2),
            ("abc", 4, nil, "    ", 4),
            ("abc", 0, 0, "    ", 0),
        ] as [(String, Int, Int?, String, Int)])
    func clipping(text: String, x: Int, maxWidth: Int?, expected: String, end: Int) {
        var screen = Screen(width: 4, height: 1)
        let column = screen.put(text, x: x, y: 0, maxWidth: maxWidth)
        #expect(screen.line(0) == expected)
        #expect(column == end)
    }

    @Test("put outside the rows writes nothing and returns x")
    func rowsOutside() {
        var screen = Screen(width: 4, height: 1)
        #expect(screen.put("abc", x: 1, y: 1) == 1)
        #expect(screen.put("abc", x: 2, y: -1) == 2)
        #expect(screen.text == "")
    }

    @Test("A wide glyph takes two cells, the second one empty")
    func wideGlyphs() {
        var screen = Screen(width: 6, height: 1)
        let end = screen.put("漢字x", x: 0, y: 0)
        #expect(end == 5)
        #expect(screen[0, 0].character == "漢")
        #expect(screen[1, 0].character == "")
        #expect(screen[2, 0].character == "字")
        #expect(screen[3, 0].character == "")
        #expect(screen[4, 0].character == "x")
        #expect(screen.line(0) == "漢字x ")
    }

    @Test("A wide glyph that does not fit becomes a space")
    func wideGlyphAtEdge() {
        var screen = Screen(width: 4, height: 1)
        screen.put("a漢字", x: 0, y: 0, style: CellStyle(bold: true))
        #expect(screen.line(0) == "a漢 ")
        #expect(screen[3, 0] == Cell(" ", style: CellStyle(bold: true)))
        var narrow = Screen(width: 4, height: 1)
        narrow.put("漢字", x: 0, y: 0, maxWidth: 3)
        #expect(narrow.line(0) == "漢  ")
    }

    @Test("Combining marks stay with their base; control characters take no cell")
    func zeroWidth() {
        var screen = Screen(width: 4, height: 1)
        #expect(screen.put("e\u{301}a\u{7}b", x: 0, y: 0) == 3)
        #expect(screen[0, 0].character == "e\u{301}")
        #expect(screen.line(0) == "e\u{301}ab ")
    }

    @Test(
        "Terminal widths",
        arguments: [("abc", 3), ("漢字", 4), ("café", 4), ("e\u{301}", 1), ("⎈ ✓ ─", 5), ("\u{1B}", 0), ("😀", 2)])
    func widths(text: String, width: Int) {
        #expect(text.terminalWidth == width)
    }

    @Test(
        "truncated(toWidth:) ends in … only when it cuts",
        arguments: [
            ("hello", 5, "hello"), ("hello", 9, "hello"), ("hello", 4, "hel…"), ("hello", 1, "…"), ("hello", 0, ""),
            ("hello", -2, ""), ("漢字漢", 4, "漢…"), ("漢字漢", 5, "漢字…"),
        ])
    func truncation(text: String, width: Int, expected: String) {
        #expect(text.truncated(toWidth: width) == expected)
        #expect(expected.terminalWidth <= max(0, width))
    }

    @Test(
        "padded and leftPadded give exactly the width asked for",
        arguments: [
            ("ab", 4, "ab  ", "  ab"), ("abcdef", 4, "abc…", "abc…"), ("漢字漢", 4, "漢… ", " 漢…"), ("", 2, "  ", "  "),
        ])
    func padding(text: String, width: Int, left: String, right: String) {
        #expect(text.padded(toWidth: width) == left)
        #expect(text.leftPadded(toWidth: width) == right)
        #expect(left.terminalWidth == width && right.terminalWidth == width)
    }

    @Test("fill and restyle stay inside the screen")
    func fillAndRestyle() {
        var screen = Screen(width: 4, height: 3)
        screen.fill(x: 2, y: 1, width: 5, height: 5, character: "#")
        screen.put("ab", x: 0, y: 0)
        screen.restyle(x: -1, y: 0, width: 2) { $0.reverse = true }
        #expect(screen.text == "ab\n  ##\n  ##")
        #expect(screen[0, 0].style.reverse)
        #expect(!screen[1, 0].style.reverse)
    }

    @Test("Goldens store trimmed text, then one line per non-plain style run")
    func goldenFormat() {
        var screen = Screen(width: 8, height: 3)
        screen.put("⎈ mesh", x: 0, y: 0, style: CellStyle(foreground: .cyan, bold: true))
        screen.put("ok", x: 1, y: 1)
        screen.restyle(x: 0, y: 2, width: 8) { $0.reverse = true }
        screen.put("漢", x: 6, y: 2, style: CellStyle(foreground: .red, background: .yellow, dim: true, underline: true))
        let expected = """
            ⎈ mesh
             ok
                  漢
            --- styles ---
            0 0..<6 cyan/default+bold
            2 0..<6 default/default+reverse
            2 6..<8 red/yellow+dim+underline
            """
        #expect(screen.golden == expected)
        #expect(screen.line(0) == "⎈ mesh  ")
        #expect(screen.styleRuns.split(separator: "\n").count == 3)
    }
}

@Suite("Screen clipping")
struct ScreenClippingTests {
    @Test("fill and restyle outside the screen change nothing and never trap", arguments: [
        (0, 50, 5, 5), (50, 0, 5, 5), (-10, -10, 5, 5), (2, 2, -3, 4), (3, 3, 0, 0), (0, 5, 10, 1),
    ])
    func outside(x: Int, y: Int, width: Int, height: Int) {
        var screen = Screen(width: 10, height: 5)
        screen.fill(x: x, y: y, width: width, height: height, character: "#")
        screen.restyle(x: x, y: y, width: width, height: height) { $0.bold = true }
        #expect(!screen.text.contains("#"))
        #expect(screen.styleRuns.isEmpty)
    }

    @Test("a partly visible fill is clipped to the screen")
    func partlyVisible() {
        var screen = Screen(width: 4, height: 2)
        screen.fill(x: 2, y: 1, width: 10, height: 10, character: "#")
        #expect(screen.text == "\n  ##")
    }
}
