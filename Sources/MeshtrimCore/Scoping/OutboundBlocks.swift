/// One proxy namespace's outbound scope split by the namespace of each service it can see: the clusters that
/// namespace's services add when all of them are imported, and which services would cover each hostname watched (the
/// observed destinations whose cut is asked).
///
/// Why: the mesh-wide default's editor asks, after every toggle, for the outbound cluster count and the coverage of
/// about 200 namespaces' scopes over 10,000 services. A full evaluation decides every service again; with the blocks,
/// a choice of hosts costs one decision per (proxy namespace, service namespace) — `*/*`, `./*` and `ns/*` decide a
/// whole namespace — plus the services of namespaces where the decision depends on the hostname (`ns/name`, `~`).
///
/// Made by ``ScopeEngine/outboundBlocks(namespace:labels:watching:)``; read by
/// ``ScopeEngine/outboundClusterCountAndCoverage(_:sidecar:)``, which answers `nil` where blocks do not add up and
/// the caller must evaluate in full.
struct OutboundBlocks: Sendable {
    /// The proxy namespace (`.` in the hosts).
    let namespace: String
    /// The proxy labels (DestinationRules with a workload selector).
    let labels: [String: String]
    /// Per namespace number (``ServiceIndex/namespaceIDs``): the clusters of its services visible here, all imported.
    let clustersIfAll: [Int]
    /// Per namespace number: whether one of its services visible here has a hostname that another service registers
    /// too (then importing it may merge by hostname, and blocks do not add up).
    let repeatsHostname: [Bool]
    /// Per namespace number: its services visible here through an exportTo naming this namespace (the public ones are
    /// ``ServiceIndex/publicServicesByNamespace``).
    let exportedHere: [Int: [Int]]
    /// The VirtualServices exported here that route somewhere (by position in ``ScopeEngine/virtualServices``), with
    /// the services they route a proxy of this namespace to on a listener without a port: imported when the hosts
    /// import the VirtualService.
    let routes: [(virtualService: Int, services: [ImportedService])]
    /// The hostnames watched, in the order given.
    let watched: [String]
    /// Per watched hostname: the services visible here that cover it once imported (the same hostname, or a wildcard
    /// over it).
    let coveringServices: [[Int]]
}

extension ScopeEngine {
    /// The blocks of a proxy of `namespace` with `labels`, watching whether `hostnames` stay covered.
    func outboundBlocks(namespace: String, labels: [String: String], watching hostnames: [String]) -> OutboundBlocks {
        let rules = RuleLookup(engine: self, proxyNamespace: namespace, labels: labels)
        let services = index.services
        var clusters = Array(repeating: 0, count: index.namespaceCount)
        var repeats = Array(repeating: false, count: index.namespaceCount)
        var exportedHere: [Int: [Int]] = [:]
        let exported = index.exportedTo[namespace] ?? []
        for serviceIndex in exported { exportedHere[index.namespaceIDs[serviceIndex], default: []].append(serviceIndex) }
        for candidates in [exported, index.publicServices] {
            for serviceIndex in candidates {
                let namespaceID = index.namespaceIDs[serviceIndex]
                clusters[namespaceID] += outboundClusterCount(
                    ofServiceAt: serviceIndex, ports: services[serviceIndex].ports, rules: rules)
                if index.hostnameRepeats[serviceIndex] { repeats[namespaceID] = true }
            }
        }
        let config = inventory.meshConfig
        let visibleWildcards = index.wildcardServices.filter { index.isVisible(services[$0], to: namespace, meshConfig: config) }
        let covering = hostnames.map { host -> [Int] in
            var result: [Int] = []
            for serviceIndex in index.byHostAndNamespace[host]?.values.sorted() ?? []
            where index.isVisible(services[serviceIndex], to: namespace, meshConfig: config) {
                result.append(serviceIndex)
            }
            for serviceIndex in visibleWildcards
            where services[serviceIndex].hostname != host && HostMatching.isSubset(host, of: services[serviceIndex].hostname) {
                result.append(serviceIndex)
            }
            return result
        }
        let routes = virtualServices.indices.compactMap { position -> (virtualService: Int, services: [ImportedService])? in
            guard isVirtualServiceVisible(at: position, to: namespace) else { return nil }
            let routed = routedServices(ofVirtualServiceAt: position, proxyNamespace: namespace, port: nil)
            return routed.isEmpty ? nil : (position, routed)
        }
        return OutboundBlocks(
            namespace: namespace, labels: labels, clustersIfAll: clusters, repeatsHostname: repeats, exportedHere: exportedHere,
            routes: routes, watched: hostnames, coveringServices: covering)
    }

    /// ``outboundClusterCount(namespace:labels:sidecar:)`` and, per watched hostname of `blocks`, whether
    /// ``importedHostnames(namespace:sidecar:)`` covers it, added up from the blocks; `nil` where they do not add up:
    /// `sidecar` has several egress listeners or a port-bound one, or an imported service's hostname is registered by
    /// another service as well (the scope then merges by hostname).
    ///
    /// Services an imported VirtualService routes to are added as the full evaluation adds them: after the explicit
    /// imports, nothing new when their service is already imported with every port.
    func outboundClusterCountAndCoverage(_ blocks: OutboundBlocks, sidecar: Sidecar?) -> (count: Int, covered: [Bool])? {
        let listeners = sidecar?.egress.isEmpty == false ? sidecar?.egress ?? [] : [SidecarEgressListener(hosts: ["*/*"])]
        guard listeners.count == 1, let listener = listeners.first, boundPort(of: listener) == nil else { return nil }
        let hosts = ListenerHosts(listener.hosts, configNamespace: blocks.namespace, version: version)
        let services = index.services
        let rules = RuleLookup(engine: self, proxyNamespace: blocks.namespace, labels: blocks.labels)
        let decisions = hosts.namespaceImports(numberedBy: index.namespaceIDsByName, count: index.namespaceCount)
        var count = 0
        for (namespaceID, decision) in decisions.enumerated() {
            switch decision {
            case .none: continue
            case .all:
                if blocks.repeatsHostname[namespaceID] { return nil }
                count += blocks.clustersIfAll[namespaceID]
            case .perHost:
                for candidates in [blocks.exportedHere[namespaceID] ?? [], index.publicServicesByNamespace[namespaceID]] {
                    for serviceIndex in candidates
                    where hosts.importingEntry(hostname: services[serviceIndex].hostname, namespace: services[serviceIndex].namespace) != nil {
                        if index.hostnameRepeats[serviceIndex] { return nil }
                        count += outboundClusterCount(ofServiceAt: serviceIndex, ports: services[serviceIndex].ports, rules: rules)
                    }
                }
            }
        }
        func isImported(_ serviceIndex: Int) -> Bool {
            switch decisions[index.namespaceIDs[serviceIndex]] {
            case .none: false
            case .all: true
            case .perHost:
                hosts.importingEntry(hostname: services[serviceIndex].hostname, namespace: services[serviceIndex].namespace) != nil
            }
        }
        // Inferred services: already imported (visible, and its namespace's decision takes it) with every port, a
        // merge adds nothing; otherwise it is new, and its hostname is its own.
        var extras: [ImportedService] = []
        var inferred: [ImportedService] = []
        for route in blocks.routes where importsVirtualService(at: route.virtualService, hosts: hosts) { inferred += route.services }
        if !inferred.isEmpty {
            let config = inventory.meshConfig
            var merger = ServiceMerger(hostCount: index.hostCount)
            for ref in inferred {
                if index.hostnameRepeats[ref.serviceIndex] { return nil }
                let explicit = index.isVisible(services[ref.serviceIndex], to: blocks.namespace, meshConfig: config)
                    && isImported(ref.serviceIndex)
                if explicit { continue }
                merger.add(ref, hostID: index.hostIDs[ref.serviceIndex], services: services)
            }
            extras = merger.refs
            count += outboundClusterCount(of: extras, namespace: blocks.namespace, labels: blocks.labels)
        }
        var covered = blocks.coveringServices.map { $0.contains(where: isImported) }
        for ref in extras {
            let hostname = services[ref.serviceIndex].hostname
            for (position, host) in blocks.watched.enumerated() where !covered[position] {
                covered[position] = hostname == host || (HostMatching.isWildcard(hostname) && HostMatching.isSubset(host, of: hostname))
            }
        }
        return (count, covered)
    }
}
