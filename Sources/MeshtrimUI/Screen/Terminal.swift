/// A key press, decoded from the terminal into the names the key tables use.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    /// A printable character (`q`, `/`, `?`, `1`, …; space is `.character(" ")`).
    case character(Character)
    /// Control plus a letter, lowercase (`ctrl-c` is `.control("c")`).
    case control(Character)
    /// Enter / Return.
    case enter
    /// Escape.
    case escape
    /// Backspace.
    case backspace
    /// Tab.
    case tab
    /// Shift-Tab.
    case backTab
    /// Arrow up.
    case up
    /// Arrow down.
    case down
    /// Arrow left.
    case left
    /// Arrow right.
    case right
    /// Page up.
    case pageUp
    /// Page down.
    case pageDown
    /// Home.
    case home
    /// End.
    case end
    /// Delete.
    case delete
    /// A function key F1…F12.
    case function(Int)

    /// The name used in hints and help: `enter`, `esc`, `ctrl-u`, `space`, `q`.
    public var description: String {
        switch self {
        case .character(" "): return "space"
        case .character(let character): return String(character)
        case .control(let character): return "ctrl-\(character)"
        case .enter: return "enter"
        case .escape: return "esc"
        case .backspace: return "backspace"
        case .tab: return "tab"
        case .backTab: return "shift-tab"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "pgup"
        case .pageDown: return "pgdn"
        case .home: return "home"
        case .end: return "end"
        case .delete: return "del"
        case .function(let number): return "F\(number)"
        }
    }
}

/// A mouse event in screen coordinates.
public enum MouseEvent: Hashable, Sendable {
    /// A left click at (x, y).
    case click(x: Int, y: Int)
    /// The wheel turned up.
    case wheelUp
    /// The wheel turned down.
    case wheelDown
}

/// Something that happened at the terminal.
public enum TerminalEvent: Hashable, Sendable {
    /// A key press.
    case key(Key)
    /// The terminal changed size.
    case resize(width: Int, height: Int)
    /// A mouse event.
    case mouse(MouseEvent)
}

/// What the runtime needs from a terminal; ncurses implements it, tests script it.
///
/// A terminal is owned by one thread (the UI thread): ncurses is not thread-safe.
public protocol Terminal: AnyObject {
    /// The current size in columns and rows.
    var size: (width: Int, height: Int) { get }
    /// Copies a frame to the terminal.
    func draw(_ screen: Screen)
    /// Waits up to `timeoutMilliseconds` for the next event; `nil` when none came.
    func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent?
    /// Throws away keys and mouse events typed but not read yet (typeahead); resizes are kept.
    ///
    /// The runtime calls it right after drawing a new question, so that keys pressed before the question was on
    /// screen cannot answer it.
    func discardTypeahead()
    /// Gives the terminal back to the shell (idempotent).
    func close()
}
