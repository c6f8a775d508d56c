import Foundation

/// A destination with observed traffic that a proposed Sidecar would cut off.
public struct CutDestination: Hashable, Sendable {
    /// The destination host.
    public var host: String
    /// Its namespace, when known.
    public var namespace: String?
    /// Requests or connections observed.
    public var requests: Int
    /// The pods that sent them.
    public var pods: [String]
}

/// What a proposed Sidecar would do to one pod.
public struct PodChange: Hashable, Sendable {
    /// The pod's name.
    public var pod: String
    /// Clusters now (actual where known).
    public var clustersBefore: Int
    /// Predicted clusters afterwards.
    public var clustersAfter: Int
    /// Envoy allocated bytes now (observed, else estimated).
    public var bytesBefore: Int
    /// Estimated Envoy allocated bytes afterwards.
    public var bytesAfter: Int
}

/// What a proposed egress selection would do to the pods it applies to.
public struct EgressImpact: Hashable, Sendable {
    /// The proposed Sidecar.
    public var sidecar: Sidecar
    /// The pods it would apply to (pods with a more specific Sidecar keep theirs), from ``changes``.
    public var affectedPods: [String] { changes.map(\.pod) }
    /// How many pods it would apply to (the editor shows it on every frame): the count of ``changes``, or for the
    /// mesh-wide default, which has none, of the sidecars it applies to.
    public var affectedPodCount: Int
    /// The change for each affected pod; none for the mesh-wide default, whose breakdown is per namespace
    /// (``MeshDefaultImpact/namespaces``): 50,000 of them rebuilt after every toggle were half of its cost.
    public var changes: [PodChange]
    /// Pods of the namespace it would not change, with why.
    public var unaffectedPods: [(pod: String, reason: String)]
    /// Clusters on the affected pods now (actual where known), summed.
    public var clustersBefore: Int
    /// Predicted clusters on the affected pods afterwards, summed.
    public var clustersAfter: Int
    /// Envoy allocated bytes now (observed where known, else estimated), summed.
    public var memoryBeforeBytes: Int
    /// Estimated Envoy allocated bytes afterwards, summed.
    public var memoryAfterBytes: Int
    /// Observed destinations the Sidecar would no longer import, biggest first.
    public var cutDestinations: [CutDestination]
    /// Explanations (precedence, engine warnings).
    public var notes: [String]
    /// The memory model's basis.
    public var memoryBasis: MemoryModel.Basis

    /// Makes an impact; `affectedPodCount` is the count of `changes` unless given (the mesh-wide default gives it and
    /// no changes).
    init(
        sidecar: Sidecar, changes: [PodChange], affectedPodCount: Int? = nil, unaffectedPods: [(pod: String, reason: String)],
        clustersBefore: Int, clustersAfter: Int, memoryBeforeBytes: Int, memoryAfterBytes: Int, cutDestinations: [CutDestination],
        notes: [String], memoryBasis: MemoryModel.Basis
    ) {
        self.sidecar = sidecar
        self.changes = changes
        self.affectedPodCount = affectedPodCount ?? changes.count
        self.unaffectedPods = unaffectedPods
        self.clustersBefore = clustersBefore
        self.clustersAfter = clustersAfter
        self.memoryBeforeBytes = memoryBeforeBytes
        self.memoryAfterBytes = memoryAfterBytes
        self.cutDestinations = cutDestinations
        self.notes = notes
        self.memoryBasis = memoryBasis
    }

    /// Estimated bytes saved.
    public var savingBytes: Int { max(0, memoryBeforeBytes - memoryAfterBytes) }

    public static func == (lhs: EgressImpact, rhs: EgressImpact) -> Bool {
        lhs.sidecar == rhs.sidecar && lhs.changes == rhs.changes && lhs.affectedPodCount == rhs.affectedPodCount
            && lhs.clustersBefore == rhs.clustersBefore
            && lhs.clustersAfter == rhs.clustersAfter && lhs.memoryBeforeBytes == rhs.memoryBeforeBytes
            && lhs.memoryAfterBytes == rhs.memoryAfterBytes && lhs.cutDestinations == rhs.cutDestinations
            && lhs.notes == rhs.notes && lhs.unaffectedPods.map(\.pod) == rhs.unaffectedPods.map(\.pod)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sidecar)
        hasher.combine(changes)
        hasher.combine(affectedPodCount)
        hasher.combine(clustersAfter)
        hasher.combine(memoryAfterBytes)
    }
}
