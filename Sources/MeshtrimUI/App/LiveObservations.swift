import MeshtrimCore

/// Which sidecars the person is looking at, so a live source observes them before the rest.
///
/// Computed from the state after every action (``observationDemand(_:)``); the reducer emits
/// ``Effect/observe(_:)`` only when it changes, so scrolling within the same rows sends nothing.
public struct ObservationDemand: Hashable, Sendable {
    /// The selected pod (pods screen) or the pod whose detail is open; observed first.
    public var selected: PodKey?
    /// Pods with a sidecar on screen (pods screen, or the pods screen under an open detail), top to bottom,
    /// without `selected`.
    public var visible: [PodKey]
    /// Namespaces on screen (namespaces screen), the selected one first: their pods come next.
    public var namespaces: [String]

    /// Makes a demand.
    public init(selected: PodKey? = nil, visible: [PodKey] = [], namespaces: [String] = []) {
        self.selected = selected
        self.visible = visible
        self.namespaces = namespaces
    }
}

/// A sidecar's actual cluster names as Envoy reported them (port-forward to admin :15000, masked `config_dump`).
public struct ActualClusterNames: Hashable, Sendable {
    /// The names, dynamic then static, as Envoy listed them.
    public let names: [String]
    /// When they were read, `HH:MM:SS` local time (formatted by the effect runner: the reducer has no clock).
    public let fetchedAt: String
    /// The names, for lookups.
    let lookup: Set<String>

    /// Makes the value.
    public init(names: [String], fetchedAt: String) {
        self.names = names
        self.fetchedAt = fetchedAt
        lookup = Set(names)
    }

    /// Whether Envoy has a cluster named `name`.
    public func contains(_ name: String) -> Bool { lookup.contains(name) }

    /// Compares names and time (the lookup set follows from the names).
    public static func == (lhs: ActualClusterNames, rhs: ActualClusterNames) -> Bool {
        lhs.fetchedAt == rhs.fetchedAt && lhs.names == rhs.names
    }

    /// Hashes the time and the count (cheap; equality compares the names).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fetchedAt)
        hasher.combine(names.count)
    }

    /// How the actual names differ from `predicted`: names only Envoy has, and predicted names Envoy lacks.
    public func difference(from predicted: [String]) -> (onlyInEnvoy: [String], notInEnvoy: [String]) {
        let predictedSet = Set(predicted)
        return (names.filter { !predictedSet.contains($0) }, predicted.filter { !lookup.contains($0) })
    }
}

/// What the detail screen knows about a sidecar's actual cluster names.
public enum ClusterNamesStatus: Hashable, Sendable {
    /// Not a live source: only predicted names exist (nothing is shown about actual names).
    case unavailable
    /// Asked for; the screen shows "fetching…" and the predicted names meanwhile.
    case fetching
    /// Envoy's names.
    case actual(ActualClusterNames)
    /// RBAC forbids the port-forward; the message names the permission.
    case notPermitted(String)
    /// The fetch failed (the Envoy died, a timeout); the message says why. The rest of the screen still works.
    case failed(String)
}

extension ClusterNamesStatus {
    /// Whether Envoy's names are known.
    public var isActual: Bool {
        if case .actual = self { return true }
        return false
    }
}

/// The live-source bookkeeping of the UI state: whether the source is live, and the last demand sent.
public struct LiveObservationState: Hashable, Sendable {
    /// Whether the source is a live cluster (the only source that observes sidecars on demand).
    public var isEnabled: Bool
    /// The last demand sent with ``Effect/observe(_:)``; `nil` before the first.
    public var demand: ObservationDemand?
    /// How fresh the figures are (``Action/liveStatus(_:)``); `nil` for file sources and before the first report.
    public var status: LiveStatus?

    /// Makes the state; file sources keep `isEnabled` false and never emit observation effects.
    public init(isEnabled: Bool = false, demand: ObservationDemand? = nil, status: LiveStatus? = nil) {
        self.isEnabled = isEnabled
        self.demand = demand
        self.status = status
    }

}

/// The demand of the state's screens: the window of the pods list under the top screen, its selection, or the
/// namespaces on screen. `nil` when nothing is loaded or the top screen lists no pods or namespaces (editor,
/// preview), in which case the previous demand stands.
public func observationDemand(_ state: AppState) -> ObservationDemand? {
    guard let data = state.data else { return nil }
    switch state.top {
    case .namespaces(let screen):
        let page = state.layout.pageSize(for: .namespaces)
        let names = visibleWindow(screen.list, pageSize: page).compactMap { index in
            data.analysis.namespaces.indices.contains(index) ? data.analysis.namespaces[index].name : nil
        }
        let selected = screen.list.selectedSource.flatMap { index in
            data.analysis.namespaces.indices.contains(index) ? data.analysis.namespaces[index].name : nil
        }
        let ordered = (selected.map { [$0] } ?? []) + names.filter { $0 != selected }
        return ObservationDemand(namespaces: ordered)
    case .pods(let screen):
        return podsDemand(screen, selected: screen.list.selectedSource, data: data, pageSize: state.layout.pageSize(for: .pods))
    case .detail(let detail):
        let selected = PodKey(namespace: detail.namespace, name: detail.podName)
        guard state.stack.count >= 2, case .pods(let below) = state.stack[state.stack.count - 2] else {
            return ObservationDemand(selected: selected)
        }
        var demand = podsDemand(below, selected: nil, data: data, pageSize: state.layout.pageSize(for: .pods))
        demand.selected = selected
        demand.visible.removeAll { $0 == selected }
        return demand
    case .editor, .preview, .apply, .plan:
        return nil
    }
}

/// Source indices of the rows on screen: `offset ..< offset + pageSize`, clipped to the rows.
public func visibleWindow(_ list: ListState, pageSize: Int) -> ArraySlice<Int> {
    let start = min(max(0, list.offset), list.rows.count)
    let end = min(list.rows.count, start + max(1, pageSize))
    return list.rows[start..<end]
}

/// The demand of a pods list: its visible sidecar pods, and the selected one apart.
private func podsDemand(_ screen: PodsScreen, selected: Int?, data: MeshData, pageSize: Int) -> ObservationDemand {
    var demand = ObservationDemand()
    if let selected, let summary = data.pod(at: selected), summary.pod.hasSidecar {
        demand.selected = PodKey(namespace: summary.pod.namespace, name: summary.pod.name)
    }
    for index in visibleWindow(screen.list, pageSize: pageSize) {
        guard let summary = data.pod(at: index), summary.pod.hasSidecar else { continue }
        let id = PodKey(namespace: summary.pod.namespace, name: summary.pod.name)
        if id != demand.selected { demand.visible.append(id) }
    }
    return demand
}

/// The effects a live source needs after an action: ``Effect/observe(_:)`` when the demand changed, and
/// ``Effect/fetchClusterNames(_:)`` when a detail screen is on top whose names were never asked for.
func liveEffects(_ state: inout AppState) -> [Effect] {
    guard state.live.isEnabled, state.data != nil, !state.isQuitting else { return [] }
    var effects: [Effect] = []
    if let demand = observationDemand(state), demand != state.live.demand {
        state.live.demand = demand
        effects.append(.observe(demand))
    }
    if case .detail(var detail) = state.top, detail.clusterNames == .unavailable {
        detail.clusterNames = .fetching
        state.top = .detail(detail)
        effects.append(.fetchClusterNames(PodKey(namespace: detail.namespace, name: detail.podName)))
    }
    return effects
}

/// A moment on the wall clock as the effect runner read it: the reducer has no clock, so time arrives as this
/// value with ``Action/liveStatus(_:)`` and ages are measured between two of them.
public struct ReadTime: Hashable, Sendable {
    /// Whole seconds since 1970 (for ages).
    public var seconds: Int
    /// The local time of day, `HH:MM:SS` (for display).
    public var clock: String

    /// Makes a time.
    public init(seconds: Int, clock: String) {
        self.seconds = seconds
        self.clock = clock
    }

    /// How long before `now` this was, in the largest whole unit: `just now`, `40s ago`, `12m ago`, `3h ago`, `2d ago`.
    public func age(at now: ReadTime) -> String {
        let elapsed = max(0, now.seconds - seconds)
        switch elapsed {
        case ..<5: return "just now"
        case ..<60: return "\(elapsed)s ago"
        case ..<3_600: return "\(elapsed / 60)m ago"
        case ..<86_400: return "\(elapsed / 3_600)h ago"
        default: return "\(elapsed / 86_400)d ago"
        }
    }
}

/// A sidecar whose last read failed: its figures on screen (if any) are older and marked stale.
public struct FailedRead: Hashable, Sendable {
    /// Why the read failed.
    public var message: String
    /// When it failed.
    public var failedAt: ReadTime
    /// When the figures still shown were read; `nil` when the sidecar was never read.
    public var figuresReadAt: ReadTime?

    /// Makes a failed read.
    public init(message: String, failedAt: ReadTime, figuresReadAt: ReadTime?) {
        self.message = message
        self.failedAt = failedAt
        self.figuresReadAt = figuresReadAt
    }
}

/// How fresh a live cluster's figures are, as the live source last reported it.
public struct LiveStatus: Hashable, Sendable {
    /// When the report was made: the reducer's "now" for every age on screen.
    public var now: ReadTime
    /// When the cluster was last read successfully.
    public var clusterReadAt: ReadTime?
    /// Why the last refresh failed; `nil` once one succeeded.
    public var refreshFailure: String?
    /// Sidecars whose last read failed, by pod.
    public var failedReads: [PodKey: FailedRead]

    /// Makes a status.
    public init(now: ReadTime, clusterReadAt: ReadTime?, refreshFailure: String? = nil, failedReads: [PodKey: FailedRead] = [:]) {
        self.now = now
        self.clusterReadAt = clusterReadAt
        self.refreshFailure = refreshFailure
        self.failedReads = failedReads
    }

    /// How old the figures of a pod whose last read failed are (`12m ago`; the failure's age when it was never
    /// read); `nil` when its figures are fresh.
    public func staleAge(for pod: PodKey) -> String? {
        guard let failed = failedReads[pod] else { return nil }
        return (failed.figuresReadAt ?? failed.failedAt).age(at: now)
    }

    /// The header's words: `read 12:03:10` while fresh; `last read 12:03:10 (12m ago) · refresh failed` after a
    /// failed refresh, until one succeeds.
    public var headerText: String? {
        guard let read = clusterReadAt else { return refreshFailure.map { _ in "refresh failed" } }
        if refreshFailure != nil { return "last read \(read.clock) (\(read.age(at: now))) · refresh failed" }
        return "read \(read.clock)"
    }
}
