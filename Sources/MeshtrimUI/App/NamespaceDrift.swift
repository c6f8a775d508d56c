import MeshtrimCore

/// One namespace's drift on the namespaces screen: how many new dependencies and trim candidates its Sidecars in
/// effect have (``SidecarDrift``, summed), shown as `+2 −15` in the DRIFT column.
public struct NamespaceDrift: Hashable, Sendable {
    /// Destinations with traffic that no Sidecar in effect imports.
    public var newDependencies: Int
    /// Imported services without traffic.
    public var trimCandidates: Int
    /// The clusters those candidates cost per proxy, summed.
    public var trimmableClusters: Int

    /// Makes a summary.
    public init(newDependencies: Int, trimCandidates: Int, trimmableClusters: Int) {
        self.newDependencies = newDependencies
        self.trimCandidates = trimCandidates
        self.trimmableClusters = trimmableClusters
    }

    /// Whether anything drifted.
    public var hasDrift: Bool { newDependencies > 0 || trimCandidates > 0 }

    /// `+2 −15`, or `ok`.
    public var text: String { hasDrift ? "+\(newDependencies) −\(trimCandidates)" : "ok" }

    /// The drifts summed per namespace.
    public static func byNamespace(_ drifts: [SidecarDrift]) -> [String: NamespaceDrift] {
        var result: [String: NamespaceDrift] = [:]
        for drift in drifts {
            var entry = result[drift.namespace] ?? NamespaceDrift(newDependencies: 0, trimCandidates: 0, trimmableClusters: 0)
            entry.newDependencies += drift.newDependencies.count
            entry.trimCandidates += drift.trimCandidates.count
            entry.trimmableClusters += drift.trimmableClusters
            result[drift.namespace] = entry
        }
        return result
    }
}
