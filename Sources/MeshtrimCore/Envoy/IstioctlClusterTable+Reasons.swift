/// `meshtrim clusters --why`: istioctl's table with one more column saying why each cluster exists.
extension IstioctlClusterTable {
    /// What the WHY column says for a cluster the scope engine does not predict for the proxy.
    public static let unpredictedReason = "not predicted: the scope engine has no reason for it"

    /// The reason of every cluster of `scope`, by cluster name (``ScopeReason/description``: which egress host,
    /// VirtualService or DestinationRule subset brought it in, or why every sidecar has it).
    public static func reasons(of scope: SidecarScope) -> [String: String] {
        var reasons: [String: String] = [:]
        for cluster in scope.clusters where reasons[cluster.name] == nil {
            let text = cluster.reason.description
            reasons[cluster.name] = text.isEmpty ? ScopeReason.bootstrap.description : text
        }
        return reasons
    }

    /// The table of ``render(rows:)`` with a last `WHY` column: `reasons[name]`, else ``unpredictedReason``.
    /// The other columns are istioctl's (same sort, filters and alignment rules), so without the last column the
    /// rows read as istioctl's do.
    public func render(rows: [IstioctlClusterRow], reasons: [String: String]) -> String {
        render(rows: rows) { reasons[$0.name] ?? Self.unpredictedReason }
    }
}
