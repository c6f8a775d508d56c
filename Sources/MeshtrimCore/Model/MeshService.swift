import Foundation

/// Where a service came from; Istio prefers Kubernetes Services over ServiceEntries for one hostname.
public enum ServiceRegistry: String, Codable, Hashable, Sendable {
    /// A Kubernetes `Service`.
    case kubernetes = "Kubernetes"
    /// An Istio `ServiceEntry`.
    case serviceEntry = "External"
}

/// How Envoy finds a service's endpoints; decides the cluster type and whether a cluster exists at all.
public enum ServiceResolution: String, Codable, Hashable, Sendable {
    /// Endpoints from EDS (ClusterIP Services, `STATIC` ServiceEntries): cluster type `EDS`.
    case clientSideLB = "ClientSideLB"
    /// Headless Services and `NONE` ServiceEntries: cluster type `ORIGINAL_DST`.
    case passthrough = "Passthrough"
    /// `DNS` ServiceEntries: cluster type `STRICT_DNS`.
    case dnsLB = "DNSLB"
    /// `DNS_ROUND_ROBIN` ServiceEntries: cluster type `LOGICAL_DNS`.
    case dnsRoundRobinLB = "DNSRoundRobinLB"
    /// Kubernetes `ExternalName` Services: an alias, no cluster of its own.
    case alias = "Alias"

    /// The Envoy cluster type istiod gives an outbound cluster of this resolution.
    public var clusterType: String {
        switch self {
        case .clientSideLB: return "EDS"
        case .passthrough: return "ORIGINAL_DST"
        case .dnsLB: return "STRICT_DNS"
        case .dnsRoundRobinLB: return "LOGICAL_DNS"
        case .alias: return "-"
        }
    }
}

/// A service port with the protocol Istio infers for it.
public struct ServicePort: Codable, Hashable, Sendable {
    /// The port number clients use.
    public var number: Int
    /// The port's name (its prefix can name the protocol).
    public var name: String
    /// `HTTP`, `TCP`, `GRPC`, `UDP`, …
    public var `protocol`: String
    /// The container port behind it: a number, or a name to look up in the pod; `nil` means `number`.
    public var targetPort: String?

    /// Makes a service port.
    public init(number: Int, name: String = "", protocol: String = "TCP", targetPort: String? = nil) {
        self.number = number
        self.name = name
        self.protocol = `protocol`
        self.targetPort = targetPort
    }

    /// The members a snapshot holds, for the snapshot's fast reader (``SnapshotArrayDecoder``), which reads each of
    /// them and leaves a file holding one it does not read to `JSONDecoder`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case number, name, `protocol`, targetPort
    }
}

/// One hostname of the mesh's service registry: a Kubernetes Service or one host of a ServiceEntry.
///
/// This is Istio's `model.Service`: the scope engine imports these, and each imported one becomes one
/// outbound cluster per (non-UDP) port, plus one per DestinationRule subset.
public struct MeshService: Codable, Hashable, Sendable {
    /// The registry hostname, e.g. `reviews.default.svc.cluster.local` or `api.example.com`.
    public var hostname: String
    /// The namespace of the Service or ServiceEntry.
    public var namespace: String
    /// The name of the Service or ServiceEntry.
    public var name: String
    /// Ports, in declaration order.
    public var ports: [ServicePort]
    /// Namespaces this service is exported to (`*`, `.`, `~`, names); `nil` means the mesh default.
    public var exportTo: [String]?
    /// Where the service comes from.
    public var registry: ServiceRegistry
    /// How endpoints are resolved.
    public var resolution: ServiceResolution
    /// When the Service or ServiceEntry was created (Istio's primary sort key).
    public var creationTime: Date
    /// The pod selector (Service `selector`, ServiceEntry `workloadSelector`); selects inbound ports.
    public var selector: [String: String]?
    /// A ServiceEntry's inline endpoints; a pod whose IP is listed gets inbound clusters for them.
    public var endpoints: [ServiceEndpoint]?

    /// Makes a service.
    public init(
        hostname: String, namespace: String, name: String, ports: [ServicePort], exportTo: [String]? = nil,
        registry: ServiceRegistry = .kubernetes, resolution: ServiceResolution = .clientSideLB,
        creationTime: Date = Date(timeIntervalSince1970: 0), selector: [String: String]? = nil
    ) {
        self.hostname = hostname
        self.namespace = namespace
        self.name = name
        self.ports = ports
        self.exportTo = exportTo
        self.registry = registry
        self.resolution = resolution
        self.creationTime = creationTime
        self.selector = selector
    }

    /// Whether the hostname is a wildcard (`*.example.com`).
    public var isWildcard: Bool { hostname.hasPrefix("*") }

    /// Whether this is a Kubernetes Service.
    public var isKubernetes: Bool { registry == .kubernetes }

    /// The members a snapshot holds, for the snapshot's fast reader (``SnapshotArrayDecoder``), which reads each of
    /// them and leaves a file holding one it does not read to `JSONDecoder`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case hostname, namespace, name, ports, exportTo, registry, resolution, creationTime, selector, endpoints
    }
}

/// An inline ServiceEntry endpoint: an address and its port overrides by port name.
public struct ServiceEndpoint: Codable, Hashable, Sendable {
    /// The endpoint address (IP or host).
    public var address: String
    /// Target ports by service port name.
    public var ports: [String: Int]

    /// Makes an endpoint.
    public init(address: String, ports: [String: Int] = [:]) {
        self.address = address
        self.ports = ports
    }

    /// The members a snapshot holds, for the snapshot's fast reader (``SnapshotArrayDecoder``), which reads each of
    /// them and leaves a file holding one it does not read to `JSONDecoder`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case address, ports
    }
}
