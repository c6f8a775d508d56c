/// Why meshtrim could not open its terminal UI; each message tells the user what to do instead.
public enum TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Standard input or output is not a terminal (a pipe, a file, CI): the UI cannot run.
    case notATerminal
    /// ncurses has no terminfo entry for `$TERM` (the associated value; `nil` when `TERM` is unset).
    case unknownTerminal(term: String?)

    /// The message shown to the user.
    public var description: String {
        switch self {
        case .notATerminal:
            return "meshtrim's UI needs a terminal; "
                + "use the subcommands (meshtrim scope, meshtrim report …) for scripts"
        case .unknownTerminal(let term?):
            return "meshtrim cannot drive the terminal type TERM=\(term): no terminfo entry was found; "
                + "try TERM=xterm-256color, or install ncurses-term"
        case .unknownTerminal(nil):
            return "meshtrim cannot drive this terminal: TERM is not set; set it (e.g. TERM=xterm-256color) and retry"
        }
    }
}
