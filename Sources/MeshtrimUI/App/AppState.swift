import MeshtrimCore

/// Whether the mesh is still loading, loaded, or failed to load.
public enum LoadState: Hashable, Sendable {
    /// Loading, with what is happening now (`reading demo snapshot…`, `analysing 1,500 pods…`).
    case loading(String)
    /// Loaded.
    case loaded(MeshData)
    /// Failed, with the message to show.
    case failed(String)
}

/// Everything the UI shows, as one value: views are pure functions of it and the reducer is the only thing that
/// changes it.
public struct AppState: Hashable, Sendable {
    /// Terminal columns.
    public var width: Int
    /// Terminal rows.
    public var height: Int
    /// Whether colours are drawn (`NO_COLOR`, `--no-color` switch them off; bold and reverse stay).
    public var colorEnabled: Bool
    /// `--read-only`: dangerous keys (writing) are hidden and refused.
    public var readOnly: Bool
    /// Whether the mesh on screen is a live cluster that the YAML preview's `a` can apply to and `ctrl-r` reads
    /// again (set by the launcher; demo, snapshot and manifest sources cannot be applied to or refreshed, and help
    /// does not list `ctrl-r` for them).
    public var canApplyToCluster = false
    /// Where the data comes from (`demo`, a snapshot file, manifests), shown in the header.
    public var sourceLabel: String
    /// Loading progress, the data, or the load error.
    public var load: LoadState
    /// The navigation stack; the root is always the namespaces screen.
    public var stack: [Route]
    /// What covers the screen and takes the keys (a prompt, a question, the label picker, help), if anything: one
    /// value, so two can never be open together.
    public var modal: Modal?
    /// Set while a file write is on its way (from the write prompt or an overwrite's yes until the writer answers):
    /// its answer may be a question (`… exists. Overwrite?`), so keys typed meanwhile are dropped instead of
    /// acting on the screen the question will cover.
    public var isWriting = false
    /// The flash message, if any.
    public var flash: Flash?
    /// The id the next flash gets.
    public var nextFlashID: Int
    /// Set by `q`, `ctrl-c` and `:q`; the runtime stops after the frame.
    public var isQuitting: Bool
    /// Live sources: whether sidecars are observed on demand, and the last demand sent.
    public var live = LiveObservationState()

    /// The initial state: loading from `sourceLabel` at a terminal size.
    public init(
        width: Int, height: Int, sourceLabel: String, colorEnabled: Bool = true, readOnly: Bool = false,
        loadingMessage: String? = nil
    ) {
        self.width = width
        self.height = height
        self.colorEnabled = colorEnabled
        self.readOnly = readOnly
        self.sourceLabel = sourceLabel
        self.load = .loading(loadingMessage ?? "loading \(sourceLabel)…")
        self.stack = [.namespaces(NamespacesScreen())]
        self.modal = nil
        self.flash = nil
        self.nextFlashID = 1
        self.isQuitting = false
    }

    /// A loaded state, as the reducer makes it from ``Action/loaded(_:)``: the namespaces screen, sorted by memory.
    public init(data: MeshData, width: Int, height: Int, colorEnabled: Bool = true, readOnly: Bool = false) {
        self.init(width: width, height: height, sourceLabel: data.analysis.source, colorEnabled: colorEnabled, readOnly: readOnly)
        _ = reduce(&self, .loaded(data))
    }

    /// The loaded data, if any.
    public var data: MeshData? {
        if case .loaded(let data) = load { return data }
        return nil
    }

    /// The screen on top of the stack.
    public var top: Route {
        get { stack.last ?? .namespaces(NamespacesScreen()) }
        set {
            if stack.isEmpty { stack = [newValue] } else { stack[stack.count - 1] = newValue }
        }
    }

    /// The layout at the current size.
    public var layout: AppLayout { AppLayout(width: width, height: height) }

    /// The yes/no question a frame of this state shows: the open ``confirm`` unless the terminal is too small to
    /// draw it. The runtime discards typed-ahead input when a new one appears, so only keys pressed after the
    /// question was on screen can answer it.
    public var visibleQuestion: ConfirmState? { layout.isTooSmall ? nil : confirm }

    /// Breadcrumbs, root first.
    public var breadcrumbs: [String] { stack.map(\.crumb) }

    /// Page size of the top screen's list.
    public var pageSize: Int {
        if case .detail(let detail) = top { return layout.pageSize(for: .detail, showsReason: detail.showsReason) }
        if case .editor(let editor) = top, editor.isMeshDefault { return layout.meshDefaultPageSize }
        return layout.pageSize(for: top.kind)
    }

    /// Every broken invariant, described (empty when the state is consistent); tests call it after each action.
    public func checkInvariants() -> [String] {
        var problems: [String] = []
        if stack.isEmpty { problems.append("the navigation stack is empty") }
        if case .namespaces = stack.first {} else { problems.append("the root screen is not namespaces") }
        if data == nil && stack.count > 1 { problems.append("screens were pushed before the mesh loaded") }
        if let flash, flash.id >= nextFlashID { problems.append("flash id \(flash.id) was never issued") }
        for (depth, route) in stack.enumerated() {
            let page = depth == stack.count - 1 ? pageSize : Int.max
            if let list = route.list {
                if list.rows.isEmpty {
                    if list.selection != 0 { problems.append("\(route.crumb): selection \(list.selection) in an empty list") }
                } else if !list.rows.indices.contains(list.selection) {
                    problems.append("\(route.crumb): selection \(list.selection) outside 0..<\(list.rows.count)")
                }
                if list.offset < 0 || list.offset > list.selection {
                    problems.append("\(route.crumb): offset \(list.offset) after selection \(list.selection)")
                }
                if page != Int.max, list.selection >= list.offset + page, !list.rows.isEmpty {
                    problems.append("\(route.crumb): selection \(list.selection) below the page (offset \(list.offset), page \(page))")
                }
                if Set(list.rows).count != list.rows.count { problems.append("\(route.crumb): duplicate rows") }
            }
            switch route {
            case .editor(let editor):
                if !editor.rows.indices.contains(editor.cursor) || !editor.rows[editor.cursor].isSelectable {
                    problems.append("editor: cursor \(editor.cursor) is not on a selectable row")
                }
                if Set(editor.hosts).count != editor.hosts.count { problems.append("editor: duplicate hosts") }
                if editor.offset < 0 || editor.offset > editor.cursor { problems.append("editor: offset after cursor") }
                if page != Int.max, editor.cursor >= editor.offset + page { problems.append("editor: cursor below the page") }
            case .preview(let preview):
                if preview.offset < 0 || (preview.offset > 0 && preview.offset >= preview.lines.count) {
                    problems.append("preview: offset \(preview.offset) outside the text")
                }
            case .detail(let detail):
                if detail.list.rows.contains(where: { !detail.scope.clusters.indices.contains($0) }) {
                    problems.append("detail: a row points outside the clusters")
                }
            default:
                break
            }
        }
        if let picker = labelPicker, !picker.labels.isEmpty, !picker.labels.indices.contains(picker.cursor) {
            problems.append("label picker: cursor outside the labels")
        }
        problems += overlayInvariantProblems()
        return problems
    }
}
