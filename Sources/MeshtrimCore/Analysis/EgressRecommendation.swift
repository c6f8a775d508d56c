import Foundation

/// The egress hosts meshtrim recommends for a namespace or workload, each with why, and what it could not place.
///
/// Made by ``EgressRecommender``; `meshtrim recommend` prints it and the egress editor's "observed traffic" preset
/// uses its ``hostNames``.
public struct EgressRecommendation: Hashable, Sendable {
    /// Why a host is recommended.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// One service with observed traffic.
        case observed
        /// A namespace most of whose visible services had traffic, grouped to `ns/*`.
        case grouped
        /// The proxy's own namespace (`./*`), because it was asked for.
        case ownNamespace
        /// The istiod namespace, always kept.
        case istiodNamespace
    }

    /// One recommended egress host.
    public struct Host: Hashable, Sendable {
        /// The egress host, `namespace/dnsName` (`bookinfo/reviews.bookinfo.svc.cluster.local`, `bookinfo/*`, `./*`).
        public var host: String
        /// Why it is recommended.
        public var kind: Kind
        /// Why, in a sentence.
        public var reason: String
        /// Requests (HTTP, gRPC) plus opened connections (TCP) counted to the services it covers.
        public var requests: Int
        /// The pods that sent them, sorted.
        public var pods: [String]
        /// The service hostnames with traffic that it covers, sorted.
        public var services: [String]
        /// When traffic was last counted, when known.
        public var lastSeen: Date?
    }

    /// A service a VirtualService brings into scope without an egress host of its own (istiod imports the
    /// destinations of every VirtualService the Sidecar imports).
    public struct InferredDestination: Hashable, Sendable {
        /// The service hostname.
        public var host: String
        /// Its namespace.
        public var namespace: String
        /// The VirtualService (`namespace/name`) that routes to it.
        public var virtualService: String
        /// Whether it had observed traffic.
        public var hasTraffic: Bool
        /// Why it is in scope, in a sentence.
        public var explanation: String
    }

    /// Traffic that no service in the registry accounts for (Istio's `PassthroughCluster`/`BlackHoleCluster`,
    /// or a host meshtrim cannot find): reported, never silently dropped, and not turned into an egress host.
    public struct UnknownDestination: Hashable, Sendable {
        /// The destination as Istio reported it (`httpbin.org`, an IP and port, `PassthroughCluster`).
        public var host: String
        /// Why it is unknown, in a sentence.
        public var reason: String
        /// Requests or connections counted.
        public var requests: Int
        /// The pods that sent them, sorted.
        public var pods: [String]
        /// When traffic was last counted, when known.
        public var lastSeen: Date?
    }

    /// The namespace the Sidecar is for.
    public var namespace: String
    /// The workload selector, `nil` for a namespace-wide Sidecar.
    public var workloadSelector: [String: String]?
    /// The recommended hosts, in the order they are written: `./*` first, then services and grouped namespaces in
    /// name order, then the istiod namespace.
    public var hosts: [Host]
    /// Services VirtualServices bring into scope as well.
    public var inferred: [InferredDestination]
    /// Traffic to destinations outside the registry.
    public var unknownDestinations: [UnknownDestination]
    /// The Sidecar to apply.
    public var manifest: SidecarManifest
    /// The grouping threshold used (0.5: group when at least half of a namespace's visible services had traffic).
    public var groupThreshold: Double
    /// Where the traffic figures came from.
    public var source: String
    /// The Prometheus window, `nil` for the sidecars' own counters.
    public var window: String?
    /// The earliest time the figures count from, when known (oldest proxy start, window start).
    public var countedSince: Date?
    /// The sidecar pods the Sidecar applies to.
    public var pods: [String]
    /// Selected sidecar pods whose traffic is unknown.
    public var unobservedPods: [String]
    /// Things a person should know before applying it.
    public var notes: [String]

    /// The egress host strings, in order.
    public var hostNames: [String] { hosts.map(\.host) }
}
