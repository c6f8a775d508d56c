import CNcursesw
import MeshtrimUI

/// Turns what ncurses' `wget_wch` returned into a ``Key``, with no terminal involved.
///
/// `wget_wch` reports either `KEY_CODE_YES` plus a curses key code (`KEY_DOWN`, `KEY_F(5)`, …) or `OK` plus a
/// Unicode scalar (which in raw mode includes control bytes such as 0x03 for ctrl-c). Keeping the mapping pure
/// means it is unit-tested without a tty; ``NcursesTerminal`` only forwards the two numbers.
///
/// `KEY_RESIZE` and `KEY_MOUSE` are not keys: the terminal handles them before asking here, and they decode to
/// `nil` like every other code meshtrim has no use for.
public enum KeyDecoding {
    /// The highest function key meshtrim names (``Key/function(_:)`` documents F1…F12).
    public static let highestFunctionKey = 12

    /// The key for one `wget_wch` result, or `nil` for errors, timeouts and keys meshtrim ignores.
    ///
    /// - Parameters:
    ///   - status: `wget_wch`'s return value: `OK`, `KEY_CODE_YES` or `ERR`.
    ///   - code: the `wint_t` it stored: a key code when `status` is `KEY_CODE_YES`, otherwise a Unicode scalar.
    public static func key(status: Int32, code: UInt32) -> Key? {
        switch status {
        case KEY_CODE_YES: return keyCode(Int32(truncatingIfNeeded: code))
        case OK: return character(code)
        default: return nil
        }
    }

    /// A curses key code (`KEY_UP`, `KEY_F(1)`, …) as a ``Key``.
    private static func keyCode(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_DC: return .delete
        case KEY_BACKSPACE: return .backspace
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        default:
            let number = Int(code) - Int(KEY_F0)
            if (1...highestFunctionKey).contains(number) { return .function(number) }
            return nil
        }
    }

    /// A Unicode scalar (or raw control byte) as a ``Key``.
    private static func character(_ code: UInt32) -> Key? {
        switch code {
        case 0x1B: return .escape
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x01...0x1A:
            // ctrl-a is 0x01 … ctrl-z is 0x1A.
            guard let letter = Unicode.Scalar(0x60 + code) else { return nil }
            return .control(Character(letter))
        case 0x00...0x1F, 0x80...0x9F:
            // ctrl-@, ctrl-\, ctrl-] …, and C1 controls: nothing meshtrim binds.
            return nil
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        }
    }
}
