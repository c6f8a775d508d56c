/// One namespace's outbound scope split by service namespace (``OutboundBlocks``), with the hosts its sidecars were
/// seen calling: made by ``MeshAnalysis/egressImpactBlocks(namespace:)`` when an egress editor opens, so that
/// ``MeshAnalysis/impact(namespace:workloadSelector:hosts:name:blocks:)`` adds blocks after each toggle instead of
/// evaluating the candidate's imports over every service of the mesh (10,000 of them in a large one).
///
/// A reference type compared by identity, like the analysis it was made from: editor states holding it stay cheap to
/// copy and compare.
public final class EgressImpactBlocks: Hashable, Sendable {
    /// Its scope by service namespace, watching the observed hosts.
    let blocks: OutboundBlocks
    /// Observed host → its position among the watched hostnames.
    let positions: [String: Int]

    /// The proxy namespace.
    var namespace: String { blocks.namespace }

    init(blocks: OutboundBlocks) {
        self.blocks = blocks
        positions = Dictionary(blocks.watched.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Identity: two are equal only when they are the same.
    public static func == (lhs: EgressImpactBlocks, rhs: EgressImpactBlocks) -> Bool { lhs === rhs }

    /// Hashes the identity.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
