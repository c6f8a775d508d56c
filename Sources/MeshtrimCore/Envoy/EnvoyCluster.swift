/// One cluster from an Envoy admin `/config_dump`, with the fields istioctl shows and the original JSON.
public struct EnvoyCluster: Hashable, Sendable {
    /// Where in the dump the cluster came from.
    public enum Origin: String, Hashable, Sendable {
        /// `static_clusters` (Istio's bootstrap: `agent`, `prometheus_stats`, `sds-grpc`, `xds-grpc`, …).
        case `static`
        /// `dynamic_active_clusters` (pushed by istiod over CDS).
        case dynamicActive
    }

    /// The cluster name (`cluster.name`).
    public var name: String
    /// The TYPE column as istioctl prints it: the `type` enum name, `STATIC` when absent or when the cluster uses a
    /// custom `cluster_type` (protobuf's `GetType()` returns the zero value then).
    public var type: String
    /// The custom cluster type's extension name (`cluster_type.name`), when the cluster uses one.
    public var customType: String?
    /// The DESTINATION RULE column as istioctl prints it (see ``destinationRuleColumn(metadata:)``).
    public var destinationRule: String
    /// Static (bootstrap) or dynamic (CDS).
    public var origin: Origin
    /// The cluster object as it appeared in the dump.
    public var json: OrderedJSON

    /// Makes a cluster from its fields.
    public init(
        name: String, type: String, customType: String? = nil, destinationRule: String = "", origin: Origin,
        json: OrderedJSON = .object([])
    ) {
        self.name = name
        self.type = type
        self.customType = customType
        self.destinationRule = destinationRule
        self.origin = origin
        self.json = json
    }

    /// Reads a `Cluster` object (snake_case as Envoy writes it, or lowerCamelCase as istioctl writes it).
    public init(json: OrderedJSON, origin: Origin) {
        self.init(
            name: json.member("name")?.stringValue ?? "",
            type: Self.typeColumn(json),
            customType: json.member("cluster_type")?.member("name")?.stringValue,
            destinationRule: Self.destinationRuleColumn(metadata: json.member("metadata")),
            origin: origin,
            json: json
        )
    }

    /// The name taken apart into direction, port, subset and host.
    public var parsedName: ClusterName { ClusterName(name) }

    /// Whether the dump kept nothing of the cluster but its name (`?mask=cluster.name`): its type and metadata are
    /// then unknown, not STATIC and none.
    public var hasOnlyName: Bool {
        json.objectMembers?.allSatisfy { $0.key == "name" || $0.key == "@type" } ?? false
    }

    /// Whether the cluster comes from Envoy's bootstrap rather than istiod.
    public var isStatic: Bool { origin == .static }

    /// The `DiscoveryType` names by enum number (`envoy.config.cluster.v3.Cluster.DiscoveryType`).
    private static let discoveryTypeNames = ["STATIC", "STRICT_DNS", "LOGICAL_DNS", "EDS", "ORIGINAL_DST"]

    private static func typeColumn(_ cluster: OrderedJSON) -> String {
        // `type` and `cluster_type` are a oneof: with a custom type, GetType() is the zero value, STATIC.
        if cluster.member("cluster_type") != nil { return discoveryTypeNames[0] }
        switch cluster.member("type") {
        case .string(let name)?:
            return name
        case let value? where value.intValue != nil:
            let number = value.intValue ?? 0
            return discoveryTypeNames.indices.contains(number) ? discoveryTypeNames[number] : String(number)
        default:
            return discoveryTypeNames[0]
        }
    }

    /// istioctl's DESTINATION RULE column (`describeManagement` + `renderConfig`): from
    /// `metadata.filter_metadata.istio.config`, a path
    /// `/apis/networking.istio.io/v1alpha3/namespaces/<ns>/destination-rule/<name>` prints as `<name>.<ns>`;
    /// another path prefix prints `<unknown>`; the right prefix with the wrong number of segments prints nothing;
    /// no metadata prints nothing. A non-string `config` prints `<unknown>`, as istioctl's
    /// `GetStringValue()` yields "" for it.
    public static func destinationRuleColumn(metadata: OrderedJSON?) -> String {
        guard let istio = metadata?.member("filter_metadata")?["istio"],
            let config = istio["config"]
        else { return "" }
        return renderConfigPath(config.stringValue ?? "")
    }

    /// istioctl's `renderConfig`: `name.namespace` for a v1alpha3 networking config path.
    public static func renderConfigPath(_ path: String) -> String {
        let prefix = "/apis/networking.istio.io/v1alpha3/namespaces/"
        guard path.utf8.starts(with: prefix.utf8) else { return "<unknown>" }
        let pieces = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard pieces.count == 8 else { return "" }
        return String(decoding: pieces[7], as: UTF8.self) + "." + String(decoding: pieces[5], as: UTF8.self)
    }
}
