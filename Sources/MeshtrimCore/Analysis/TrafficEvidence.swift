import Foundation

/// All the traffic evidence for one recommendation and where it came from.
public struct TrafficEvidence: Hashable, Sendable {
    /// The records.
    public var records: [TrafficRecord]
    /// Where they came from, for people: `sidecar counters`, `prometheus http://…`.
    public var source: String
    /// The Prometheus window (`7d`), `nil` for the sidecars' own counters.
    public var window: String?
    /// Sidecar pods whose traffic is not known (not observed); the recommendation says so, because their
    /// destinations may be missing.
    public var unobservedPods: [String]

    /// Makes evidence.
    public init(records: [TrafficRecord], source: String, window: String? = nil, unobservedPods: [String] = []) {
        self.records = records
        self.source = source
        self.window = window
        self.unobservedPods = unobservedPods
    }
}
