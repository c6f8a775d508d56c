import Foundation

/// The identifying part of every Kubernetes object that meshtrim reads.
///
/// Istio orders Sidecars, Services and configs by creation time, so `creationTimestamp`
/// is kept; objects without one sort as if created at the Unix epoch, as in Istio.
public struct ObjectMeta: Codable, Hashable, Sendable {
    /// The object's name.
    public var name: String
    /// The object's namespace; empty for cluster-scoped objects.
    public var namespace: String
    /// Labels as given.
    public var labels: [String: String]
    /// Annotations as given.
    public var annotations: [String: String]
    /// When the object was created; `nil` when the manifest did not say.
    public var creationTimestamp: Date?

    /// Makes object metadata.
    public init(
        name: String, namespace: String = "", labels: [String: String] = [:],
        annotations: [String: String] = [:], creationTimestamp: Date? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.creationTimestamp = creationTimestamp
    }

    /// `namespace/name`, the way kubectl and istioctl name namespaced objects.
    public var qualifiedName: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    /// The creation time used for ordering (the epoch when unknown).
    public var creationTime: Date { creationTimestamp ?? Date(timeIntervalSince1970: 0) }

    /// The members a snapshot holds, for the snapshot's fast reader (``SnapshotArrayDecoder``), which reads each of
    /// them and leaves a file holding one it does not read to `JSONDecoder`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, namespace, labels, annotations, creationTimestamp
    }
}

/// A set of label requirements (`matchLabels`) that selects workloads by their labels.
public struct LabelSelector: Codable, Hashable, Sendable {
    /// Every key must be present on the workload with exactly this value.
    public var matchLabels: [String: String]

    /// Makes a selector from exact-match labels.
    public init(_ matchLabels: [String: String]) { self.matchLabels = matchLabels }

    /// Whether a workload with `labels` is selected (an empty selector selects everything).
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels where labels[key] != value { return false }
        return true
    }

    /// `k=v,k=v` in key order, as kubectl prints selectors.
    public var description: String {
        matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
