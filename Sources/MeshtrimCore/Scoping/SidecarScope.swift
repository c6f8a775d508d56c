/// Why the scope engine imported a service or created a cluster: what a person asks when a cluster surprises them.
public enum ScopeReason: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Imported because this egress host (of the listener on `port`, if any) matched.
    case egressHost(String, port: Int?)
    /// Imported because an imported VirtualService (`namespace/name`) routes to it.
    case virtualService(String)
    /// A subset cluster from this DestinationRule (`namespace/name`).
    case destinationRuleSubset(String, subset: String)
    /// An inbound cluster for a port of this workload.
    case inbound(String)
    /// A cluster every sidecar has.
    case alwaysPresent(String)
    /// A static cluster from Istio's Envoy bootstrap.
    case bootstrap

    /// A short sentence for tables and JSON.
    public var description: String {
        switch self {
        case .egressHost(let host, let port):
            if let port { return "egress host \(host) (port \(port))" }
            return "egress host \(host)"
        case .virtualService(let name): return "routed to by VirtualService \(name)"
        case .destinationRuleSubset(let name, let subset): return "subset \(subset) of DestinationRule \(name)"
        case .inbound(let why): return "inbound: \(why)"
        case .alwaysPresent(let why): return why
        case .bootstrap: return "static: Istio bootstrap"
        }
    }
}

/// One service in a sidecar's scope, with the ports it was imported on and why.
public struct ScopedService: Codable, Hashable, Sendable {
    /// The service as registered.
    public var service: MeshService
    /// The ports imported (a port-bound listener imports only its port).
    public var ports: [ServicePort]
    /// Why it is in scope.
    public var reason: ScopeReason

    /// Makes a scoped service.
    public init(service: MeshService, ports: [ServicePort], reason: ScopeReason) {
        self.service = service
        self.ports = ports
        self.reason = reason
    }
}

/// Which way a cluster's traffic flows.
public enum ClusterDirection: String, Codable, Hashable, Sendable {
    /// To another service.
    case outbound
    /// Into this workload.
    case inbound
    /// Not a service cluster (`BlackHoleCluster`, bootstrap clusters, …).
    case special = "-"
}

/// One Envoy cluster the sidecar will have, named exactly as istiod names it.
public struct PredictedCluster: Codable, Hashable, Sendable {
    /// The Envoy cluster name, e.g. `outbound|9080|v1|reviews.default.svc.cluster.local`.
    public var name: String
    /// The service FQDN, or the special name for non-service clusters.
    public var serviceFQDN: String
    /// The port, `nil` for special clusters.
    public var port: Int?
    /// The DestinationRule subset, empty for none.
    public var subset: String
    /// Which way traffic flows.
    public var direction: ClusterDirection
    /// The Envoy cluster type (`EDS`, `STATIC`, `ORIGINAL_DST`, `STRICT_DNS`, `LOGICAL_DNS`).
    public var type: String
    /// The DestinationRule that shapes it, as `name.namespace` (istioctl's column), empty for none.
    public var destinationRule: String
    /// Whether the cluster comes from Envoy's bootstrap rather than from istiod (CDS).
    public var isStatic: Bool
    /// Why the cluster exists.
    public var reason: ScopeReason

    /// Makes a predicted cluster.
    public init(
        name: String, serviceFQDN: String, port: Int?, subset: String, direction: ClusterDirection, type: String,
        destinationRule: String = "", isStatic: Bool = false, reason: ScopeReason
    ) {
        self.name = name
        self.serviceFQDN = serviceFQDN
        self.port = port
        self.subset = subset
        self.direction = direction
        self.type = type
        self.destinationRule = destinationRule
        self.isStatic = isStatic
        self.reason = reason
    }
}

/// What a sidecar proxy gets from istiod: the Sidecar in effect, imported services and clusters, with reasons.
///
/// Produced by ``ScopeEngine``; every estimate, table and generated Sidecar in meshtrim starts here.
public struct SidecarScope: Codable, Hashable, Sendable {
    /// The proxy's namespace.
    public var proxyNamespace: String
    /// The proxy's labels.
    public var proxyLabels: [String: String]
    /// The Sidecar that applies (`nil` for the default `*/*` scope).
    public var sidecar: Sidecar?
    /// Why that Sidecar applies (or why none does).
    public var sidecarReason: String
    /// The effective outbound traffic policy.
    public var outboundTrafficPolicy: OutboundTrafficPolicy
    /// Imported services in Istio's order.
    public var services: [ScopedService]
    /// Every cluster: outbound, inbound, always-present and bootstrap ones.
    public var clusters: [PredictedCluster]
    /// Things a person should know (skipped hosts, ineffective Sidecars, …).
    public var warnings: [String]

    /// Makes a scope.
    public init(
        proxyNamespace: String, proxyLabels: [String: String], sidecar: Sidecar?, sidecarReason: String,
        outboundTrafficPolicy: OutboundTrafficPolicy, services: [ScopedService], clusters: [PredictedCluster],
        warnings: [String]
    ) {
        self.proxyNamespace = proxyNamespace
        self.proxyLabels = proxyLabels
        self.sidecar = sidecar
        self.sidecarReason = sidecarReason
        self.outboundTrafficPolicy = outboundTrafficPolicy
        self.services = services
        self.clusters = clusters
        self.warnings = warnings
    }

    /// Clusters istiod sends over CDS (what `cluster_manager.active_clusters` counts minus bootstrap ones).
    public var dynamicClusterCount: Int { clusters.count { !$0.isStatic } }

    /// Outbound clusters only.
    public var outboundClusters: [PredictedCluster] { clusters.filter { $0.direction == .outbound } }
}
