/// A pod, by namespace and name: the one pod identity of meshtrim.
///
/// The UI names the sidecars it wants observed with it (``ObservationDemand``), and the Kubernetes client keys its
/// observations and live sessions by it, so the two share it here rather than each keeping a copy.
public struct PodKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String

    /// Makes a key.
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// `namespace/name`.
    public var description: String { "\(namespace)/\(name)" }

    /// Orders by namespace, then name.
    public static func < (lhs: PodKey, rhs: PodKey) -> Bool { (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name) }
}
