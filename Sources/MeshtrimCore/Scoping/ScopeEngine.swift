import Foundation

/// Computes what istiod pushes to a sidecar: the Sidecar that applies, the imported services and the clusters.
///
/// This follows `pilot/pkg/model/sidecar.go` and `push_context.go` (see `docs/scoping.md`):
/// Sidecar selection and precedence, `namespace/dnsName` hosts with `.`, `*` and `~` exclusions (1.31+),
/// exportTo visibility, port-bound egress listeners, one namespace per hostname, services inferred from imported
/// VirtualServices, the union across listeners, DestinationRule subsets, and the clusters every sidecar has.
///
/// Build one engine per inventory (indexing is linear) and ask it for many proxies. The engine is immutable and a
/// class, so passing it around (and capturing it in closures) costs one reference count, not a copy of its indexes. Pods with the same namespace and Sidecar share an ``OutboundScope``.
///
/// ```swift
/// let engine = ScopeEngine(inventory: inventory)
/// let scope = engine.scope(namespace: "default", labels: ["app": "productpage"])
/// print(scope.clusters.map(\.name))
/// ```
public final class ScopeEngine: Sendable {
    /// The inventory the engine answers for.
    public let inventory: MeshInventory
    /// The Istio version whose behaviour is modelled.
    public let version: IstioVersion

    let index: ServiceIndex
    let servicesByNamespace: [String: [Int]]
    /// Namespaces with ServiceEntry endpoints, where a pod's IP can add inbound clusters.
    let namespacesWithEndpoints: Set<String>
    /// The clusters every sidecar has (see ``alwaysPresentClusters()``), computed once.
    let alwaysPresent: [PredictedCluster]
    let sidecarsByNamespace: [String: [Sidecar]]
    let virtualServices: [VirtualService]
    let resolvedVirtualServiceHosts: [[String]]
    let destinationRulesByNamespace: [String: DestinationRuleIndex]
    /// Namespaces whose DestinationRules are all exported to every namespace (the usual case): for services there,
    /// the precomputed rules below hold for any proxy.
    let namespacesWithPublicRules: Set<String>
    /// Per registry service: the rule from its own namespace (istiod's second choice), ignoring visibility.
    let ownNamespaceRules: [ConsolidatedRule?]
    /// Per registry service: the rule from the root namespace (istiod's third choice), ignoring visibility.
    let rootNamespaceRules: [ConsolidatedRule?]
    /// Per registry service: whether ``ownNamespaceRules`` holds for any proxy (its namespace has no rules, or is in
    /// ``namespacesWithPublicRules``), looked up once instead of per proxy and service.
    let ownRulesArePrecomputed: [Bool]
    /// Whether ``rootNamespaceRules`` holds for any proxy (the root namespace has no rules, or only public ones).
    let rootRulesArePrecomputed: Bool
    /// Per registry service: the subset count of ``ownNamespaceRules`` (-1 for no rule), and of ``rootNamespaceRules``:
    /// what cluster counts read, without copying a rule per service and proxy.
    let ownSubsetCounts: [Int]
    let rootSubsetCounts: [Int]
    /// Per namespace with DestinationRules: the interned hostnames (``ServiceIndex/hostIDs``) its rules name exactly,
    /// and whether any of its rules has a wildcard host; a proxy there looks up its own namespace's rules only for
    /// those services (or all, with a wildcard), instead of hashing every imported hostname.
    let localRuleHosts: [String: (exact: Set<Int>, hasWildcards: Bool)]

    /// Indexes `inventory` for `istioVersion` (default: the inventory's version, else 1.31).
    public init(inventory: MeshInventory, istioVersion: IstioVersion? = nil) {
        self.inventory = inventory
        self.version = istioVersion ?? inventory.istioVersion ?? .defaultVersion
        let config = inventory.meshConfig
        index = ServiceIndex(services: inventory.services, meshConfig: config)
        var byNamespace: [String: [Int]] = [:]
        for (position, service) in index.services.enumerated() { byNamespace[service.namespace, default: []].append(position) }
        servicesByNamespace = byNamespace
        namespacesWithEndpoints = Set(index.services.filter { $0.endpoints?.isEmpty == false }.map(\.namespace))
        alwaysPresent = Self.alwaysPresentClusters(version: version, meshConfig: config)
        sidecarsByNamespace = Self.orderSidecars(inventory.sidecars)
        let virtualServices = inventory.virtualServices.filter(\.appliesToSidecars).sorted {
            ($0.meta.creationTime, $0.meta.namespace, $0.meta.name) < ($1.meta.creationTime, $1.meta.namespace, $1.meta.name)
        }
        self.virtualServices = virtualServices
        resolvedVirtualServiceHosts = virtualServices.map { service in
            service.hosts.map {
                HostMatching.resolveShortName($0, namespace: service.meta.namespace, domainSuffix: config.domainSuffix)
            }
        }
        var rules: [String: DestinationRuleIndex] = [:]
        for rule in inventory.destinationRules.sorted(by: { $0.meta.creationTime < $1.meta.creationTime }) {
            let host = HostMatching.resolveShortName(rule.host, namespace: rule.meta.namespace, domainSuffix: config.domainSuffix)
            rules[rule.meta.namespace, default: DestinationRuleIndex()].add(rule, host: host)
        }
        destinationRulesByNamespace = rules
        var privateRuleNamespaces = Set<String>()
        for rule in inventory.destinationRules where !(rule.exportTo ?? config.defaultDestinationRuleExportTo).contains("*") {
            privateRuleNamespaces.insert(rule.meta.namespace)
        }
        namespacesWithPublicRules = Set(rules.keys).subtracting(privateRuleNamespaces)
        var own: [ConsolidatedRule?] = []
        var root: [ConsolidatedRule?] = []
        own.reserveCapacity(index.services.count)
        root.reserveCapacity(index.services.count)
        for service in index.services {
            own.append(Self.bestRules(rules, in: service.namespace, for: service.hostname, labels: [:], allowSelectors: false) { _ in true })
            root.append(Self.bestRules(rules, in: config.rootNamespace, for: service.hostname, labels: [:], allowSelectors: false) { _ in true })
        }
        ownNamespaceRules = own
        rootNamespaceRules = root
        ownSubsetCounts = own.map { $0?.subsets.count ?? -1 }
        rootSubsetCounts = root.map { $0?.subsets.count ?? -1 }
        let hostIDsByName = index.hostIDsByName
        localRuleHosts = rules.mapValues { rules in
            (Set(rules.exact.keys.compactMap { hostIDsByName[$0] }), !rules.wildcards.isEmpty)
        }
        let publicRules = namespacesWithPublicRules
        ownRulesArePrecomputed = index.services.map { rules[$0.namespace] == nil || publicRules.contains($0.namespace) }
        rootRulesArePrecomputed = rules[config.rootNamespace] == nil || publicRules.contains(config.rootNamespace)
    }

    /// Per namespace: Sidecars with a workload selector first, then without; each group oldest first.
    static func orderSidecars(_ sidecars: [Sidecar]) -> [String: [Sidecar]] {
        var result: [String: [Sidecar]] = [:]
        for sidecar in sidecars { result[sidecar.meta.namespace, default: []].append(sidecar) }
        for (namespace, list) in result {
            result[namespace] = list.sorted { lhs, rhs in
                let lhsSelector = lhs.workloadSelector != nil
                let rhsSelector = rhs.workloadSelector != nil
                if lhsSelector != rhsSelector { return lhsSelector }
                if lhs.meta.creationTime != rhs.meta.creationTime { return lhs.meta.creationTime < rhs.meta.creationTime }
                return lhs.meta.name < rhs.meta.name
            }
        }
        return result
    }

    // MARK: Whole scope

    /// The full scope of a proxy in `namespace` with `labels`: outbound (shared), inbound and static clusters.
    ///
    /// - Parameters:
    ///   - pod: the pod, when known, for inbound clusters (its IP and named ports).
    ///   - candidate: a Sidecar to evaluate as if applied (what-if).
    public func scope(namespace: String, labels: [String: String], pod: Pod? = nil, candidate: Sidecar? = nil) -> SidecarScope {
        let selection = selectSidecar(namespace: namespace, labels: labels, candidate: candidate)
        let outbound = outboundScope(namespace: namespace, labels: labels, sidecar: selection.sidecar)
        return assemble(outbound: outbound, selection: selection, namespace: namespace, labels: labels, pod: pod)
    }

    /// The full scope of a pod; a gateway always gets the default scope (Istio applies no Sidecar to it).
    public func scope(for pod: Pod, candidate: Sidecar? = nil) -> SidecarScope {
        guard pod.isGateway else { return scope(namespace: pod.namespace, labels: pod.labels, pod: pod, candidate: candidate) }
        let selection = SidecarSelection(sidecar: nil, reason: "a gateway: Istio applies no Sidecar to gateway proxies")
        let outbound = outboundScope(namespace: pod.namespace, labels: pod.labels, sidecar: nil)
        return assemble(outbound: outbound, selection: selection, namespace: pod.namespace, labels: pod.labels, pod: pod)
    }

    /// Combines a (possibly shared) outbound scope with the pod-specific parts.
    public func assemble(
        outbound: OutboundScope, selection: SidecarSelection, namespace: String, labels: [String: String], pod: Pod?
    ) -> SidecarScope {
        var warnings = selection.warnings + outbound.warnings
        if let sidecar = selection.sidecar, sidecar.workloadSelector != nil, sidecar.egress.isEmpty {
            warnings.append(
                "Sidecar \(sidecar.meta.qualifiedName) selects this workload but has no egress: it imports */*, "
                    + "not the root namespace's restriction (istio/istio#59376)")
        }
        if let ns = inventory.namespaces.first(where: { $0.name == namespace }), ns.isAmbient, selection.sidecar != nil {
            warnings.append("namespace \(namespace) is in ambient mode: Sidecar resources have no effect there")
        }
        var clusters = outbound.clusters
        let isGateway = pod?.isGateway == true
        if !isGateway { clusters += inboundClusters(namespace: namespace, labels: labels, pod: pod, sidecar: selection.sidecar) }
        clusters += alwaysPresentClusters(includingInbound: !isGateway)
        // A Sidecar's policy replaces the mesh's; ALLOW_ANY_DYNAMIC_DNS comes only from the mesh config (1.31).
        let policy = selection.sidecar?.outboundTrafficPolicy ?? inventory.meshConfig.outboundTrafficPolicy
        if policy == .allowAnyDynamicDNS, !isGateway, version >= IstioVersion(major: 1, minor: 31) {
            clusters.append(Self.allowAnyDynamicDNSCluster)
        }
        return SidecarScope(
            proxyNamespace: namespace, proxyLabels: labels, sidecar: selection.sidecar, sidecarReason: selection.reason,
            outboundTrafficPolicy: policy, services: outbound.services, clusters: clusters, warnings: warnings)
    }
}

/// The outbound part of a scope, shared by every pod of a namespace under the same Sidecar.
public struct OutboundScope: Hashable, Sendable {
    /// Imported services in Istio's order.
    public var services: [ScopedService]
    /// `outbound|…` clusters.
    public var clusters: [PredictedCluster]
    /// Warnings about the Sidecar's hosts.
    public var warnings: [String]
}
