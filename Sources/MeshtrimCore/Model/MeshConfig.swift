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
    /// `enableTracing`; `nil` when the mesh config does not set it (Istio's default is `true`).
    public var enableTracing: Bool?
    /// The tracer `defaultConfig.tracing` names (`zipkin`, `lightstep`, `datadog`, `stackdriver`, …), `none` for an
    /// empty `tracing: {}`; `nil` when the mesh config does not set `defaultConfig.tracing`.
    public var defaultTracer: String?

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

    /// Whether Envoy's bootstrap holds the static `zipkin` cluster on `version`: never with `enableTracing: false`;
    /// with `defaultConfig.tracing` set, only when it names zipkin; otherwise only before 1.22, whose default tracer
    /// was zipkin (1.22 dropped the default). Tracing through `extensionProviders` and Telemetry uses the
    /// collector's own outbound cluster, not a bootstrap one.
    public func hasZipkinCluster(version: IstioVersion) -> Bool {
        if enableTracing == false { return false }
        guard let defaultTracer else { return version < IstioVersion(major: 1, minor: 22) }
        return defaultTracer == "zipkin"
    }

    /// The tracer of a `defaultConfig.tracing` mapping's keys: the first key that is not a common setting
    /// (`sampling`, `customTags`, `maxPathTagLength`, `tlsSettings`, `enableIstioTags`), else `none`.
    public static func tracer(ofTracingKeys keys: [String]) -> String {
        let settings: Set<String> = ["sampling", "customTags", "custom_tags", "maxPathTagLength", "max_path_tag_length", "tlsSettings", "tls_settings", "enableIstioTags"]
        return keys.sorted().first { !settings.contains($0) } ?? "none"
    }
}
