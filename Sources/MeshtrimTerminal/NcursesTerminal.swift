import CNcursesw
import MeshtrimUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real terminal: ncursesw on the process's tty, behind the ``Terminal`` protocol the runtime uses.
///
/// This is the only place meshtrim talks to ncurses. Views render into a pure ``Screen``; ``draw(_:)`` copies it
/// cell by cell into curses, and `doupdate` sends only what changed since the last frame.
/// ``nextEvent(timeoutMilliseconds:)`` turns `wget_wch` results into ``TerminalEvent``s (keys via ``KeyDecoding``,
/// `KEY_RESIZE`, `KEY_MOUSE`).
///
/// Set-up follows the verified recipe: `setlocale`, `newterm` (so an unknown `TERM` becomes a ``TerminalError``
/// instead of ncurses printing and exiting), `raw` (ctrl-c arrives as a key and quits through the reducer),
/// `noecho`, `nonl`, `keypad`, a hidden cursor and a 25 ms Esc delay. ncurses is not thread-safe: create, use and
/// close an instance on one thread (the UI thread).
public final class NcursesTerminal: Terminal {
    /// The curses screen `newterm` made; freed by ``close()``.
    private let screen: OpaquePointer
    /// The screen's standard window, which everything is drawn into.
    private let window: UnsafeMutablePointer<WINDOW>
    /// How colours are drawn: `nil` when colour is off (attributes only).
    private let palette: Palette?
    /// Set once ``close()`` ran.
    private var isClosed = false
    /// The size last given to the runtime (at start or in a `.resize`), to notice a resize ``discardTypeahead()``
    /// dropped from curses' queue.
    private var reportedSize: (width: Int, height: Int) = (0, 0)

    /// Takes over the terminal on standard input and output.
    ///
    /// - Parameter colorEnabled: `false` draws attributes only (for `NO_COLOR` or `--no-color`); colour is also
    ///   off when the terminal has none.
    /// - Throws: ``TerminalError/notATerminal`` when stdin or stdout is not a tty, and
    ///   ``TerminalError/unknownTerminal(term:)`` when ncurses has no terminfo entry for `$TERM`.
    public init(colorEnabled: Bool) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        setlocale(LC_ALL, "")
        // The guard only touches crash signals and SIGHUP; SIGINT, SIGTERM and SIGWINCH stay at their defaults so
        // newterm installs ncurses' own handlers for them.
        CrashGuard.install()
        let term = getenv("TERM").map { String(cString: $0) }
        // newterm (unlike initscr) returns nil for an unknown TERM instead of printing and exiting.
        guard
            let output = fdopen(STDOUT_FILENO, "w"),
            let input = fdopen(STDIN_FILENO, "r"),
            let screen = newterm(nil, output, input)
        else { throw TerminalError.unknownTerminal(term: term) }
        // newterm made this screen current, so stdscr is its standard window.
        guard let window = mt_stdscr() else {
            endwin()
            delscreen(screen)
            throw TerminalError.unknownTerminal(term: term)
        }
        self.screen = screen
        self.window = window

        raw()
        noecho()
        nonl()
        keypad(window, true)
        curs_set(0)
        set_escdelay(25)
        // By default doupdate() stops sending a frame when input is waiting and finishes it on the next refresh.
        // The runtime draws only when the state changes, so a frame cut short stayed half drawn (a confirm box
        // missing, only the hint bar changed) until a resize. Frames are small diffs; always send them whole.
        typeahead(-1)
        mousemask(mt_button1_clicked() | mt_button1_pressed() | mt_button4_pressed() | mt_button5_pressed(), nil)
        mouseinterval(0)
        palette = colorEnabled && has_colors() ? Palette() : nil
        reportedSize = (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    deinit { close() }

    /// The current size in columns and rows, as ncurses last saw it (updated on `KEY_RESIZE`).
    public var size: (width: Int, height: Int) {
        (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    /// Copies a frame to the terminal, clipped to the window; cells outside `screen` are left blank.
    ///
    /// Continuation cells behind double-width glyphs (empty ``Cell/character``) are skipped, since ncurses fills
    /// them itself; a wide glyph in the last column is drawn as a space.
    public func draw(_ screen: Screen) {
        guard !isClosed else { return }
        werase(window)
        let (width, height) = size
        for y in 0..<min(height, screen.height) {
            for x in 0..<min(width, screen.width) {
                let cell = screen[x, y]
                guard !cell.character.isEmpty else { continue }
                let fits = x + 1 < width || cell.character.terminalWidth < 2
                put(fits ? cell.character : " ", x: x, y: y, style: cell.style)
            }
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// Waits up to `timeoutMilliseconds` (negative: forever) for a key, a resize or a mouse event.
    ///
    /// Returns `nil` on timeout and for input meshtrim has no name for (unknown keys, mouse releases).
    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        guard !isClosed else { return nil }
        if size != reportedSize {
            reportedSize = size
            return .resize(width: reportedSize.width, height: reportedSize.height)
        }
        wtimeout(window, Int32(clamping: max(-1, timeoutMilliseconds)))
        var code: wint_t = 0
        let status = wget_wch(window, &code)
        if status == KEY_CODE_YES, Int32(truncatingIfNeeded: code) == KEY_RESIZE {
            reportedSize = size
            return .resize(width: reportedSize.width, height: reportedSize.height)
        }
        if status == KEY_CODE_YES, Int32(truncatingIfNeeded: code) == KEY_MOUSE {
            return mouseEvent().map(TerminalEvent.mouse)
        }
        return KeyDecoding.key(status: status, code: UInt32(code)).map(TerminalEvent.key)
    }

    /// Throws away pending input with `flushinp` (the tty's buffer and curses' own queue).
    ///
    /// A `KEY_RESIZE` curses had queued goes too; ``nextEvent(timeoutMilliseconds:)`` still reports the resize
    /// because it compares the window's size with the size last reported.
    public func discardTypeahead() {
        guard !isClosed else { return }
        flushinp()
    }

    /// Gives the terminal back: leaves the alternate screen, restores the tty modes and frees ncurses' screen.
    ///
    /// Safe to call more than once; later draws and reads do nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        endwin()
        delscreen(screen)
    }

    // MARK: - Helpers

    /// Writes one grapheme with `style`; falls back to its first scalar, then to `?`, when curses rejects it.
    ///
    /// curses takes a base character plus up to `CCHARW_MAX - 1` combining marks, and may reject, depending on the
    /// locale, unassigned code points. Control characters would be drawn as `^X` in two cells, so they become `?`.
    private func put(_ character: String, x: Int, y: Int, style: CellStyle) {
        let attributes = attributes(for: style)
        let pair = palette?.pair(foreground: style.foreground, background: style.background) ?? 0
        let capacity = Int(CCHARW_MAX)
        withUnsafeTemporaryAllocation(of: wchar_t.self, capacity: capacity) { buffer in
            var count = 0
            for scalar in character.unicodeScalars.prefix(capacity - 1) {
                // Only marks combine in a curses cell; a joiner and what follows it (👨‍👩‍👧) would leave stray
                // zero-width characters on the line, so such sequences are cut to their first scalar.
                if count > 0, !Self.combines(scalar) { break }
                let value = scalar.value
                buffer[count] = value < 0x20 || (0x7F..<0xA0).contains(value) ? 0x3F : wchar_t(bitPattern: value)
                count += 1
            }
            let isLastCell = x == Int(getmaxx(window)) - 1 && y == Int(getmaxy(window)) - 1
            for length in [count, 1, 0] where length <= count {
                if length == 0 { buffer[0] = 0x3F }
                buffer[max(1, length)] = 0
                let result = mt_put_cell(window, Int32(y), Int32(x), buffer.baseAddress, attributes, pair)
                // Writing the bottom-right cell returns ERR (the cursor cannot advance) but still draws it.
                if result == OK || isLastCell { return }
            }
        }
    }

    /// Whether `scalar` is a combining mark that curses keeps in the same cell as the character before it.
    private static func combines(_ scalar: Unicode.Scalar) -> Bool {
        let category = scalar.properties.generalCategory
        return category == .nonspacingMark || category == .enclosingMark
    }

    /// The curses attributes for a style (colours are the pair, not attributes).
    private func attributes(for style: CellStyle) -> attr_t {
        var attributes = mt_a_normal()
        if style.bold { attributes |= mt_a_bold() }
        if style.dim { attributes |= mt_a_dim() }
        if style.reverse { attributes |= mt_a_reverse() }
        if style.underline { attributes |= mt_a_underline() }
        return attributes
    }

    /// Reads the pending mouse event and names it, or `nil` for events meshtrim does not use.
    private func mouseEvent() -> MouseEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let state = event.bstate
        if state & mt_button4_pressed() != 0 { return .wheelUp }
        if state & mt_button5_pressed() != 0 { return .wheelDown }
        if state & (mt_button1_clicked() | mt_button1_pressed()) != 0 {
            return .click(x: Int(event.x), y: Int(event.y))
        }
        return nil
    }
}

/// Colour pairs made on first use, one per (foreground, background) combination.
///
/// Pair 0 is the terminal's default colours. With `use_default_colors` the default colour is -1, so meshtrim sits
/// on the user's own background; terminals without it get white on black instead.
private final class Palette {
    /// The colour curses uses for ``TerminalColor/default`` foregrounds.
    private let defaultForeground: Int16
    /// The colour curses uses for ``TerminalColor/default`` backgrounds.
    private let defaultBackground: Int16
    /// Pairs made so far.
    private var pairs: [Key: Int16] = [:]

    /// A (foreground, background) combination.
    private struct Key: Hashable {
        let foreground: TerminalColor
        let background: TerminalColor
    }

    /// Starts colour mode.
    init() {
        start_color()
        if use_default_colors() == OK {
            defaultForeground = -1
            defaultBackground = -1
        } else {
            defaultForeground = Int16(COLOR_WHITE)
            defaultBackground = Int16(COLOR_BLACK)
        }
    }

    /// The pair for the combination, made on first use; 0 (default colours) when curses runs out of pairs.
    func pair(foreground: TerminalColor, background: TerminalColor) -> Int16 {
        if foreground == .default && background == .default { return 0 }
        let key = Key(foreground: foreground, background: background)
        if let pair = pairs[key] { return pair }
        let next = pairs.count + 1
        guard next < min(Int(mt_color_pairs()), Int(Int16.max)) else { return 0 }
        let pair = Int16(next)
        guard
            init_pair(
                pair, color(foreground, default: defaultForeground), color(background, default: defaultBackground))
                == OK
        else { return 0 }
        pairs[key] = pair
        return pair
    }

    /// The curses colour number.
    private func color(_ color: TerminalColor, default defaultColor: Int16) -> Int16 {
        switch color {
        case .default: return defaultColor
        case .black: return Int16(COLOR_BLACK)
        case .red: return Int16(COLOR_RED)
        case .green: return Int16(COLOR_GREEN)
        case .yellow: return Int16(COLOR_YELLOW)
        case .blue: return Int16(COLOR_BLUE)
        case .magenta: return Int16(COLOR_MAGENTA)
        case .cyan: return Int16(COLOR_CYAN)
        case .white: return Int16(COLOR_WHITE)
        }
    }
}
