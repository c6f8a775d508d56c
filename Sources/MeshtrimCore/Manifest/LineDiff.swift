/// A unified diff of two texts by lines (longest common subsequence): the YAML preview's diff against the Sidecar it
/// replaces, and `meshtrim apply`'s diff against the live object.
public enum LineDiff {
    /// One line of a diff.
    public enum Line: Hashable, Sendable {
        /// In both.
        case context(String)
        /// Only in the new text.
        case added(String)
        /// Only in the old text.
        case removed(String)
        /// `@@ -a,b +c,d @@`.
        case hunk(String)
    }

    /// The edit script from `old` to `new`, every line included.
    public static func script(from old: [String], to new: [String]) -> [Line] {
        let n = old.count
        let m = new.count
        // Past this size the table gets big; a wholesale replacement is still a correct diff.
        guard n * m <= 4_000_000 else { return old.map(Line.removed) + new.map(Line.added) }
        var lengths = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i][j] = old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var result: [Line] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                result.append(.context(old[i]))
                i += 1
                j += 1
            } else if i < n, j == m || lengths[i + 1][j] >= lengths[i][j + 1] {
                // Removals before additions, as diff -u prints them.
                result.append(.removed(old[i]))
                i += 1
            } else {
                result.append(.added(new[j]))
                j += 1
            }
        }
        return result
    }

    /// A unified diff with `context` lines around each change and `@@` hunk headers; empty when equal.
    public static func unified(from old: [String], to new: [String], context: Int = 3) -> [Line] {
        let lines = script(from: old, to: new)
        let changed = lines.indices.filter { if case .context = lines[$0] { return false } else { return true } }
        guard !changed.isEmpty else { return [] }
        var hunks: [ClosedRange<Int>] = []
        for index in changed {
            let range = max(0, index - context)...min(lines.count - 1, index + context)
            if let last = hunks.last, range.lowerBound <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                hunks.append(range)
            }
        }
        var output: [Line] = []
        for hunk in hunks {
            var oldStart = 1
            var newStart = 1
            for line in lines[..<hunk.lowerBound] {
                switch line {
                case .context: oldStart += 1; newStart += 1
                case .added: newStart += 1
                case .removed: oldStart += 1
                case .hunk: break
                }
            }
            var oldCount = 0
            var newCount = 0
            for line in lines[hunk] {
                switch line {
                case .context: oldCount += 1; newCount += 1
                case .added: newCount += 1
                case .removed: oldCount += 1
                case .hunk: break
                }
            }
            output.append(.hunk("@@ -\(oldCount == 0 ? oldStart - 1 : oldStart),\(oldCount) +\(newCount == 0 ? newStart - 1 : newStart),\(newCount) @@"))
            output += lines[hunk]
        }
        return output
    }

    /// `diff -u` text of two texts (split into lines): `--- oldLabel`, `+++ newLabel`, then the hunks; empty when
    /// equal. `meshtrim recommend` prints it against the Sidecar a recommendation replaces.
    public static func unifiedText(from old: String, to new: String, oldLabel: String, newLabel: String, context: Int = 3) -> [String] {
        func lines(_ text: String) -> [String] {
            var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if parts.last == "" { parts.removeLast() }
            return parts
        }
        let diff = unified(from: lines(old), to: lines(new), context: context)
        guard !diff.isEmpty else { return [] }
        return ["--- " + oldLabel, "+++ " + newLabel] + diff.map { line in
            switch line {
            case .context(let text): return " " + text
            case .added(let text): return "+" + text
            case .removed(let text): return "-" + text
            case .hunk(let text): return text
            }
        }
    }
}
