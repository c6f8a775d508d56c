import Foundation

/// The machine-readable form of a ``SidecarScope``: what `meshtrim scope -o json|yaml` prints.
///
/// Keys and their order are part of meshtrim's scripting interface (README, "meshtrim scope").
public struct ScopeReport: Encodable, Hashable, Sendable {
    /// The proxy evaluated.
    public struct Proxy: Encodable, Hashable, Sendable {
        /// Its namespace.
        public var namespace: String
        /// Its labels.
        public var labels: [String: String]
    }

    /// A reference to the Sidecar that applies.
    public struct SidecarReference: Encodable, Hashable, Sendable {
        /// The Sidecar's namespace.
        public var namespace: String
        /// The Sidecar's name.
        public var name: String
    }

    /// One imported service.
    public struct Service: Encodable, Hashable, Sendable {
        /// The registry hostname.
        public var hostname: String
        /// The namespace of the Service or ServiceEntry.
        public var namespace: String
        /// The imported port numbers.
        public var ports: [Int]
        /// Why it was imported.
        public var reason: String
    }

    /// One cluster.
    public struct Cluster: Encodable, Hashable, Sendable {
        /// The Envoy cluster name.
        public var name: String
        /// Why it exists.
        public var reason: String
    }

    /// The proxy.
    public var proxy: Proxy
    /// The Sidecar in effect, or `nil` (printed as `null`).
    public var sidecar: SidecarReference?
    /// `ALLOW_ANY` or `REGISTRY_ONLY`.
    public var outboundTrafficPolicy: String
    /// Imported services in Istio's order.
    public var services: [Service]
    /// Every cluster.
    public var clusters: [Cluster]
    /// Warnings.
    public var warnings: [String]

    /// Builds the report of a scope.
    public init(_ scope: SidecarScope) {
        proxy = Proxy(namespace: scope.proxyNamespace, labels: scope.proxyLabels)
        sidecar = scope.sidecar.map { SidecarReference(namespace: $0.meta.namespace, name: $0.meta.name) }
        outboundTrafficPolicy = scope.outboundTrafficPolicy.rawValue
        services = scope.services.map {
            Service(
                hostname: $0.service.hostname, namespace: $0.service.namespace, ports: $0.ports.map(\.number),
                reason: $0.reason.description)
        }
        clusters = scope.clusters.map { Cluster(name: $0.name, reason: $0.reason.description) }
        warnings = scope.warnings
    }

    private enum CodingKeys: String, CodingKey {
        case proxy, sidecar, outboundTrafficPolicy, services, clusters, warnings
    }

    /// Encodes every key, with `sidecar: null` when none applies.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(proxy, forKey: .proxy)
        if let sidecar { try container.encode(sidecar, forKey: .sidecar) } else { try container.encodeNil(forKey: .sidecar) }
        try container.encode(outboundTrafficPolicy, forKey: .outboundTrafficPolicy)
        try container.encode(services, forKey: .services)
        try container.encode(clusters, forKey: .clusters)
        try container.encode(warnings, forKey: .warnings)
    }

    /// The report as JSON with keys in the documented order (labels sorted by key).
    public var orderedJSON: OrderedJSON {
        func string(_ text: String) -> OrderedJSON { .string(text) }
        func object(_ members: [(String, OrderedJSON)]) -> OrderedJSON {
            .object(members.map { OrderedJSON.Member(key: $0.0, value: $0.1) })
        }
        let labels = object(proxy.labels.sorted { $0.key < $1.key }.map { ($0.key, string($0.value)) })
        return object([
            ("proxy", object([("namespace", string(proxy.namespace)), ("labels", labels)])),
            ("sidecar", sidecar.map { object([("namespace", string($0.namespace)), ("name", string($0.name))]) } ?? .null),
            ("outboundTrafficPolicy", string(outboundTrafficPolicy)),
            ("services", .array(services.map { service in
                object([
                    ("hostname", string(service.hostname)), ("namespace", string(service.namespace)),
                    ("ports", .array(service.ports.map { .number(String($0)) })), ("reason", string(service.reason)),
                ])
            })),
            ("clusters", .array(clusters.map { object([("name", string($0.name)), ("reason", string($0.reason))]) })),
            ("warnings", .array(warnings.map(string))),
        ])
    }

    /// Pretty JSON with keys in the documented order.
    public func json() -> String {
        orderedJSON.formatted(indent: "  ")
    }
}
