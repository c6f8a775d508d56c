import Foundation
import Synchronization

/// Recommends the egress hosts of a Sidecar from observed traffic: every destination with traffic, the istiod
/// namespace, optionally the proxy's own namespace, namespaces grouped to `ns/*` when most of their services are
/// used; VirtualService-inferred services explained and traffic outside the registry reported.
///
/// ```swift
/// let recommender = EgressRecommender(analysis: analysis)
/// let evidence = recommender.counterEvidence(namespace: "bookinfo", workloadSelector: nil)
/// let recommendation = recommender.recommend(namespace: "bookinfo", workloadSelector: nil, evidence: evidence)
/// print(recommendation.manifest.yaml)
/// ```
///
/// Pure: the traffic comes in as ``TrafficEvidence`` (the sidecars' counters or a Prometheus query), so the
/// editor's "observed traffic" preset and `meshtrim recommend` make the same decision.
public struct EgressRecommender: Sendable {
    /// Choices that change the recommendation.
    public struct Options: Hashable, Sendable {
        /// Group a namespace's hosts to `ns/*` when at least this fraction of the services it exports to the proxy
        /// had traffic. 1.0 by default: only a namespace whose every visible service had traffic is grouped, so the
        /// Sidecar imports nothing unseen today (0.5 trades a few unused clusters for a shorter, sturdier list;
        /// above 1 never groups).
        public var groupThreshold: Double
        /// Add the proxy's own namespace (`./*`) whatever the traffic.
        public var includeOwnNamespace: Bool
        /// The Sidecar's name (default: ``SidecarNaming``: an existing Sidecar's with the same selector, else the
        /// workload's, else `default`).
        public var name: String?

        /// The default grouping threshold.
        public static let defaultGroupThreshold = 1.0

        /// Makes options.
        public init(groupThreshold: Double = defaultGroupThreshold, includeOwnNamespace: Bool = false, name: String? = nil) {
            self.groupThreshold = groupThreshold
            self.includeOwnNamespace = includeOwnNamespace
            self.name = name
        }
    }

    /// The analysis whose inventory and scope engine the recommendation is checked against.
    public let analysis: MeshAnalysis

    /// Each proxy namespace's visible service counts, found once per recommender: a plan asks for one recommendation
    /// per namespace and, with `--per-workload`, per workload, and every one of a namespace needs the same counts.
    private let visibleCounts = VisibleCountCache()

    /// Makes a recommender over an analysis.
    public init(analysis: MeshAnalysis) {
        self.analysis = analysis
    }

    // MARK: Evidence

    /// The sidecars' own counters (since each proxy started) of the sidecar pods of `namespace` that
    /// `workloadSelector` selects, one record per pod and destination.
    public func counterEvidence(namespace: String, workloadSelector: [String: String]?) -> TrafficEvidence {
        var records: [TrafficRecord] = []
        var unobserved: [String] = []
        for summary in selectedPods(namespace: namespace, workloadSelector: workloadSelector) {
            guard let observation = summary.observation else {
                unobserved.append(summary.pod.name)
                continue
            }
            let since = observation.proxyStartedAt ?? summary.pod.meta.creationTimestamp
            for var destination in observation.destinations {
                destination.lastSeen = destination.lastSeen ?? observation.capturedAt
                records.append(
                    TrafficRecord(
                        sourceNamespace: namespace, sourcePods: [summary.pod.name],
                        sourceWorkload: Self.workloadName(of: summary.pod), destination: destination, countedSince: since))
            }
        }
        return TrafficEvidence(records: records, source: "sidecar counters (since each proxy started)", unobservedPods: unobserved)
    }

    /// The name Istio gives a pod's workload in `source_workload`: its Deployment's name, which is the pod's name
    /// without the ReplicaSet suffixes (`reviews-v2-7f9c8d6b5-x2x9k` → `reviews-v2`), else the pod's name.
    public static func workloadName(of pod: Pod) -> String {
        var parts = pod.name.split(separator: "-").map(String.init)
        if pod.labels["pod-template-hash"] != nil, parts.count > 2 { parts.removeLast(2) }
        return parts.joined(separator: "-")
    }

    /// The sidecar pods of `namespace` whose workload is `workload` (Istio's `source_workload`): pods whose
    /// ``workloadName(of:)`` is it; else pods whose `app` label is it; else pods named `workload-…`.
    public func pods(namespace: String, workload: String) -> [String] {
        let candidates = analysis.pods(in: namespace).filter(\.pod.hasSidecarProxy)
        for rule in [
            { (pod: Pod) in Self.workloadName(of: pod) == workload },
            { (pod: Pod) in (pod.labels["app"] ?? pod.labels["app.kubernetes.io/name"]) == workload },
            { (pod: Pod) in pod.name.hasPrefix(workload + "-") },
        ] {
            let matched = candidates.filter { rule($0.pod) }
            if !matched.isEmpty { return matched.map(\.pod.name) }
        }
        return []
    }

    // MARK: Recommendation

    /// Recommends egress hosts for `namespace` (or the pods `workloadSelector` selects) from `evidence`.
    public func recommend(
        namespace: String, workloadSelector: [String: String]?, evidence: TrafficEvidence, options: Options = Options()
    ) -> EgressRecommendation {
        let inventory = analysis.inventory
        let istiodNamespace = inventory.istiodNamespace
        let selected = selectedPods(namespace: namespace, workloadSelector: workloadSelector).map(\.pod.name)
        let selectedSet = Set(selected)
        var notes: [String] = []

        var known: [String: Usage] = [:]  // by "namespace/hostname"
        var unknown: [String: Usage] = [:]  // by host
        var unknownReasons: [String: String] = [:]
        var countedSince: Date?
        var unmatchedWorkloads: Set<String> = []
        for record in evidence.records where record.sourceNamespace == namespace && record.destination.requests > 0 {
            let pods = record.sourcePods.filter(selectedSet.contains)
            if pods.isEmpty {
                // A workload Prometheus knows but the inventory does not: count it only for a namespace-wide Sidecar.
                guard record.sourcePods.isEmpty, workloadSelector == nil else { continue }
                if let workload = record.sourceWorkload { unmatchedWorkloads.insert(workload) }
            }
            if let since = record.countedSince { countedSince = min(countedSince ?? since, since) }
            let destination = record.destination
            switch resolve(destination, proxyNamespace: namespace) {
            case .service(let service):
                known["\(service.namespace)/\(service.hostname)", default: Usage(namespace: service.namespace, hostname: service.hostname)]
                    .add(destination, pods: pods)
            case .unknown(let reason):
                unknown[destination.host, default: Usage(namespace: "", hostname: destination.host)].add(destination, pods: pods)
                unknownReasons[destination.host] = reason
            }
        }
        if !unmatchedWorkloads.isEmpty {
            notes.append(
                "traffic from workload(s) \(unmatchedWorkloads.sorted().joined(separator: ", ")) matched no pod in \(namespace); "
                    + "it is counted, without pod names")
        }

        // Group namespaces whose visible services are mostly used.
        let visible = visibleServiceCounts(proxyNamespace: namespace)
        var byNamespace: [String: [Usage]] = [:]
        for usage in known.values { byNamespace[usage.namespace, default: []].append(usage) }
        var hosts: [EgressRecommendation.Host] = []
        var own: EgressRecommendation.Host?
        var istiod = EgressRecommendation.Host(
            host: "\(istiodNamespace)/*", kind: .istiodNamespace,
            reason: "the istiod namespace, always kept: Istio's recommended default for every Sidecar", requests: 0, pods: [],
            services: [], lastSeen: nil)
        for (serviceNamespace, usages) in byNamespace.sorted(by: { $0.key < $1.key }) {
            let merged = usages.reduce(into: Usage(namespace: serviceNamespace, hostname: "")) { $0.merge($1) }
            let names = usages.map(\.hostname).sorted()
            if serviceNamespace == istiodNamespace {
                istiod.requests += merged.requests
                istiod.pods = merged.sortedPods
                istiod.services = names
                istiod.lastSeen = merged.lastSeen
                istiod.reason += "; \(Self.describe(merged, services: names))"
                continue
            }
            if serviceNamespace == namespace, options.includeOwnNamespace {
                own = EgressRecommendation.Host(
                    host: "./*", kind: .ownNamespace,
                    reason: "the proxy's own namespace, as asked (--include-own-namespace); \(Self.describe(merged, services: names))",
                    requests: merged.requests, pods: merged.sortedPods, services: names, lastSeen: merged.lastSeen)
                continue
            }
            let total = visible[serviceNamespace] ?? 0
            let fraction = total == 0 ? 0 : Double(names.count) / Double(total)
            if total > 0, fraction >= options.groupThreshold {
                hosts.append(
                    EgressRecommendation.Host(
                        host: "\(serviceNamespace)/*", kind: .grouped,
                        reason: "grouped: \(names.count) of the \(total) services \(serviceNamespace) exports to \(namespace) had traffic "
                            + "(\(Self.percent(fraction)) ≥ threshold \(Self.percent(options.groupThreshold))); "
                            + Self.describe(merged, services: names),
                        requests: merged.requests, pods: merged.sortedPods, services: names, lastSeen: merged.lastSeen))
            } else {
                for usage in usages.sorted(by: { $0.hostname < $1.hostname }) {
                    hosts.append(
                        EgressRecommendation.Host(
                            host: "\(usage.namespace)/\(usage.hostname)", kind: .observed,
                            reason: "observed: " + Self.describe(usage, services: nil), requests: usage.requests,
                            pods: usage.sortedPods, services: [usage.hostname], lastSeen: usage.lastSeen))
                }
            }
        }
        if options.includeOwnNamespace, own == nil {
            own = EgressRecommendation.Host(
                host: "./*", kind: .ownNamespace, reason: "the proxy's own namespace, as asked (--include-own-namespace); no traffic seen",
                requests: 0, pods: [], services: [], lastSeen: nil)
        }
        hosts.sort { $0.host < $1.host }
        hosts = (own.map { [$0] } ?? []) + hosts + [istiod]

        // One naming rule with the editor and plan; a Sidecar of that name with the same selector is edited, not
        // replaced: its other fields are kept.
        let choice = SidecarNaming.choose(
            namespace: namespace, selector: workloadSelector, explicitName: options.name, sidecars: analysis.inventory.sidecars)
        let manifest = SidecarManifest(
            namespace: namespace, hosts: hosts.map(\.host), name: choice.name, workload: choice.workload,
            workloadSelector: workloadSelector ?? [:], replacing: choice.replacing,
            apiVersion: analysis.inventory.servedSidecarAPIVersion)
        let inferred = inferredDestinations(manifest: manifest, namespace: namespace, used: Set(known.values.map(\.hostname)))
        let unknownList = unknown.values.map { usage in
            EgressRecommendation.UnknownDestination(
                host: usage.hostname, reason: unknownReasons[usage.hostname] ?? "not in the registry", requests: usage.requests,
                pods: usage.sortedPods, lastSeen: usage.lastSeen)
        }.sorted { $0.requests != $1.requests ? $0.requests > $1.requests : $0.host < $1.host }
        if !unknownList.isEmpty {
            notes.append(
                "\(unknownList.count) unknown destination(s) left through a catch-all cluster: a Sidecar cannot import them; they keep "
                    + "working only while outboundTrafficPolicy is ALLOW_ANY (add a ServiceEntry to make them known)")
        }
        let unobserved = evidence.unobservedPods.filter(selectedSet.contains)
        if !unobserved.isEmpty {
            notes.append("\(unobserved.count) selected pod(s) were not observed; their destinations may be missing: \(unobserved.joined(separator: ", "))")
        }
        if selected.isEmpty {
            notes.append("no sidecar pod in \(namespace) matches; the Sidecar would apply to no pod today")
        }
        return EgressRecommendation(
            namespace: namespace, workloadSelector: workloadSelector, hosts: hosts, inferred: inferred,
            unknownDestinations: unknownList, manifest: manifest, groupThreshold: options.groupThreshold,
            source: evidence.source, window: evidence.window, countedSince: countedSince, pods: selected,
            unobservedPods: unobserved, notes: notes)
    }

    // MARK: Internals

    /// The sidecar pods a Sidecar for `namespace` and `workloadSelector` applies to (never gateways: Istio applies
    /// no Sidecar to them, so their traffic is no evidence for one).
    func selectedPods(namespace: String, workloadSelector: [String: String]?) -> [PodSummary] {
        analysis.pods(in: namespace).filter { summary in
            summary.pod.hasSidecarProxy && (workloadSelector.map { LabelSelector($0).matches(summary.pod.labels) } ?? true)
        }
    }

    enum Resolution {
        case service(MeshService)
        case unknown(String)
    }

    /// The registry service a destination names: an exact hostname (the metric's namespace, else the proxy's,
    /// else the first), else the most specific wildcard ServiceEntry that covers it.
    func resolve(_ destination: ObservedDestination, proxyNamespace: String) -> Resolution {
        let index = analysis.engine.index
        if let name = destination.serviceName, ObservedDestination.unknownServiceNames.contains(name) {
            return .unknown("Istio reported it through \(name): no service in the registry matched")
        }
        if ObservedDestination.unknownServiceNames.contains(destination.host) {
            return .unknown("Istio reported it as \(destination.host): no service in the registry matched")
        }
        if let byNamespace = index.byHostAndNamespace[destination.host], !byNamespace.isEmpty {
            let chosen = destination.namespace.flatMap { byNamespace[$0] } ?? byNamespace[proxyNamespace]
                ?? byNamespace.sorted(by: { $0.key < $1.key }).first?.value
            if let chosen { return .service(index.services[chosen]) }
        }
        let wildcards = index.services.filter { $0.isWildcard && HostMatching.isSubset(destination.host, of: $0.hostname) }
        if let best = wildcards.sorted(by: { lhs, rhs in
            let lhsPreferred = lhs.namespace == destination.namespace || lhs.namespace == proxyNamespace
            let rhsPreferred = rhs.namespace == destination.namespace || rhs.namespace == proxyNamespace
            if lhsPreferred != rhsPreferred { return lhsPreferred }
            if lhs.hostname.count != rhs.hostname.count { return lhs.hostname.count > rhs.hostname.count }
            return (lhs.namespace, lhs.hostname) < (rhs.namespace, rhs.hostname)
        }).first {
            return .service(best)
        }
        if destination.namespace == "unknown" {
            return .unknown("Istio could not name its namespace (destination_service_namespace=\"unknown\")")
        }
        return .unknown("no Service or ServiceEntry with this host in the inventory")
    }

    /// Per namespace: how many distinct service hostnames it exports to `proxyNamespace` (the default scope).
    func visibleServiceCounts(proxyNamespace: String) -> [String: Int] {
        if let known = visibleCounts.counts(proxyNamespace) { return known }
        let imported = analysis.engine.importedServices(namespace: proxyNamespace, sidecar: nil).services
        var hostnames: [String: Set<String>] = [:]
        for scoped in imported { hostnames[scoped.service.namespace, default: []].insert(scoped.service.hostname) }
        let counts = hostnames.mapValues(\.count)
        visibleCounts.store(counts, for: proxyNamespace)
        return counts
    }

    /// The memo of ``visibleServiceCounts(proxyNamespace:)``: the analysis never changes, so neither do the counts.
    private final class VisibleCountCache: Sendable {
        private let byNamespace = Mutex<[String: [String: Int]]>([:])

        func counts(_ namespace: String) -> [String: Int]? { byNamespace.withLock { $0[namespace] } }

        func store(_ counts: [String: Int], for namespace: String) { byNamespace.withLock { $0[namespace] = counts } }
    }

    /// Services the recommended Sidecar imports only because an imported VirtualService routes to them.
    func inferredDestinations(manifest: SidecarManifest, namespace: String, used: Set<String>) -> [EgressRecommendation.InferredDestination] {
        let imported = analysis.engine.importedServices(namespace: namespace, sidecar: manifest.sidecar).services
        var seen = Set<String>()
        var result: [EgressRecommendation.InferredDestination] = []
        for scoped in imported {
            guard case .virtualService(let name) = scoped.reason else { continue }
            let key = "\(scoped.service.namespace)/\(scoped.service.hostname)"
            guard seen.insert(key).inserted else { continue }
            let traffic = used.contains(scoped.service.hostname)
            result.append(
                EgressRecommendation.InferredDestination(
                    host: scoped.service.hostname, namespace: scoped.service.namespace, virtualService: name, hasTraffic: traffic,
                    explanation: "imported because VirtualService \(name), whose hosts the Sidecar imports, routes to it"
                        + (traffic ? "" : "; no traffic seen, so it costs clusters without evidence of use")))
        }
        return result.sorted { ($0.namespace, $0.host) < ($1.namespace, $1.host) }
    }

    /// Traffic to one service (or one unknown host), summed.
    struct Usage {
        var namespace: String
        var hostname: String
        var requests = 0
        var pods: Set<String> = []
        var lastSeen: Date?

        var sortedPods: [String] { pods.sorted() }

        mutating func add(_ destination: ObservedDestination, pods: [String]) {
            requests += destination.requests
            self.pods.formUnion(pods)
            if let seen = destination.lastSeen { lastSeen = max(lastSeen ?? seen, seen) }
        }

        mutating func merge(_ other: Usage) {
            requests += other.requests
            pods.formUnion(other.pods)
            if let seen = other.lastSeen { lastSeen = max(lastSeen ?? seen, seen) }
        }
    }

    /// "1,234 requests from 2 pods (a, b); last seen 2026-03-02T09:30:00Z", plus the services when grouped.
    static func describe(_ usage: Usage, services: [String]?) -> String {
        let pods = usage.sortedPods
        var text = "\(grouped(usage.requests)) request\(usage.requests == 1 ? "" : "s")"
        if !pods.isEmpty {
            let shown = pods.prefix(3).joined(separator: ", ") + (pods.count > 3 ? ", …" : "")
            text += " from \(pods.count) pod\(pods.count == 1 ? "" : "s") (\(shown))"
        }
        if let services, !services.isEmpty {
            let short = services.map { String($0.prefix { $0 != "." }) }
            text += " to " + short.prefix(5).joined(separator: ", ") + (short.count > 5 ? ", …" : "")
        }
        if let lastSeen = usage.lastSeen { text += "; last seen \(timestamp(lastSeen))" }
        return text
    }

    /// `12,345`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }

    /// `50 %` as `50%`.
    static func percent(_ fraction: Double) -> String {
        "\(Int((fraction * 100).rounded()))%"
    }

    /// ISO 8601 in UTC with whole seconds (`2026-03-02T09:30:00Z`), as reasons and `-o json` print dates.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let text = String(value ?? 0)
            return text.count < 2 ? "0" + text : text
        }
        return "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))Z"
    }
}
