/// The parts of Istio's mesh config (ConfigMap `istio`, key `mesh`) that change scoping.
public struct MeshConfig: Codable, Hashable, Sendable {
    /// Where mesh-wide Sidecars and DestinationRules live (default `istio-system`).
    public var rootNamespace: String
    /// exportTo for services that set none (default `["*"]`).
    public var defaultServiceExportTo: [String]
    /// exportTo for VirtualServices that set none (default `["*"]`).
    public var defaultVirtualServiceExportTo: [String]
    /// exportTo for DestinationRules that set none (default `["*"]`).
    public var defaultDestinationRuleExportTo: [String]
    /// The mesh's outbound traffic policy (default `ALLOW_ANY`).
    public var outboundTrafficPolicy: OutboundTrafficPolicy
    /// The cluster DNS domain (default `cluster.local`).
    public var domainSuffix: String

    /// Makes a mesh config; every parameter defaults to Istio's default.
    public init(
        rootNamespace: String = "istio-system", defaultServiceExportTo: [String] = ["*"],
        defaultVirtualServiceExportTo: [String] = ["*"], defaultDestinationRuleExportTo: [String] = ["*"],
        outboundTrafficPolicy: OutboundTrafficPolicy = .allowAny, domainSuffix: String = "cluster.local"
    ) {
        self.rootNamespace = rootNamespace
        self.defaultServiceExportTo = defaultServiceExportTo
        self.defaultVirtualServiceExportTo = defaultVirtualServiceExportTo
        self.defaultDestinationRuleExportTo = defaultDestinationRuleExportTo
        self.outboundTrafficPolicy = outboundTrafficPolicy
        self.domainSuffix = domainSuffix
    }
}
