import MeshtrimCore

/// How soon a sidecar should be observed.
public enum ObservationPriority: Int, Sendable, Comparable, CaseIterable {
    /// Everything else, in order.
    case background = 0
    /// Rows on screen.
    case visible = 1
    /// The pod the user selected.
    case selected = 2

    /// Orders by urgency.
    public static func < (lhs: ObservationPriority, rhs: ObservationPriority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How far the observations are.
public struct ObservationProgress: Sendable, Hashable {
    /// Sidecars observed (fresh in the cache) since the last refresh.
    public var observed: Int
    /// Sidecars whose observation failed.
    public var failed: Int
    /// Sidecars waiting.
    public var queued: Int
    /// Sidecars being read now.
    public var inFlight: Int

    /// Nothing waiting or running.
    public var isIdle: Bool { queued == 0 && inFlight == 0 }
}

/// What the observer reports as it goes.
public enum ObservationEvent: Sendable {
    /// A sidecar's figures arrived.
    case observed(ProxyObservation)
    /// A sidecar could not be observed (the message says why; the row keeps its prediction).
    case failed(PodKey, KubeError)
    /// A sidecar's actual cluster names arrived.
    case clusterNames(PodKey, [String])
    /// Counts after each change.
    case progress(ObservationProgress)
}
