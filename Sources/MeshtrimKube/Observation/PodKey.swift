/// A pod, by namespace and name.
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
