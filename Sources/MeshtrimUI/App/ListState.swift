/// A column a list can be sorted by (k9s-style: a shift-letter picks it, pressing it again reverses).
public enum SortColumn: String, Hashable, Sendable, CaseIterable {
    /// Name (namespace, pod, service FQDN).
    case name
    /// Pod count.
    case pods
    /// Envoy allocated memory.
    case memory
    /// Cluster count.
    case clusters
    /// Estimated saving.
    case saving
    /// Working set.
    case workingSet
    /// Observed destinations.
    case destinations
    /// Observed traffic (requests).
    case traffic

    /// Whether the first press sorts descending (numbers: biggest first; names: A to Z).
    public var startsDescending: Bool { self != .name }
}

/// Which column a list is sorted by, and which way.
public struct SortOrder: Hashable, Sendable {
    /// The column.
    public var column: SortColumn
    /// Biggest (or last) first.
    public var descending: Bool

    /// Makes a sort order.
    public init(_ column: SortColumn, descending: Bool) {
        self.column = column
        self.descending = descending
    }

    /// The order after pressing the key for `column`: that column in its natural direction, or reversed when it
    /// was already the column.
    public func pressing(_ column: SortColumn) -> SortOrder {
        column == self.column ? SortOrder(column, descending: !descending) : SortOrder(column, descending: column.startsDescending)
    }
}

/// A list's view state: which rows show (after filter and sort), which is selected, and the scroll offset.
///
/// `rows` holds indices into the screen's source (namespaces, pods, clusters), recomputed only when the filter or
/// the sort changes, so rendering a 10,000-row list touches only the rows on screen.
public struct ListState: Hashable, Sendable {
    /// Position of the selected row within ``rows``.
    public var selection: Int
    /// The first row on screen.
    public var offset: Int
    /// The sort in effect; `nil` keeps the source order.
    public var sort: SortOrder?
    /// The filter text: a case-insensitive substring; a leading `!` shows the rows that do not match.
    public var filter: String
    /// Source indices of the rows shown, in display order.
    public var rows: [Int]

    /// Makes a list state.
    public init(selection: Int = 0, offset: Int = 0, sort: SortOrder? = nil, filter: String = "", rows: [Int] = []) {
        self.selection = selection
        self.offset = offset
        self.sort = sort
        self.filter = filter
        self.rows = rows
    }

    /// The source index of the selected row, `nil` for an empty list.
    public var selectedSource: Int? {
        rows.indices.contains(selection) ? rows[selection] : nil
    }

    /// Moves the selection by `delta` rows (clamped) and scrolls so it stays within `pageSize` rows.
    public mutating func move(by delta: Int, pageSize: Int) {
        select(selection + delta, pageSize: pageSize)
    }

    /// Selects row `position` (clamped) and scrolls so it is visible.
    public mutating func select(_ position: Int, pageSize: Int) {
        selection = rows.isEmpty ? 0 : min(max(0, position), rows.count - 1)
        clampOffset(pageSize: pageSize)
    }

    /// Keeps the offset valid and the selection on screen.
    public mutating func clampOffset(pageSize: Int) {
        let page = max(1, pageSize)
        if selection < offset { offset = selection }
        if selection >= offset + page { offset = selection - page + 1 }
        offset = max(0, min(offset, max(0, rows.count - page)))
    }

    /// Replaces the rows, keeping the same source row selected when it is still shown.
    public mutating func replaceRows(_ newRows: [Int], pageSize: Int) {
        let selected = selectedSource
        rows = newRows
        if let selected, let position = newRows.firstIndex(of: selected) {
            selection = position
        } else {
            selection = 0
        }
        clampOffset(pageSize: pageSize)
    }
}

/// Filter matching shared by every list.
public enum ListFilter {
    /// Whether a row whose searchable text is `text` passes `filter` (substring, case-insensitive; `!` inverts).
    public static func matches(_ text: String, filter: String) -> Bool {
        var needle = Substring(filter)
        var inverted = false
        if needle.first == "!" {
            inverted = true
            needle = needle.dropFirst()
        }
        if needle.isEmpty { return true }
        let found = text.lowercased().contains(needle.lowercased())
        return found != inverted
    }
}
