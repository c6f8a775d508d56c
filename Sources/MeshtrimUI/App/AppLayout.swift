/// Where the chrome and the body go at a terminal size; shared by the views and by the reducer (page sizes,
/// mouse clicks) so both agree on what is on screen.
///
/// From 10 rows: header, breadcrumbs, body, flash line, hint bar. Below that the header and the flash line go
/// (prompts and flashes then take the hint bar's row). Below 20×5 only "terminal too small" is shown.
public struct AppLayout: Hashable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int

    /// The smallest width anything but the size warning is drawn at.
    public static let minimumWidth = 20
    /// The smallest height anything but the size warning is drawn at.
    public static let minimumHeight = 5
    /// From this width the editor shows its impact panel beside the list instead of below it.
    public static let sidePanelWidth = 100

    /// Makes the layout for a size.
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// Whether the terminal is below the minimum.
    public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
    /// The header row (source, Istio version, totals), `nil` when there is no room.
    public var headerRow: Int? { height >= 10 ? 0 : nil }
    /// The breadcrumbs row.
    public var crumbRow: Int { headerRow == nil ? 0 : 1 }
    /// The first body row.
    public var bodyTop: Int { crumbRow + 1 }
    /// The flash and prompt row, `nil` when they share the hint bar's row.
    public var statusRow: Int? { height >= 10 ? height - 2 : nil }
    /// The hint bar row.
    public var hintRow: Int { height - 1 }
    /// Rows between the breadcrumbs and the flash line (or hint bar).
    public var bodyHeight: Int { max(0, (statusRow ?? hintRow) - bodyTop) }

    /// Rows of the memory panel on the detail screen.
    public var detailPanelHeight: Int {
        bodyHeight >= 14 ? 4 : (bodyHeight >= 8 ? 2 : 0)
    }

    /// Rows of the reason panel on the detail screen when it is open.
    public var reasonPanelHeight: Int { bodyHeight >= 12 ? 3 : 1 }

    /// Whether the editor's impact panel sits beside the list.
    public var editorPanelBeside: Bool { width >= Self.sidePanelWidth && bodyHeight >= 8 }

    /// Rows of the editor's impact panel when it sits below the list.
    public var editorPanelHeight: Int {
        if editorPanelBeside { return 0 }
        if bodyHeight >= 16 { return 8 }
        if bodyHeight >= 6 { return 2 }
        return 1
    }

    /// Width of the editor's side panel.
    public var editorPanelWidth: Int { editorPanelBeside ? min(56, width * 2 / 5) : 0 }

    /// Rows of list content (without the column header) for a screen kind, and whether the detail reason panel is
    /// open.
    public func pageSize(for kind: ScreenKind, showsReason: Bool = false) -> Int {
        switch kind {
        case .namespaces, .pods:
            return max(1, bodyHeight - 1)
        case .detail:
            return max(1, bodyHeight - detailPanelHeight - 1 - (showsReason ? reasonPanelHeight : 0))
        case .editor:
            return max(1, bodyHeight - editorPanelHeight)
        case .preview, .plan:
            return max(1, bodyHeight)
        case .apply:
            return max(1, bodyHeight - 1)
        }
    }

    /// The screen row of the first list row (below the column header) for a screen kind.
    public func firstListRow(for kind: ScreenKind) -> Int {
        switch kind {
        case .namespaces, .pods: return bodyTop + 1
        case .detail: return bodyTop + detailPanelHeight + 1
        case .editor, .preview, .apply, .plan: return bodyTop
        }
    }
}
