import Foundation

/// How far one Sidecar in effect has drifted from the traffic of the pods it applies to: destinations they use
/// that it does not import ("new dependencies"), services it imports that had no traffic ("trim candidates"), and
/// the `recommend` decision applied to it as a diff.
///
/// Made by ``SidecarDriftAnalyzer``, one per (proxy namespace, Sidecar): a mesh-wide Sidecar of the root namespace
/// gives one per namespace it governs.
public struct SidecarDrift: Hashable, Sendable {
    /// A destination with traffic that the Sidecar does not import.
    public struct NewDependency: Hashable, Sendable {
        /// Why it counts as new.
        public enum Kind: String, Hashable, Sendable, Codable {
            /// A registry service (Service or ServiceEntry) that no egress host of the Sidecar imports.
            case notImported = "not-imported"
            /// Traffic Istio could not attribute to a registry service (PassthroughCluster, BlackHoleCluster, a
            /// host outside the registry): a Sidecar cannot import it; a ServiceEntry can make it known.
            case unknown
        }

        /// The egress host that would import it (`namespace/hostname`), or the destination as reported.
        public var host: String
        /// Why it counts as new.
        public var kind: Kind
        /// A sentence a person can act on.
        public var reason: String
        /// Requests (or TCP connections) seen.
        public var requests: Int
        /// The sending pods.
        public var pods: [String]
        /// When it was last seen, when known.
        public var lastSeen: Date?

        /// Makes a new dependency.
        public init(host: String, kind: Kind, reason: String, requests: Int, pods: [String], lastSeen: Date?) {
            self.host = host
            self.kind = kind
            self.reason = reason
            self.requests = requests
            self.pods = pods
            self.lastSeen = lastSeen
        }
    }

    /// A service the Sidecar imports that its pods sent no traffic to over the window.
    public struct TrimCandidate: Hashable, Sendable {
        /// The service as an egress host (`namespace/hostname`).
        public var host: String
        /// Why the Sidecar imports it (the egress host or VirtualService, ``ScopeReason``).
        public var importedBecause: String
        /// Outbound clusters it costs each proxy.
        public var clusters: Int
        /// Estimated Envoy memory those clusters cost each proxy (the analysis' memory model).
        public var bytesPerProxy: Int
        /// The same over every pod the Sidecar applies to in this namespace.
        public var totalBytes: Int

        /// Makes a trim candidate.
        public init(host: String, importedBecause: String, clusters: Int, bytesPerProxy: Int, totalBytes: Int) {
            self.host = host
            self.importedBecause = importedBecause
            self.clusters = clusters
            self.bytesPerProxy = bytesPerProxy
            self.totalBytes = totalBytes
        }
    }

    /// The Sidecar in effect.
    public var sidecar: Sidecar
    /// The namespace of the pods it governs here (the Sidecar's own, or any for a mesh-wide one).
    public var namespace: String
    /// The sidecar pods it applies to in ``namespace``, by name.
    public var pods: [String]
    /// Pods among them whose traffic could not be read (their destinations may be missing).
    public var unobservedPods: [String]
    /// Where the traffic came from (sidecar counters, Prometheus) and its window.
    public var trafficSource: String
    /// Destinations with traffic the Sidecar does not import, most requests first.
    public var newDependencies: [NewDependency]
    /// Imported services without traffic, most clusters first.
    public var trimCandidates: [TrimCandidate]
    /// The `recommend` decision for the same pods, editing this Sidecar (`nil` for a mesh-wide Sidecar seen from
    /// another namespace, or the mesh-wide default itself: editing it from one namespace's traffic would cut the
    /// others).
    public var suggestion: EgressRecommendation?
    /// The unified diff from the Sidecar as it is to the suggestion (empty when there is no drift, when they are the
    /// same, or when there is no suggestion).
    public var diff: [String]
    /// Things a person should know (why there is no suggestion, pods not observed).
    public var notes: [String]

    /// Makes a drift report.
    public init(
        sidecar: Sidecar, namespace: String, pods: [String], unobservedPods: [String], trafficSource: String,
        newDependencies: [NewDependency], trimCandidates: [TrimCandidate], suggestion: EgressRecommendation?, diff: [String],
        notes: [String]
    ) {
        self.sidecar = sidecar
        self.namespace = namespace
        self.pods = pods
        self.unobservedPods = unobservedPods
        self.trafficSource = trafficSource
        self.newDependencies = newDependencies
        self.trimCandidates = trimCandidates
        self.suggestion = suggestion
        self.diff = diff
        self.notes = notes
    }

    /// Whether anything drifted (a new dependency or a trim candidate).
    public var hasDrift: Bool { !newDependencies.isEmpty || !trimCandidates.isEmpty }

    /// Clusters the trim candidates cost each proxy.
    public var trimmableClusters: Int { trimCandidates.reduce(0) { $0 + $1.clusters } }

    /// Memory the trim candidates cost over every pod the Sidecar applies to here.
    public var trimmableBytes: Int { trimCandidates.reduce(0) { $0 + $1.totalBytes } }

    /// `+2 −15`: new dependencies and trim candidates, as the namespaces screen's DRIFT column shows them; `ok`
    /// when there is none.
    public var shortSummary: String {
        hasDrift ? "+\(newDependencies.count) −\(trimCandidates.count)" : "ok"
    }
}
