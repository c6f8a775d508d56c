/// The egress editor's one-key choices.
public enum EgressPreset: String, CaseIterable, Hashable, Sendable {
    /// `./*` plus the istiod namespace: the common fix.
    case commonFix
    /// Exactly the destinations with observed traffic, plus the istiod namespace.
    case observedTraffic
    /// Nothing at all (`~/*`), for receive-only workloads.
    case nothing
    /// An empty selection, to build one by hand.
    case clear

    /// The label shown in the editor and in help.
    public var title: String {
        switch self {
        case .commonFix: return "./* + istiod namespace"
        case .observedTraffic: return "observed traffic"
        case .nothing: return "nothing (~/*)"
        case .clear: return "clear"
        }
    }
}
