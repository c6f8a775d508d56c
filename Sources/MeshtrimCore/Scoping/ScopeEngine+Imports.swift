/// The services a proxy imports: egress listener hosts, exportTo visibility, one namespace per hostname, services
/// inferred from imported VirtualServices, and the union across listeners.
extension ScopeEngine {
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
        outboundClusterCount(of: importedServiceRefs(namespace: namespace, sidecar: sidecar).refs, namespace: namespace, labels: labels)
    }

    /// The outbound clusters of `refs` (imports of a proxy of `namespace` with `labels`), counted.
    func outboundClusterCount(of refs: [ImportedService], namespace: String, labels: [String: String]) -> Int {
        let rules = RuleLookup(engine: self, proxyNamespace: namespace, labels: labels)
        return refs.reduce(0) { $0 + outboundClusterCount(ofServiceAt: $1.serviceIndex, ports: $1.ports, rules: rules) }
    }

    /// The outbound clusters of the registry service at `serviceIndex` imported on `ports`: one per port but UDP, and
    /// one per DestinationRule subset on each (none for an alias).
    func outboundClusterCount(ofServiceAt serviceIndex: Int, ports: [ServicePort], rules: RuleLookup) -> Int {
        guard index.services[serviceIndex].resolution != .alias else { return 0 }
        let count = ports.count { $0.protocol != "UDP" }
        guard count > 0 else { return 0 }
        return count * (1 + rules.subsetCount(forServiceAt: serviceIndex))
    }

    /// The port an egress listener is bound to, or `nil` when it imports every port (no port, port 0, or an
    /// `HTTP_PROXY` listener).
    func boundPort(of listener: SidecarEgressListener) -> Int? {
        listener.port.flatMap { port -> Int? in
            port.number != 0 && port.protocol.uppercased() != "HTTP_PROXY" ? port.number : nil
        }
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
            let port = boundPort(of: listener)
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
        for position in virtualServices.indices
        where isVirtualServiceVisible(at: position, to: namespace) && importsVirtualService(at: position, hosts: hosts) {
            result += routedServices(ofVirtualServiceAt: position, proxyNamespace: namespace, port: port)
        }
        return result
    }

    /// Whether the VirtualService at `position` (in ``virtualServices``) is exported to `namespace`.
    func isVirtualServiceVisible(at position: Int, to namespace: String) -> Bool {
        let service = virtualServices[position]
        return isVisible(
            exportTo: service.exportTo ?? inventory.meshConfig.defaultVirtualServiceExportTo, ownNamespace: service.meta.namespace,
            to: namespace)
    }

    /// Whether `hosts` import the VirtualService at `position`: a host of its namespace or of `*` overlaps one of its
    /// hosts.
    func importsVirtualService(at position: Int, hosts: ListenerHosts) -> Bool {
        let vsHosts = resolvedVirtualServiceHosts[position]
        let groups = [hosts[virtualServices[position].meta.namespace], hosts["*"]].compactMap { $0 }
        return groups.contains { group in vsHosts.contains { group.overlaps($0) } }
    }

    /// The services the VirtualService at `position` routes a proxy of `proxyNamespace` to, once imported, with the
    /// ports it routes to (only `port` for a port-bound listener), in route order.
    func routedServices(ofVirtualServiceAt position: Int, proxyNamespace namespace: String, port: Int?) -> [ImportedService] {
        let service = virtualServices[position]
        let config = inventory.meshConfig
        var result: [ImportedService] = []
        // Collect destination hosts with their ports, in route order.
        var order: [String] = []
        var portsByHost: [String: Set<Int>] = [:]
        for destination in service.destinations {
            if !destination.sourceNamespaces.isEmpty && !destination.sourceNamespaces.contains(namespace) { continue }
            let host = HostMatching.resolveShortName(destination.host, namespace: service.meta.namespace, domainSuffix: config.domainSuffix)
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
