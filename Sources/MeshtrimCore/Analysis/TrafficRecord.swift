import Foundation

/// Traffic from some source pods to one destination: the evidence an ``EgressRecommender`` works from.
///
/// The sidecars' own counters give one record per pod and destination (``EgressRecommender/counterRecords(in:namespace:)``);
/// a Prometheus query gives one per source workload and destination, mapped to the workload's pods.
public struct TrafficRecord: Hashable, Sendable {
    /// The namespace of the sending pods.
    public var sourceNamespace: String
    /// The sending pods' names (empty when a workload could not be matched to pods).
    public var sourcePods: [String]
    /// The sending workload (`source_workload`), when known.
    public var sourceWorkload: String?
    /// Where the traffic went and how much of it there was.
    public var destination: ObservedDestination
    /// Since when the figure counts (a proxy's start, a Prometheus window's start), when known.
    public var countedSince: Date?

    /// Makes a record.
    public init(
        sourceNamespace: String, sourcePods: [String], sourceWorkload: String? = nil, destination: ObservedDestination,
        countedSince: Date? = nil
    ) {
        self.sourceNamespace = sourceNamespace
        self.sourcePods = sourcePods
        self.sourceWorkload = sourceWorkload
        self.destination = destination
        self.countedSince = countedSince
    }
}
