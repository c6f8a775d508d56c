import CNcursesw
import MeshtrimTerminal
import MeshtrimUI
import Testing

/// `wget_wch` results → keys, without a terminal.
@Suite("Key decoding")
struct KeyDecodingTests {
    /// A curses key code (`KEY_CODE_YES`).
    private static func code(_ value: Int32) -> (status: Int32, code: UInt32) {
        (KEY_CODE_YES, UInt32(bitPattern: value))
    }

    /// A character or control byte (`OK`).
    private static func character(_ value: UInt32) -> (status: Int32, code: UInt32) {
        (OK, value)
    }

    @Test(
        "Curses key codes",
        arguments: [
            (code(KEY_UP), Key.up), (code(KEY_DOWN), .down), (code(KEY_LEFT), .left), (code(KEY_RIGHT), .right),
            (code(KEY_NPAGE), .pageDown), (code(KEY_PPAGE), .pageUp), (code(KEY_HOME), .home), (code(KEY_END), .end),
            (code(KEY_DC), .delete), (code(KEY_BACKSPACE), .backspace), (code(KEY_BTAB), .backTab),
            (code(KEY_ENTER), .enter), (code(mt_key_f(1)), .function(1)), (code(mt_key_f(5)), .function(5)),
            (code(mt_key_f(12)), .function(12)),
        ])
    func keyCodes(input: (status: Int32, code: UInt32), expected: Key) {
        #expect(KeyDecoding.key(status: input.status, code: input.code) == expected)
    }

    @Test(
        "The numbers the tmux probe saw decode the same way",
        arguments: [(258, Key.down), (269, .function(5))] as [(UInt32, Key)])
    func observedNumbers(code: UInt32, expected: Key) {
        #expect(KeyDecoding.key(status: 256, code: code) == expected)
    }

    @Test(
        "Control bytes and characters",
        arguments: [
            (character(0x1B), Key.escape), (character(0x0D), .enter), (character(0x0A), .enter),
            (character(0x09), .tab), (character(0x7F), .backspace), (character(0x08), .backspace),
            (character(0x01), .control("a")), (character(0x03), .control("c")), (character(0x15), .control("u")),
            (character(0x1A), .control("z")), (character(0x20), .character(" ")), (character(0x71), .character("q")),
            (character(0x2F), .character("/")), (character(0x3F), .character("?")), (character(0xE9), .character("é")),
            (character(0x6F22), .character("漢")), (character(0x2388), .character("⎈")),
        ])
    func characters(input: (status: Int32, code: UInt32), expected: Key) {
        #expect(KeyDecoding.key(status: input.status, code: input.code) == expected)
    }

    @Test(
        "Input meshtrim has no name for decodes to nil",
        arguments: [
            (ERR, 0), (ERR, 0x71),  // timeout / no input
            (KEY_CODE_YES, UInt32(KEY_RESIZE)), (KEY_CODE_YES, UInt32(KEY_MOUSE)),  // handled by the terminal
            (KEY_CODE_YES, UInt32(mt_key_f(13))), (KEY_CODE_YES, UInt32(KEY_SLEFT)),  // keys without a name
            (OK, 0x00), (OK, 0x1C), (OK, 0x1D), (OK, 0x1F),  // ctrl-@, ctrl-\, ctrl-], ctrl-_
            (OK, 0x85), (OK, 0x9B),  // C1 controls
            (OK, 0xD800), (OK, 0x11_0000),  // not Unicode scalars
        ] as [(Int32, UInt32)])
    func ignored(status: Int32, code: UInt32) {
        #expect(KeyDecoding.key(status: status, code: code) == nil)
    }

    @Test("Every letter's control byte is ctrl-letter except tab, enter and backspace")
    func controlLetters() {
        let claimed: Set<UInt32> = [0x08, 0x09, 0x0A, 0x0D]
        for byte in UInt32(0x01)...0x1A where !claimed.contains(byte) {
            let letter = Character(Unicode.Scalar(UInt8(0x60 + byte)))
            #expect(KeyDecoding.key(status: OK, code: byte) == .control(letter), "byte \(byte)")
        }
    }
}
