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
    /// The sidecar's actual cluster names on a live source (fetched when the screen opens).
    public var clusterNames: ClusterNamesStatus = .unavailable

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
