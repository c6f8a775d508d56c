/// A `contexts[].context` stanza.
public struct ContextEntry: Codable, Hashable, Sendable {
    /// The cluster's name.
    public var cluster: String?
    /// The user's name.
    public var user: String?
    /// The default namespace (empty means `default`).
    public var namespace: String?

    /// Makes a stanza.
    public init(cluster: String?, user: String?, namespace: String? = nil) {
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
    }
}
