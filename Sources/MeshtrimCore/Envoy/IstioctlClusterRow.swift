/// One row of `istioctl proxy-config clusters`: what the table needs from a real or a predicted cluster.
///
/// The SERVICE FQDN, PORT, SUBSET and DIRECTION columns all come from the name, as istioctl derives them, so an
/// Envoy cluster and a ``PredictedCluster`` with the same name print the same row.
public struct IstioctlClusterRow: Hashable, Sendable {
    /// The cluster name.
    public var name: String
    /// The TYPE column (`EDS`, `STATIC`, `ORIGINAL_DST`, `STRICT_DNS`, `LOGICAL_DNS`).
    public var type: String
    /// The DESTINATION RULE column (`name.namespace`, `<unknown>`, or empty).
    public var destinationRule: String

    /// Makes a row.
    public init(name: String, type: String, destinationRule: String = "") {
        self.name = name
        self.type = type
        self.destinationRule = destinationRule
    }

    /// The row of a cluster read from a config dump.
    public init(_ cluster: EnvoyCluster) {
        self.init(name: cluster.name, type: cluster.type, destinationRule: cluster.destinationRule)
    }

    /// The row a predicted cluster would print once the proxy has it.
    public init(_ cluster: PredictedCluster) {
        self.init(name: cluster.name, type: cluster.type, destinationRule: cluster.destinationRule)
    }

    /// Whether istioctl prints the name as a special row (`name  -  -  -  TYPE  DR`): fewer than three `|`.
    public var isSpecial: Bool { !ClusterName.isIstioctlSubsetKey(name) }

    /// The cells istioctl prints, without the `pc all` NAME column:
    /// FQDN, PORT, SUBSET (`-` when empty), DIRECTION, TYPE, DESTINATION RULE.
    public var cells: [String] {
        guard !isSpecial else { return [name, "-", "-", "-", type, destinationRule] }
        let parts = ClusterName.parseSubsetKey(name)
        return [parts.host, String(parts.port), parts.subset.isEmpty ? "-" : parts.subset, parts.direction, type,
                destinationRule]
    }

    /// The sort key istioctl uses: (FQDN, subset, port, direction), a special name being its own FQDN with an empty
    /// subset and direction and port 0.
    var sortKey: SortKey {
        guard !isSpecial else { return SortKey(fqdn: Array(name.utf8), subset: [], port: 0, direction: []) }
        let parts = ClusterName.parseSubsetKey(name)
        return SortKey(
            fqdn: Array(parts.host.utf8), subset: Array(parts.subset.utf8), port: parts.port,
            direction: Array(parts.direction.utf8))
    }

    /// istioctl's ordering, comparing strings as bytes like Go.
    struct SortKey: Comparable {
        var fqdn: [UInt8]
        var subset: [UInt8]
        var port: Int
        var direction: [UInt8]

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            if lhs.fqdn != rhs.fqdn { return lhs.fqdn.lexicographicallyPrecedes(rhs.fqdn) }
            if lhs.subset != rhs.subset { return lhs.subset.lexicographicallyPrecedes(rhs.subset) }
            if lhs.port != rhs.port { return lhs.port < rhs.port }
            return lhs.direction.lexicographicallyPrecedes(rhs.direction)
        }
    }
}
