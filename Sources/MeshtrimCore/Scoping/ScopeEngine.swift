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

    // MARK: Which Sidecar applies

    /// The Sidecar that applies to a proxy and why (`doGetSidecarScope`).
    ///
    /// - Parameter candidate: a Sidecar to evaluate as if it were applied (it replaces one with the same
    ///   namespace and name, keeping that one's creation time; otherwise it counts as the newest).
    public func selectSidecar(namespace: String, labels: [String: String], candidate: Sidecar? = nil) -> SidecarSelection {
        var warnings: [String] = []
        let local = sidecars(in: namespace, candidate: candidate)
        if let candidate, candidate.meta.namespace == namespace, candidate.workloadSelector == nil,
            let older = local.first(where: { $0.workloadSelector == nil }), older.meta.name != candidate.meta.name
        {
            warnings.append(
                "Sidecar \(candidate.meta.qualifiedName) has no effect: the older Sidecar \(older.meta.qualifiedName) "
                    + "also has no workloadSelector and wins")
        }
        for sidecar in local {
            if let selector = sidecar.workloadSelector {
                guard selector.matches(labels) else { continue }
                return SidecarSelection(
                    sidecar: sidecar,
                    reason: "Sidecar \(sidecar.meta.qualifiedName) selects this workload (\(selector.description))",
                    warnings: warnings)
            }
            return SidecarSelection(
                sidecar: sidecar, reason: "Sidecar \(sidecar.meta.qualifiedName) applies to namespace \(namespace)",
                warnings: warnings)
        }
        let root = inventory.meshConfig.rootNamespace
        if let rootSidecar = sidecars(in: root, candidate: candidate).first(where: { $0.workloadSelector == nil }) {
            return SidecarSelection(
                sidecar: rootSidecar,
                reason: "mesh-wide Sidecar \(rootSidecar.meta.qualifiedName) from the root namespace \(root)",
                warnings: warnings)
        }
        return SidecarSelection(sidecar: nil, reason: "no Sidecar applies: istiod sends every visible service (*/*)", warnings: warnings)
    }

    private func sidecars(in namespace: String, candidate: Sidecar?) -> [Sidecar] {
        let existing = sidecarsByNamespace[namespace] ?? []
        guard let candidate, candidate.meta.namespace == namespace else { return existing }
        var merged = candidate
        var others = existing
        if let replaced = others.firstIndex(where: { $0.meta.name == candidate.meta.name }) {
            merged.meta.creationTimestamp = others[replaced].meta.creationTimestamp
            others.remove(at: replaced)
        } else {
            merged.meta.creationTimestamp = Date.distantFuture
        }
        return Self.orderSidecars(others + [merged])[namespace] ?? []
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

    // MARK: Outbound

    /// The outbound part of a scope (services and `outbound|…` clusters), which every pod of `namespace` under the
    /// same Sidecar shares (except for DestinationRules with a workloadSelector, hence `labels`).
    public func outboundScope(namespace: String, labels: [String: String], sidecar: Sidecar?) -> OutboundScope {
        let imported = importedServices(namespace: namespace, sidecar: sidecar)
        var clusters: [PredictedCluster] = []
        clusters.reserveCapacity(imported.services.count * 2)
        let rules = RuleLookup(engine: self, proxyNamespace: namespace, labels: labels)
        for (scoped, position) in zip(imported.services, imported.indexes) {
            appendOutboundClusters(for: scoped, rule: rules.rule(forServiceAt: position), to: &clusters)
        }
        return OutboundScope(services: imported.services, clusters: clusters, warnings: imported.warnings)
    }

    /// How many outbound clusters ``outboundScope(namespace:labels:sidecar:)`` would build, without building them
    /// (what the per-pod predictions and estimates need).
    public func outboundClusterCount(namespace: String, labels: [String: String], sidecar: Sidecar?) -> Int {
        var count = 0
        let imported = importedServiceRefs(namespace: namespace, sidecar: sidecar)
        let rules = RuleLookup(engine: self, proxyNamespace: namespace, labels: labels)
        let services = index.services
        for ref in imported.refs where services[ref.serviceIndex].resolution != .alias {
            let ports = ref.ports.count { $0.protocol != "UDP" }
            guard ports > 0 else { continue }
            let subsets = rules.subsetCount(forServiceAt: ref.serviceIndex)
            count += ports * (1 + subsets)
        }
        return count
    }

    /// The services every listener of `sidecar` imports, merged across listeners as istiod merges them.
    func importedServices(namespace: String, sidecar: Sidecar?) -> (services: [ScopedService], indexes: [Int], warnings: [String]) {
        let imported = importedServiceRefs(namespace: namespace, sidecar: sidecar)
        let services = index.services
        return (
            imported.refs.map { ScopedService(service: services[$0.serviceIndex], ports: $0.ports, reason: $0.reason) },
            imported.refs.map(\.serviceIndex), imported.warnings
        )
    }

    /// ``importedServices(namespace:sidecar:)`` by registry position, without copying the services out (a scope
    /// over 10,000 services is evaluated for every namespace; copying each `MeshService` was most of its cost).
    func importedServiceRefs(namespace: String, sidecar: Sidecar?) -> (refs: [ImportedService], warnings: [String]) {
        var warnings: [String] = []
        let listeners = sidecar?.egress.isEmpty == false
            ? sidecar?.egress ?? [] : [SidecarEgressListener(hosts: ["*/*"])]
        var merger = ServiceMerger(hostCount: index.hostCount)
        for listener in listeners {
            let hosts = ListenerHosts(listener.hosts, configNamespace: namespace, version: version)
            for skipped in hosts.skipped {
                warnings.append("egress host \"\(skipped)\" skipped: hosts must be namespace/dnsName (istiod ignores it)")
            }
            if !version.supportsExclusions, listener.hosts.contains(where: { $0.hasPrefix("~") }) {
                warnings.append("'~' exclusions need Istio 1.31; on \(version) '~' is a namespace name that matches nothing")
            }
            let port = listener.port.flatMap { port -> Int? in
                port.number != 0 && port.protocol.uppercased() != "HTTP_PROXY" ? port.number : nil
            }
            for ref in selectServices(hosts: hosts, namespace: namespace, port: port) {
                merger.add(ref, hostID: index.hostIDs[ref.serviceIndex], services: index.services)
            }
            for ref in inferredServices(hosts: hosts, namespace: namespace, port: port) {
                merger.add(ref, hostID: index.hostIDs[ref.serviceIndex], services: index.services)
            }
        }
        return (merger.refs, warnings)
    }

    /// `selectServices`: candidates visible to the namespace that one of the listener's hosts imports.
    func selectServices(hosts: ListenerHosts, namespace: String, port: Int?) -> [ImportedService] {
        var imported: [ImportedService] = []
        var anyShared = false
        // Whether the hosts import a service mostly depends on its namespace alone (`*/*`, `./*`, `ns/*`): decided
        // once per namespace, asked per hostname only where names or exclusions make it depend on the name.
        var decisions = [ListenerHosts.NamespaceImport?](repeating: nil, count: index.namespaceCount)
        // Fields are read in place (`services[i].x`): a copy of each `MeshService` costs a retain per member.
        let services = index.services
        let namespaceIDs = index.namespaceIDs
        for candidates in [index.exportedTo[namespace] ?? [], index.publicServices] {
            imported.reserveCapacity(imported.count + candidates.count)
            for serviceIndex in candidates {
                let namespaceID = namespaceIDs[serviceIndex]
                let decision: ListenerHosts.NamespaceImport
                if let known = decisions[namespaceID] {
                    decision = known
                } else {
                    decision = hosts.namespaceImport(services[serviceIndex].namespace)
                    decisions[namespaceID] = decision
                }
                let entry: String
                switch decision {
                case .none: continue
                case .all(let written): entry = written
                case .perHost:
                    // Exclusions exist only from 1.31 on (before, `~` is parsed as a namespace name).
                    guard
                        let written = hosts.importingEntry(
                            hostname: services[serviceIndex].hostname, namespace: services[serviceIndex].namespace)
                    else { continue }
                    entry = written
                }
                let ports: [ServicePort]
                if let port {
                    ports = services[serviceIndex].ports.filter { $0.number == port }
                    if ports.isEmpty { continue }
                } else {
                    ports = services[serviceIndex].ports
                }
                imported.append(ImportedService(serviceIndex: serviceIndex, ports: ports, reason: .egressHost(entry, port: port)))
                anyShared = anyShared || index.hostnameIsShared[serviceIndex]
            }
        }
        guard anyShared else { return imported }
        return oneNamespacePerHostname(imported, proxyNamespace: namespace)
    }

    /// Istio keeps one namespace per hostname: the proxy's own, else a Kubernetes one, else the first seen.
    func oneNamespacePerHostname(_ imported: [ImportedService], proxyNamespace: String) -> [ImportedService] {
        var winner: [String: (namespace: String, kubernetes: Bool)] = [:]
        var ambiguous = false
        let services = index.services
        for ref in imported {
            let service = services[ref.serviceIndex]
            guard let current = winner[service.hostname] else {
                winner[service.hostname] = (service.namespace, service.isKubernetes)
                continue
            }
            ambiguous = true
            if service.namespace == proxyNamespace {
                winner[service.hostname] = (service.namespace, service.isKubernetes)
            } else if version.usesUnifiedSidecarScope, !current.kubernetes, service.isKubernetes,
                current.namespace != proxyNamespace
            {
                winner[service.hostname] = (service.namespace, service.isKubernetes)
            }
        }
        guard ambiguous else { return imported }
        return imported.filter {
            let service = services[$0.serviceIndex]
            return winner[service.hostname]?.namespace == service.namespace
        }
    }

    /// Services an imported VirtualService routes to (`collectImportedServices`), after the explicit ones.
    func inferredServices(hosts: ListenerHosts, namespace: String, port: Int?) -> [ImportedService] {
        var result: [ImportedService] = []
        let config = inventory.meshConfig
        for (position, service) in virtualServices.enumerated() {
            guard isVisible(exportTo: service.exportTo ?? config.defaultVirtualServiceExportTo,
                            ownNamespace: service.meta.namespace, to: namespace)
            else { continue }
            let vsHosts = resolvedVirtualServiceHosts[position]
            let groups = [hosts[service.meta.namespace], hosts["*"]].compactMap { $0 }
            guard groups.contains(where: { group in vsHosts.contains { group.overlaps($0) } }) else { continue }
            // Collect destination hosts with their ports, in route order.
            var order: [String] = []
            var portsByHost: [String: Set<Int>] = [:]
            for destination in service.destinations {
                if !destination.sourceNamespaces.isEmpty && !destination.sourceNamespaces.contains(namespace) { continue }
                let host = HostMatching.resolveShortName(
                    destination.host, namespace: service.meta.namespace, domainSuffix: config.domainSuffix)
                if portsByHost[host] == nil { order.append(host) }
                portsByHost[host, default: []].insert(destination.port ?? 0)
            }
            for host in order {
                guard let byNamespace = index.byHostAndNamespace[host], !byNamespace.isEmpty else { continue }
                let chosen: Int?
                if let own = byNamespace[namespace] {
                    chosen = own
                } else {
                    chosen = pickVisibleNamespace(byNamespace, for: namespace)
                }
                guard let chosen else { continue }
                let target = index.services[chosen]
                let ports: [ServicePort]
                if let port {
                    ports = target.ports.filter { $0.number == port }
                } else if let wanted = portsByHost[host], !wanted.contains(0) {
                    ports = target.ports.filter { wanted.contains($0.number) }
                } else {
                    ports = target.ports
                }
                if ports.isEmpty { continue }
                result.append(ImportedService(serviceIndex: chosen, ports: ports, reason: .virtualService(service.meta.qualifiedName)))
            }
        }
        return result
    }

    /// `pickBestVisibleNamespace` (1.30+: a visible Kubernetes service, else the oldest visible one) or, before,
    /// `pickFirstVisibleNamespace` (alphabetical).
    private func pickVisibleNamespace(_ byNamespace: [String: Int], for namespace: String) -> Int? {
        let config = inventory.meshConfig
        let visible = byNamespace.filter { index.isVisible(index.services[$0.value], to: namespace, meshConfig: config) }
        if !version.picksBestServiceNamespace {
            return visible.min { $0.key < $1.key }?.value
        }
        if let kubernetes = visible.filter({ index.services[$0.value].isKubernetes }).min(by: { $0.key < $1.key }) {
            return kubernetes.value
        }
        return visible.min { lhs, rhs in
            let left = index.services[lhs.value].creationTime
            let right = index.services[rhs.value].creationTime
            return left != right ? left < right : lhs.key < rhs.key
        }?.value
    }

    func isVisible(exportTo: [String], ownNamespace: String, to namespace: String) -> Bool {
        if exportTo.contains("*") { return true }
        if exportTo.contains("~") { return false }
        return exportTo.contains { $0 == namespace || ($0 == "." && ownNamespace == namespace) }
    }

    // MARK: Clusters

    /// `outbound|port||host` per non-UDP port, plus one per DestinationRule subset (none for ExternalName).
    func appendOutboundClusters(for scoped: ScopedService, rule: ConsolidatedRule?, to clusters: inout [PredictedCluster]) {
        let service = scoped.service
        guard service.resolution != .alias else { return }
        let ruleColumn = rule.map { "\($0.name).\($0.namespace)" } ?? ""
        for port in scoped.ports where port.protocol != "UDP" {
            clusters.append(
                PredictedCluster(
                    name: "outbound|\(port.number)||\(service.hostname)", serviceFQDN: service.hostname, port: port.number,
                    subset: "", direction: .outbound, type: service.resolution.clusterType, destinationRule: ruleColumn,
                    reason: scoped.reason))
            for subset in rule?.subsets ?? [] {
                clusters.append(
                    PredictedCluster(
                        name: "outbound|\(port.number)|\(subset)|\(service.hostname)", serviceFQDN: service.hostname,
                        port: port.number, subset: subset, direction: .outbound, type: service.resolution.clusterType,
                        destinationRule: ruleColumn,
                        reason: .destinationRuleSubset("\(rule?.namespace ?? "")/\(rule?.name ?? "")", subset: subset)))
            }
        }
    }

    /// The DestinationRule(s) for a service, consolidated: the proxy namespace's, else the service namespace's
    /// exported ones, else the root namespace's (`PushContext.destinationRule`).
    func destinationRule(for service: MeshService, proxyNamespace: String, labels: [String: String]) -> ConsolidatedRule? {
        let config = inventory.meshConfig
        let local = bestRules(in: proxyNamespace, for: service.hostname, labels: labels, allowSelectors: true) { _ in true }
        if let local { return local }
        let exported: (DestinationRule) -> Bool = { rule in
            self.isVisible(
                exportTo: rule.exportTo ?? config.defaultDestinationRuleExportTo, ownNamespace: rule.meta.namespace,
                to: proxyNamespace)
        }
        if service.namespace != proxyNamespace,
            let rule = bestRules(in: service.namespace, for: service.hostname, labels: labels, allowSelectors: false, exported)
        {
            return rule
        }
        let root = config.rootNamespace
        if root != proxyNamespace, root != service.namespace {
            return bestRules(in: root, for: service.hostname, labels: labels, allowSelectors: false, exported)
        }
        return nil
    }

    fileprivate func bestRules(
        in namespace: String, for host: String, labels: [String: String], allowSelectors: Bool,
        _ isVisible: (DestinationRule) -> Bool
    ) -> ConsolidatedRule? {
        Self.bestRules(destinationRulesByNamespace, in: namespace, for: host, labels: labels, allowSelectors: allowSelectors, isVisible)
    }

    private static func bestRules(
        _ rulesByNamespace: [String: DestinationRuleIndex], in namespace: String, for host: String, labels: [String: String],
        allowSelectors: Bool, _ isVisible: (DestinationRule) -> Bool
    ) -> ConsolidatedRule? {
        guard let index = rulesByNamespace[namespace] else { return nil }
        func usable(_ rule: DestinationRule) -> Bool {
            isVisible(rule) && (allowSelectors || rule.workloadSelector == nil)
        }
        // Most specific host: an exact match, else the longest matching wildcard.
        var matching = (index.exact[host] ?? []).filter(usable)
        if matching.isEmpty {
            for (wildcard, candidates) in index.wildcards where HostMatching.isSubset(host, of: wildcard) {
                matching = candidates.filter(usable)
                if !matching.isEmpty { break }
            }
        }
        guard !matching.isEmpty else { return nil }
        if allowSelectors,
            let selected = matching.first(where: { $0.workloadSelector.map { $0.matches(labels) } ?? false })
        {
            return ConsolidatedRule(name: selected.meta.name, namespace: selected.meta.namespace, subsets: selected.subsets)
        }
        let general = matching.filter { $0.workloadSelector == nil }
        guard let first = general.first else { return nil }
        var subsets: [String] = []
        for rule in general { for subset in rule.subsets where !subsets.contains(subset) { subsets.append(subset) } }
        return ConsolidatedRule(name: first.meta.name, namespace: first.meta.namespace, subsets: subsets)
    }

    /// `inbound|port||` per Sidecar ingress port, or per target port of services selecting the pod; before Istio 1.8,
    /// ``legacyInboundClusters(namespace:labels:pod:sidecar:)``.
    func inboundClusters(namespace: String, labels: [String: String], pod: Pod?, sidecar: Sidecar?) -> [PredictedCluster] {
        if version < Self.unifiedInboundNamesVersion {
            return legacyInboundClusters(namespace: namespace, labels: labels, pod: pod, sidecar: sidecar)
        }
        var ports: [(Int, String)] = []
        func add(_ port: Int, _ why: String) {
            if port > 0, !ports.contains(where: { $0.0 == port }) { ports.append((port, why)) }
        }
        if let sidecar, !sidecar.ingressPorts.isEmpty {
            for port in sidecar.ingressPorts { add(port.number, "ingress port \(port.number) of Sidecar \(sidecar.meta.qualifiedName)") }
        } else {
            for position in servicesByNamespace[namespace] ?? [] {
                let service = index.services[position]
                let selected = service.selector.map { !$0.isEmpty && LabelSelector($0).matches(labels) } ?? false
                let endpoint = pod?.podIP.flatMap { ip in service.endpoints?.first { $0.address == ip } }
                guard selected || endpoint != nil else { continue }
                let kind = service.isKubernetes ? "Service" : "ServiceEntry"
                for port in service.ports where port.protocol != "UDP" {
                    let target: Int?
                    if let endpoint, let override = endpoint.ports[port.name] {
                        target = override
                    } else if let text = port.targetPort {
                        target = Int(text) ?? pod?.namedPorts[text]
                    } else {
                        target = port.number
                    }
                    if let target { add(target, "port \(port.number) of \(kind) \(service.namespace)/\(service.name)") }
                }
            }
        }
        return ports.map { port, why in
            PredictedCluster(
                name: "inbound|\(port)||", serviceFQDN: "", port: port, subset: "", direction: .inbound, type: inboundClusterType,
                reason: .inbound(why))
        }
    }

    /// The TYPE of `inbound|port||` clusters: STATIC (to 127.0.0.1) before Istio 1.10, ORIGINAL_DST (to the pod IP,
    /// inbound passthrough) since.
    var inboundClusterType: String {
        version < IstioVersion(major: 1, minor: 10) ? "STATIC" : "ORIGINAL_DST"
    }

    /// The clusters every sidecar has: CDS specials and Istio's bootstrap clusters.
    public func alwaysPresentClusters() -> [PredictedCluster] { alwaysPresent }

    /// The same, without the inbound ones (`InboundPassthroughCluster…`) when `includingInbound` is false: a
    /// gateway's config dump has no inbound clusters.
    public func alwaysPresentClusters(includingInbound: Bool) -> [PredictedCluster] {
        includingInbound ? alwaysPresent : alwaysPresent.filter { !$0.name.hasPrefix("InboundPassthrough") }
    }

    /// The dynamic forward proxy cluster of outbound policy ALLOW_ANY_DYNAMIC_DNS; a custom cluster type, so
    /// istioctl's TYPE column reads STATIC.
    static let allowAnyDynamicDNSCluster = PredictedCluster(
        name: "AllowAnyDynamicDNSCluster", serviceFQDN: "AllowAnyDynamicDNSCluster", port: nil, subset: "", direction: .special,
        type: "STATIC", isStatic: false,
        reason: .alwaysPresent("outboundTrafficPolicy ALLOW_ANY_DYNAMIC_DNS: resolves unknown HTTP and TLS hosts by name"))

    static func alwaysPresentClusters(version: IstioVersion, meshConfig: MeshConfig = MeshConfig()) -> [PredictedCluster] {
        func special(_ name: String, _ type: String, _ why: String, isStatic: Bool = false) -> PredictedCluster {
            PredictedCluster(
                name: name, serviceFQDN: name, port: nil, subset: "", direction: .special, type: type, isStatic: isStatic,
                reason: isStatic ? .bootstrap : .alwaysPresent(why))
        }
        var clusters = [
            special("BlackHoleCluster", "STATIC", "always present: drops traffic to unknown hosts"),
            special("PassthroughCluster", "ORIGINAL_DST", "always present: forwards traffic to unknown hosts"),
        ]
        if version.hasUnifiedInboundPassthrough {
            clusters.append(special("InboundPassthroughCluster", "ORIGINAL_DST", "always present: inbound passthrough"))
        } else {
            clusters.append(special("InboundPassthroughClusterIpv4", "ORIGINAL_DST", "always present: inbound passthrough"))
        }
        for name in ["agent", "prometheus_stats", "sds-grpc", "xds-grpc"] {
            clusters.append(special(name, "STATIC", "", isStatic: true))
        }
        if meshConfig.hasZipkinCluster(version: version) {
            clusters.append(special("zipkin", "STRICT_DNS", "", isStatic: true))
        }
        return clusters
    }
}

/// The Sidecar that applies to a proxy, why, and anything surprising about the choice.
public struct SidecarSelection: Hashable, Sendable {
    /// The Sidecar, or `nil` for the default `*/*` scope.
    public var sidecar: Sidecar?
    /// A sentence saying why.
    public var reason: String
    /// Surprises (a candidate that another Sidecar shadows, …).
    public var warnings: [String]

    /// Makes a selection.
    public init(sidecar: Sidecar?, reason: String, warnings: [String] = []) {
        self.sidecar = sidecar
        self.reason = reason
        self.warnings = warnings
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

/// The DestinationRule lookup for one proxy: the proxy namespace's rules first, then the precomputed per-service
/// rules of the service's and the root namespace (or the full lookup when some rule is not exported everywhere).
struct RuleLookup {
    let engine: ScopeEngine
    let proxyNamespace: String
    let labels: [String: String]
    let proxyHasRules: Bool
    /// The mesh's root namespace (read once per proxy, not per service).
    let root: String
    /// The proxy namespace's rule hosts (see ``ScopeEngine/localRuleHosts``).
    let localHosts: (exact: Set<Int>, hasWildcards: Bool)?

    init(engine: ScopeEngine, proxyNamespace: String, labels: [String: String]) {
        self.engine = engine
        self.proxyNamespace = proxyNamespace
        self.labels = labels
        proxyHasRules = engine.destinationRulesByNamespace[proxyNamespace] != nil
        root = engine.inventory.meshConfig.rootNamespace
        localHosts = engine.localRuleHosts[proxyNamespace]
    }

    /// Whether the proxy namespace's rules can match the service at `position` (an exact host or any wildcard).
    private func localRulesMayMatch(_ position: Int) -> Bool {
        guard let localHosts else { return false }
        return localHosts.hasWildcards || localHosts.exact.contains(engine.index.hostIDs[position])
    }

    /// The rule for the registry service at `position` (see `ServiceIndex.services`).
    func rule(forServiceAt position: Int) -> ConsolidatedRule? {
        // Fields are read in place: a copy of the `MeshService` costs a retain per member.
        let services = engine.index.services
        if proxyHasRules, localRulesMayMatch(position),
            let local = engine.bestRules(
                in: proxyNamespace, for: services[position].hostname, labels: labels, allowSelectors: true, { _ in true })
        {
            return local
        }
        if services[position].namespace != proxyNamespace {
            if engine.ownRulesArePrecomputed[position] {
                if let own = engine.ownNamespaceRules[position] { return own }
            } else if let own = exported(in: services[position].namespace, for: services[position].hostname) {
                return own
            }
        }
        guard root != proxyNamespace, root != services[position].namespace else { return nil }
        if engine.rootRulesArePrecomputed { return engine.rootNamespaceRules[position] }
        return exported(in: root, for: services[position].hostname)
    }

    /// `rule(forServiceAt:)?.subsets.count`, without the lookups where no rule can apply: the proxy's namespace has
    /// no rules and the service's and root namespace's precomputed rules hold (the usual case).
    func subsetCount(forServiceAt position: Int) -> Int {
        if !proxyHasRules || !localRulesMayMatch(position), engine.ownRulesArePrecomputed[position],
            engine.rootRulesArePrecomputed
        {
            let services = engine.index.services
            if services[position].namespace != proxyNamespace, engine.ownSubsetCounts[position] >= 0 {
                return engine.ownSubsetCounts[position]
            }
            guard root != proxyNamespace, root != services[position].namespace else { return 0 }
            return max(0, engine.rootSubsetCounts[position])
        }
        return rule(forServiceAt: position)?.subsets.count ?? 0
    }

    /// The full lookup among the rules of `namespace` that are exported to the proxy's namespace.
    private func exported(in namespace: String, for host: String) -> ConsolidatedRule? {
        let config = engine.inventory.meshConfig
        let proxyNamespace = self.proxyNamespace
        let engine = self.engine
        return engine.bestRules(in: namespace, for: host, labels: labels, allowSelectors: false) { rule in
            engine.isVisible(
                exportTo: rule.exportTo ?? config.defaultDestinationRuleExportTo, ownNamespace: rule.meta.namespace,
                to: proxyNamespace)
        }
    }
}

/// One namespace's DestinationRules by resolved host: exact hosts for O(1) lookup, wildcards longest first.
struct DestinationRuleIndex: Sendable {
    var exact: [String: [DestinationRule]] = [:]
    var wildcards: [(host: String, rules: [DestinationRule])] = []

    mutating func add(_ rule: DestinationRule, host: String) {
        if HostMatching.isWildcard(host) {
            if let position = wildcards.firstIndex(where: { $0.host == host }) {
                wildcards[position].rules.append(rule)
            } else {
                wildcards.append((host, [rule]))
                wildcards.sort { $0.host.utf8.count > $1.host.utf8.count }
            }
        } else {
            exact[host, default: []].append(rule)
        }
    }
}

/// DestinationRules for one host after Istio's consolidation: the first rule's name and all subsets.
public struct ConsolidatedRule: Hashable, Sendable {
    /// The (first) rule's name.
    public var name: String
    /// Its namespace.
    public var namespace: String
    /// Subset names from every consolidated rule.
    public var subsets: [String]
}

/// One imported service by its registry position (``ServiceIndex/services``), with the ports it was imported on and
/// why: what a ``ScopedService`` holds, without a copy of the service.
struct ImportedService {
    /// The position of the service in ``ServiceIndex/services``.
    var serviceIndex: Int
    /// The ports imported (a port-bound listener imports only its port).
    var ports: [ServicePort]
    /// Why it is in scope.
    var reason: ScopeReason
}

/// Union of imported services across listeners (`appendSidecarServices` / `canMergeServices`).
struct ServiceMerger {
    private(set) var refs: [ImportedService] = []
    /// Per interned hostname: its position in `refs`, or -1 (an array, not a dictionary: a scope over 10,000
    /// services inserts 10,000 of them).
    private var positions: [Int32]

    /// An empty merger for hostnames numbered below `hostCount`.
    init(hostCount: Int) {
        positions = Array(repeating: -1, count: hostCount)
    }

    /// Adds `candidate` (interned hostname `hostID`, see `ServiceIndex.hostIDs`); `services` is the registry the
    /// positions point into.
    mutating func add(_ candidate: ImportedService, hostID: Int, services: [MeshService]) {
        let known = positions[hostID]
        guard known >= 0 else {
            positions[hostID] = Int32(refs.count)
            refs.append(candidate)
            return
        }
        let position = Int(known)
        let existingRef = refs[position]
        let existing = services[existingRef.serviceIndex]
        let incoming = services[candidate.serviceIndex]
        let sameService = existingRef.serviceIndex == candidate.serviceIndex || existing == incoming
        if sameService && existingRef.ports == candidate.ports { return }
        if existing.isKubernetes && !incoming.isKubernetes { return }
        if !existing.isKubernetes && incoming.isKubernetes {
            refs[position] = candidate
            return
        }
        if existingRef.ports.map(\.number) == candidate.ports.map(\.number) { return }
        guard existing.namespace == incoming.namespace, existing.resolution == incoming.resolution,
            existing.registry == incoming.registry, existing.exportTo == incoming.exportTo, existing.selector == incoming.selector
        else { return }
        var merged = existingRef
        for port in candidate.ports where !merged.ports.contains(where: { $0.number == port.number }) {
            merged.ports.append(port)
        }
        refs[position] = merged
    }
}
