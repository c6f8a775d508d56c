/// A namespace's row of numbers on the namespaces screen.
public struct NamespaceSummary: Hashable, Sendable {
    /// The namespace name.
    public var name: String
    /// Pods in it.
    public var pods: Int
    /// Pods with an Envoy sidecar (gateways not included: see ``gateways``).
    public var sidecars: Int
    /// Pods running a gateway proxy (ingress, egress, Gateway API), which no Sidecar resource applies to.
    public var gateways: Int = 0
    /// Sum of observed Envoy allocated bytes (sidecars without data count as 0; see ``observedSidecars``).
    public var envoyAllocatedBytes: Int
    /// Sidecars with an observed memory figure.
    public var observedSidecars: Int
    /// Average clusters per sidecar (actual where known).
    public var averageClusters: Double
    /// The Sidecar resources in effect for its pods (`ns/name`, or `default` for none), most common first.
    public var sidecarsInEffect: [String]
    /// The estimated saving, in bytes, of the common fix (`./*` + istiod namespace) for the whole namespace.
    public var commonFixSavingBytes: Int
    /// Average clusters per sidecar after the common fix.
    public var commonFixAverageClusters: Double
}
