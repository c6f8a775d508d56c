import MeshtrimCore

/// The namespaces screen: every namespace with its sidecar memory and what the common fix would save.
public struct NamespacesScreen: Hashable, Sendable {
    /// Rows (indices into `analysis.namespaces`), selection, sort and filter.
    public var list: ListState

    /// Makes the screen state.
    public init(list: ListState = ListState(sort: SortOrder(.memory, descending: true))) {
        self.list = list
    }
}

/// The pods of one namespace.
public struct PodsScreen: Hashable, Sendable {
    /// The namespace.
    public var namespace: String
    /// Rows (indices into `analysis.pods`), selection, sort and filter.
    public var list: ListState

    /// Makes the screen state.
    public init(namespace: String, list: ListState = ListState(sort: SortOrder(.memory, descending: true))) {
        self.namespace = namespace
        self.list = list
    }
}

/// One pod's sidecar: its memory and the clusters it gets, in istioctl's columns, with reasons.
public struct DetailScreen: Hashable, Sendable {
    /// The pod (index into `analysis.pods`).
    public var podIndex: Int
    /// The pod's name, for breadcrumbs.
    public var podName: String
    /// The pod's namespace.
    public var namespace: String
    /// The scope the engine computed for the pod.
    public var scope: SidecarScope
    /// Observed requests per destination host (FQDN).
    public var trafficByHost: [String: Int]
    /// Rows (indices into `scope.clusters`), selection, sort and filter.
    public var list: ListState
    /// Whether the reason panel of the selected cluster is open (`enter`).
    public var showsReason: Bool

    /// Makes the screen state.
    public init(
        podIndex: Int, podName: String, namespace: String, scope: SidecarScope, trafficByHost: [String: Int],
        list: ListState = ListState(), showsReason: Bool = false
    ) {
        self.podIndex = podIndex
        self.podName = podName
        self.namespace = namespace
        self.scope = scope
        self.trafficByHost = trafficByHost
        self.list = list
        self.showsReason = showsReason
    }
}

/// One screen on the navigation stack, with its own state (kept while screens above it come and go).
public enum Route: Hashable, Sendable {
    /// Namespaces (the root).
    case namespaces(NamespacesScreen)
    /// Pods of a namespace.
    case pods(PodsScreen)
    /// A pod's sidecar detail.
    case detail(DetailScreen)
    /// The egress editor.
    case editor(EditorState)
    /// The YAML preview.
    case preview(PreviewState)

    /// The breadcrumb for this screen.
    public var crumb: String {
        switch self {
        case .namespaces: return "namespaces"
        case .pods(let screen): return screen.namespace
        case .detail(let screen): return screen.podName
        case .editor(let editor): return "egress " + editor.target.description
        case .preview: return "yaml"
        }
    }

    /// Which key table applies.
    public var kind: ScreenKind {
        switch self {
        case .namespaces: return .namespaces
        case .pods: return .pods
        case .detail: return .detail
        case .editor: return .editor
        case .preview: return .preview
        }
    }

    /// The screen's list state, for screens that are lists.
    public var list: ListState? {
        get {
            switch self {
            case .namespaces(let screen): return screen.list
            case .pods(let screen): return screen.list
            case .detail(let screen): return screen.list
            case .editor, .preview: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch self {
            case .namespaces(var screen):
                screen.list = newValue
                self = .namespaces(screen)
            case .pods(var screen):
                screen.list = newValue
                self = .pods(screen)
            case .detail(var screen):
                screen.list = newValue
                self = .detail(screen)
            case .editor, .preview:
                break
            }
        }
    }
}

/// The kinds of screen, each with one key table.
public enum ScreenKind: String, Hashable, Sendable, CaseIterable {
    /// Namespaces.
    case namespaces
    /// Pods.
    case pods
    /// Sidecar detail.
    case detail
    /// Egress editor.
    case editor
    /// YAML preview.
    case preview

    /// The title shown in help.
    public var title: String {
        switch self {
        case .namespaces: return "namespaces"
        case .pods: return "pods"
        case .detail: return "sidecar detail"
        case .editor: return "egress editor"
        case .preview: return "yaml preview"
        }
    }
}
