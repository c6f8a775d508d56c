import MeshtrimCore

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
    /// Applying the preview's Sidecar to the live cluster: the check, then Cancel or Apply.
    case apply(ApplyState)
    /// `:plan`: the plan of the whole mesh.
    case plan(PlanScreen)

    /// The breadcrumb for this screen.
    public var crumb: String {
        switch self {
        case .namespaces: return "namespaces"
        case .pods(let screen): return screen.namespace
        case .detail(let screen): return screen.podName
        case .editor(let editor): return editor.crumb
        case .preview: return "yaml"
        case .apply: return "apply"
        case .plan: return "plan"
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
        case .apply: return .apply
        case .plan: return .plan
        }
    }

    /// The screen's list state, for screens that are lists.
    public var list: ListState? {
        get {
            switch self {
            case .namespaces(let screen): return screen.list
            case .pods(let screen): return screen.list
            case .detail(let screen): return screen.list
            case .editor, .preview, .apply, .plan: return nil
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
            case .editor, .preview, .apply, .plan:
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
    /// Apply confirmation.
    case apply
    /// The mesh plan.
    case plan

    /// The title shown in help.
    public var title: String {
        switch self {
        case .namespaces: return "namespaces"
        case .pods: return "pods"
        case .detail: return "sidecar detail"
        case .editor: return "egress editor"
        case .preview: return "yaml preview"
        case .apply: return "apply to the cluster"
        case .plan: return "mesh plan"
        }
    }
}
