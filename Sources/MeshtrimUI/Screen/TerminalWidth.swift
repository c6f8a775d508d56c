extension Character {
    /// Columns this character takes in a terminal: 0 for combining marks and controls, 2 for East Asian wide
    /// and emoji, 1 otherwise.
    ///
    /// Deterministic (no `wcwidth`, no locale) so screen goldens are the same everywhere.
    public var terminalWidth: Int {
        guard let first = unicodeScalars.first else { return 0 }
        let value = first.value
        if value < 0x20 || (value >= 0x7F && value < 0xA0) { return 0 }
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark {
            return 0
        }
        if Self.isWide(value) { return 2 }
        return 1
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF,
            0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Columns the string takes in a terminal (sum of ``Character/terminalWidth``).
    public var terminalWidth: Int { reduce(0) { $0 + $1.terminalWidth } }

    /// The string cut to `width` columns, ending in `…` when cut.
    public func truncated(toWidth width: Int) -> String {
        guard width > 0 else { return "" }
        if terminalWidth <= width { return self }
        var result = ""
        var used = 0
        for character in self {
            let next = character.terminalWidth
            if used + next > width - 1 { break }
            result.append(character)
            used += next
        }
        return result + "…"
    }

    /// The string cut to `width` columns in the middle, keeping its end: for names whose end tells them apart
    /// (a pod's `-<hash>-<id>`): `carrier-validator-g2b7x-9zq` in 20 columns is `carrier-va…g2b7x-9zq`.
    ///
    /// The kept end is about half the width, or less when the last two `-` segments are shorter (more room for
    /// the start).
    public func truncatedInMiddle(toWidth width: Int) -> String {
        guard width > 0 else { return "" }
        if terminalWidth <= width { return self }
        guard width >= 6 else { return truncated(toWidth: width) }
        let segments = split(separator: "-", omittingEmptySubsequences: false)
        let suffix = segments.count >= 3 ? segments.suffix(2).joined(separator: "-") : ""
        let tailWidth = suffix.isEmpty ? (width - 1) / 2 : min(suffix.terminalWidth, (width - 1) / 2)
        var tail = ""
        var used = 0
        for character in reversed() {
            if used + character.terminalWidth > tailWidth { break }
            tail.insert(character, at: tail.startIndex)
            used += character.terminalWidth
        }
        var head = ""
        var headUsed = 0
        for character in self {
            if headUsed + character.terminalWidth > width - 1 - used { break }
            head.append(character)
            headUsed += character.terminalWidth
        }
        return head + "…" + tail
    }

    /// The string cut or padded with spaces to exactly `width` columns.
    public func padded(toWidth width: Int) -> String {
        let cut = truncated(toWidth: width)
        return cut + String(repeating: " ", count: max(0, width - cut.terminalWidth))
    }

    /// The string right-aligned in `width` columns (cut if longer).
    public func leftPadded(toWidth width: Int) -> String {
        let cut = truncated(toWidth: width)
        return String(repeating: " ", count: max(0, width - cut.terminalWidth)) + cut
    }
}
