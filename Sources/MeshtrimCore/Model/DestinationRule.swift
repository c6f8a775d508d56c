/// An Istio `DestinationRule`, reduced to what adds clusters: its host and its subsets.
public struct DestinationRule: Codable, Hashable, Sendable {
    /// The object's metadata.
    public var meta: ObjectMeta
    /// `spec.host` as written (short names resolve against the rule's namespace).
    public var host: String
    /// The names of `spec.subsets`, in order; each adds one cluster per service port.
    public var subsets: [String]
    /// `spec.exportTo`; `nil` means the mesh default.
    public var exportTo: [String]?
    /// `spec.workloadSelector`; such rules apply only to selected workloads of their own namespace.
    public var workloadSelector: LabelSelector?

    /// Makes a DestinationRule.
    public init(
        meta: ObjectMeta, host: String, subsets: [String] = [], exportTo: [String]? = nil,
        workloadSelector: LabelSelector? = nil
    ) {
        self.meta = meta
        self.host = host
        self.subsets = subsets
        self.exportTo = exportTo
        self.workloadSelector = workloadSelector
    }
}
