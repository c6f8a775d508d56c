import Foundation

/// A pod's row of numbers: what was observed and what the scope engine predicts.
public struct PodSummary: Hashable, Sendable {
    /// The pod.
    public var pod: Pod
    /// What was observed on its sidecar, if anything.
    public var observation: ProxyObservation?
    /// The Sidecar in effect (`namespace/name`), `nil` for the default scope.
    public var sidecar: String?
    /// Every cluster the engine predicts (bootstrap ones included, as `active_clusters` counts them).
    public var predictedClusters: Int
    /// Envoy's own count, when observed.
    public var activeClusters: Int? { observation?.activeClusters }
    /// Observed allocated bytes, when observed.
    public var envoyAllocatedBytes: Int? { observation?.envoyAllocatedBytes }
    /// Observed working set bytes, when observed.
    public var workingSetBytes: Int? { observation?.workingSetBytes }
    /// How many distinct destinations had observed traffic.
    public var observedDestinationCount: Int { observation?.destinations.count ?? 0 }
    /// The cluster count to show: the actual one when known, else the prediction.
    public var clusterCount: Int { activeClusters ?? predictedClusters }
    /// Whether ``clusterCount`` is Envoy's own count (not a prediction).
    public var isClusterCountActual: Bool { activeClusters != nil }

    /// Its clusters if the engine predicted `predictedAfter` instead of ``predictedClusters``: Envoy's own count moved
    /// by the difference when known (what the engine cannot see, EnvoyFilters and the like, stays), else the
    /// prediction.
    public func clustersAfter(predicted predictedAfter: Int) -> Int {
        Self.clustersAfter(active: activeClusters, predicted: predictedClusters, predictedAfter: predictedAfter)
    }

    /// ``clustersAfter(predicted:)`` from the figures alone (for what keeps them without the summary).
    static func clustersAfter(active: Int?, predicted: Int, predictedAfter: Int) -> Int {
        active.map { max(0, $0 - (predicted - predictedAfter)) } ?? predictedAfter
    }
}
