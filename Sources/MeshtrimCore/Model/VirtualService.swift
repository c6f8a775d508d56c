/// An Istio `VirtualService`, reduced to what decides which services a sidecar imports.
public struct VirtualService: Codable, Hashable, Sendable {
    /// One place a route sends traffic to: a host, an optional port, and the source namespaces it is limited to.
    public struct Destination: Codable, Hashable, Sendable {
        /// The destination host as written (short names resolve against the VirtualService's namespace).
        public var host: String
        /// The destination port, `nil` when the route does not name one.
        public var port: Int?
        /// The `match[].sourceNamespace` values of the route; empty means any source.
        public var sourceNamespaces: [String]
        /// Whether this destination is a mirror target rather than a route.
        public var isMirror: Bool

        /// Makes a destination.
        public init(host: String, port: Int? = nil, sourceNamespaces: [String] = [], isMirror: Bool = false) {
            self.host = host
            self.port = port
            self.sourceNamespaces = sourceNamespaces
            self.isMirror = isMirror
        }
    }

    /// The object's metadata.
    public var meta: ObjectMeta
    /// `spec.hosts` as written.
    public var hosts: [String]
    /// `spec.gateways`; empty or containing `mesh` means the VirtualService applies to sidecars.
    public var gateways: [String]
    /// `spec.exportTo`; `nil` means the mesh default.
    public var exportTo: [String]?
    /// Every route and mirror destination (http, tcp and tls).
    public var destinations: [Destination]

    /// Makes a VirtualService.
    public init(
        meta: ObjectMeta, hosts: [String], gateways: [String] = [], exportTo: [String]? = nil,
        destinations: [Destination] = []
    ) {
        self.meta = meta
        self.hosts = hosts
        self.gateways = gateways
        self.exportTo = exportTo
        self.destinations = destinations
    }

    /// Whether sidecars use this VirtualService (no gateways, or the reserved `mesh` gateway).
    public var appliesToSidecars: Bool { gateways.isEmpty || gateways.contains("mesh") }
}
