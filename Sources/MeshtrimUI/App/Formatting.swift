import MeshtrimCore

/// Number and size formatting shared by every view, kubectl-style and locale-independent (goldens must not move).
public enum Formatting {
    /// `1,532`: thousands separated by commas (``CountFormat/thousands(_:)``).
    public static func count(_ value: Int) -> String {
        CountFormat.thousands(value)
    }

    /// A cluster count, prefixed with `~` when it is the engine's prediction rather than Envoy's own count.
    public static func clusters(_ value: Int, predicted: Bool) -> String {
        (predicted ? "~" : "") + count(value)
    }

    /// Bytes in binary units the way `kubectl top` prints them: `950Ki`, `312Mi`, `1.2Gi` (``ByteFormat``, shared
    /// with the CLI).
    public static func bytes(_ value: Int) -> String {
        ByteFormat.binary(value)
    }

    /// Bytes, or `-` when unknown.
    public static func bytes(_ value: Int?) -> String {
        ByteFormat.binary(value)
    }

    /// `12.5`: one decimal, rounded half away from zero, no locale.
    public static func oneDecimal(_ value: Double) -> String {
        ByteFormat.oneDecimal(value)
    }

    /// An average shown in a table: no decimals from 100 on, one below.
    public static func average(_ value: Double) -> String {
        value >= 100 ? count(Int(value.rounded())) : oneDecimal(value)
    }

    /// `-34%` style relative change from `before` to `after`; empty when `before` is 0.
    public static func percentChange(from before: Int, to after: Int) -> String {
        guard before > 0 else { return "" }
        let change = (Double(after) - Double(before)) / Double(before) * 100
        let rounded = Int(change.rounded())
        return (rounded > 0 ? "+" : "") + "\(rounded)%"
    }

    /// `1 pod`, `3 pods`.
    public static func plural(_ value: Int, _ noun: String) -> String {
        "\(count(value)) \(noun)\(value == 1 ? "" : "s")"
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (no Foundation needed).
    public var trimmed: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

extension Formatting {
    /// Word-wraps `text` to `width` columns; continuation lines start with `indent`. Words longer than a line are
    /// cut. Always returns at least one line.
    public static func wrap(_ text: String, width: Int, indent: String = "") -> [String] {
        let limit = max(1, width)
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let prefix = lines.isEmpty ? "" : indent
            let candidate = current.isEmpty ? prefix + word : current + " " + word
            if candidate.terminalWidth <= limit || current.isEmpty && word.isEmpty {
                current = candidate
                continue
            }
            if !current.isEmpty && current != prefix {
                lines.append(current)
                current = indent + word
            } else {
                current = candidate
            }
            while current.terminalWidth > limit {
                var head = ""
                var rest = Substring(current)
                while let next = rest.first, (head + String(next)).terminalWidth <= limit {
                    head.append(next)
                    rest.removeFirst()
                }
                if head.isEmpty { break }
                lines.append(head)
                current = indent + rest
            }
        }
        lines.append(current)
        return lines
    }
}
