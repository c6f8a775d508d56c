import Foundation

/// The parts of an Envoy admin `/config_dump` meshtrim reads: clusters (static and dynamic active) and the cluster
/// names of the endpoints section.
///
/// Accepts the full dump (`{"configs": [{"@type": "…ClustersConfigDump", "static_clusters": […],
/// "dynamic_active_clusters": […]}, …]}`, sections in any order, unknown fields ignored), istioctl's
/// `?mask=dynamic_active_clusters,…` form, and the per-resource form of
/// `?resource=dynamic_active_clusters&mask=cluster.name`, whose `configs[]` entries are single
/// `…ClustersConfigDump.DynamicCluster` / `…StaticCluster` objects. Warming clusters are ignored, as istioctl does.
public struct EnvoyConfigDump: Sendable {
    /// The `@type` of every `configs[]` entry, in order (`(no @type)` for entries without one).
    public var sectionTypes: [String]
    /// Whether any cluster information was present: a `ClustersConfigDump` section or per-cluster entries.
    public var hasClusterSection: Bool
    /// Dynamic active clusters then static ones, each in dump order (istioctl's order before sorting).
    public var clusters: [EnvoyCluster]
    /// How many `dynamic_warming_clusters` the dump listed (not included in ``clusters``).
    public var warmingClusterCount: Int
    /// Whether an `EndpointsConfigDump` section was present (`/config_dump?include_eds`).
    public var hasEndpointSection: Bool
    /// `cluster_name` of each `static_endpoint_configs[]` entry, in order.
    public var staticEndpointClusterNames: [String]
    /// `cluster_name` of each `dynamic_endpoint_configs[]` entry, in order.
    public var dynamicEndpointClusterNames: [String]

    /// Parses config dump JSON.
    ///
    /// - Throws: ``EnvoyConfigDumpError/invalidJSON(_:)`` for text that isn't JSON (with the byte offset), or
    ///   ``EnvoyConfigDumpError/notAConfigDump(_:)`` for JSON of the wrong shape. A dump without clusters parses;
    ///   ask ``requireClusters()`` when clusters are needed.
    public init(data: Data) throws(EnvoyConfigDumpError) {
        let json: OrderedJSON
        do {
            json = try OrderedJSON(parsing: data)
        } catch {
            throw .invalidJSON(error)
        }
        try self.init(json: json)
    }

    /// Reads an already parsed dump.
    ///
    /// - Throws: ``EnvoyConfigDumpError/notAConfigDump(_:)`` when `json` isn't an object or `configs` isn't an array.
    public init(json: OrderedJSON) throws(EnvoyConfigDumpError) {
        guard json.isObject else {
            throw .notAConfigDump("the top-level value is \(json.kindDescription), not an object")
        }
        sectionTypes = []
        hasClusterSection = false
        clusters = []
        warmingClusterCount = 0
        hasEndpointSection = false
        staticEndpointClusterNames = []
        dynamicEndpointClusterNames = []

        let configs: [OrderedJSON]
        switch json["configs"] {
        case nil, .null?:
            configs = []
        case .array(let elements)?:
            configs = elements
        case let other?:
            throw .notAConfigDump("\"configs\" is \(other.kindDescription), not an array")
        }

        var dynamicClusters: [EnvoyCluster] = []
        var staticClusters: [EnvoyCluster] = []
        var sawClustersSection = false
        for (index, entry) in configs.enumerated() {
            let type = entry["@type"]?.stringValue
            sectionTypes.append(type ?? "(no @type)")
            guard let type else { continue }
            if type.hasSuffix(".ClustersConfigDump") {
                // istioctl reads the first clusters section only.
                guard !sawClustersSection else { continue }
                sawClustersSection = true
                hasClusterSection = true
                dynamicClusters += try Self.clusters(
                    in: entry.member("dynamic_active_clusters"), origin: .dynamicActive, path: "configs[\(index)].dynamic_active_clusters")
                staticClusters += try Self.clusters(
                    in: entry.member("static_clusters"), origin: .static, path: "configs[\(index)].static_clusters")
                warmingClusterCount = entry.member("dynamic_warming_clusters")?.arrayValue?.count ?? 0
            } else if type.hasSuffix(".ClustersConfigDump.DynamicCluster") {
                hasClusterSection = true
                if let cluster = entry["cluster"], cluster.isObject {
                    try Self.checkName(of: cluster, path: "configs[\(index)].cluster")
                    dynamicClusters.append(EnvoyCluster(json: cluster, origin: .dynamicActive))
                }
            } else if type.hasSuffix(".ClustersConfigDump.StaticCluster") {
                hasClusterSection = true
                if let cluster = entry["cluster"], cluster.isObject {
                    try Self.checkName(of: cluster, path: "configs[\(index)].cluster")
                    staticClusters.append(EnvoyCluster(json: cluster, origin: .static))
                }
            } else if type.hasSuffix(".EndpointsConfigDump") {
                hasEndpointSection = true
                staticEndpointClusterNames += Self.endpointClusterNames(in: entry.member("static_endpoint_configs"))
                dynamicEndpointClusterNames += Self.endpointClusterNames(in: entry.member("dynamic_endpoint_configs"))
            }
        }
        clusters = dynamicClusters + staticClusters
    }

    /// The clusters, or an error saying why there are none (what `istioctl proxy-config clusters` needs).
    ///
    /// - Throws: ``EnvoyConfigDumpError/noClusterSection(presentSections:)`` or ``EnvoyConfigDumpError/noClusters``.
    public func requireClusters() throws(EnvoyConfigDumpError) -> [EnvoyCluster] {
        guard hasClusterSection else { throw .noClusterSection(presentSections: sectionTypes) }
        guard !clusters.isEmpty else { throw .noClusters }
        return clusters
    }

    /// Every cluster name the dump mentions: the clusters, or the endpoints section's names when the dump only
    /// has endpoints (static first, then dynamic).
    public var clusterNames: [String] {
        if hasClusterSection { return clusters.map(\.name) }
        return staticEndpointClusterNames + dynamicEndpointClusterNames
    }

    /// Whether the dump was masked to cluster names (`?resource=dynamic_active_clusters&mask=cluster.name`): every
    /// cluster has only its name, so TYPE and DESTINATION RULE are unknown rather than STATIC and none.
    public var isMaskedToNames: Bool {
        !clusters.isEmpty && clusters.allSatisfy(\.hasOnlyName)
    }

    private static func clusters(in list: OrderedJSON?, origin: EnvoyCluster.Origin, path: String) throws(EnvoyConfigDumpError)
        -> [EnvoyCluster]
    {
        guard let entries = list?.arrayValue else { return [] }
        var result: [EnvoyCluster] = []
        result.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            // istioctl skips entries without a cluster.
            guard let cluster = entry["cluster"], cluster.isObject else { continue }
            try checkName(of: cluster, path: "\(path)[\(index)].cluster")
            result.append(EnvoyCluster(json: cluster, origin: origin))
        }
        return result
    }

    /// A cluster's `name` must be a string when present (Envoy always writes one); anything else would print an
    /// empty row.
    private static func checkName(of cluster: OrderedJSON, path: String) throws(EnvoyConfigDumpError) {
        guard let name = cluster.member("name"), name.stringValue == nil else { return }
        throw .invalidCluster("\(path).name is \(name.kindDescription), expected a string (the cluster's name)")
    }

    private static func endpointClusterNames(in list: OrderedJSON?) -> [String] {
        guard let entries = list?.arrayValue else { return [] }
        return entries.compactMap { $0.member("endpoint_config")?.member("cluster_name")?.stringValue }
    }
}
