/// Cluster counts without the clusters: what the per-pod predictions, the namespace totals and every what-if need,
/// evaluated for each shape of pod in the mesh (10,000 of them in a 50,000-pod mesh), where building each cluster's
/// name and reason would be most of the cost.
extension ScopeEngine {
    /// How many clusters ``inboundClusters(namespace:labels:pod:sidecar:)`` returns, without building their names and
    /// reasons (before Istio 1.10, where names decide what is one cluster, it counts the built clusters).
    func inboundClusterCount(namespace: String, labels: [String: String], pod: Pod?, sidecar: Sidecar?) -> Int {
        guard version >= IstioVersion(major: 1, minor: 10) else {
            return inboundClusters(namespace: namespace, labels: labels, pod: pod, sidecar: sidecar).count
        }
        var ports: [Int] = []
        func add(_ port: Int) {
            if port > 0, !ports.contains(port) { ports.append(port) }
        }
        if let sidecar, !sidecar.ingressPorts.isEmpty {
            for port in sidecar.ingressPorts { add(port.number) }
            return ports.count
        }
        forEachServiceInstance(namespace: namespace, labels: labels, pod: pod) { _, _, target in add(target) }
        return ports.count
    }
}

/// The hostnames a scope imports, to ask whether an observed destination is still covered: by exact name, else by
/// an imported wildcard (what the egress editor asks for every observed destination after each toggle, without
/// copying the imported services or hashing their names into a set).
struct ImportedHostnames {
    /// Per interned hostname (``ServiceIndex/hostIDs``): whether the scope imports a service of that name.
    fileprivate let imported: [Bool]
    /// The imported wildcard hostnames (`*.example.com`).
    fileprivate let wildcards: [String]
    fileprivate let hostIDsByName: [String: Int]

    /// Whether `host` is an imported hostname or falls under an imported wildcard.
    func covers(_ host: String) -> Bool {
        if let id = hostIDsByName[host], imported[id] { return true }
        return wildcards.contains { HostMatching.isSubset(host, of: $0) }
    }
}

extension ScopeEngine {
    /// The hostnames of ``importedServices(namespace:sidecar:)``, as an ``ImportedHostnames``.
    func importedHostnames(namespace: String, sidecar: Sidecar?) -> ImportedHostnames {
        importedHostnames(of: importedServiceRefs(namespace: namespace, sidecar: sidecar).refs)
    }

    /// ``outboundClusterCount(namespace:labels:sidecar:)`` and ``importedHostnames(namespace:sidecar:)`` from one
    /// evaluation of the imports: what the mesh-wide default's impact needs per namespace after each toggle.
    func outboundClusterCountAndHostnames(
        namespace: String, labels: [String: String], sidecar: Sidecar?
    ) -> (count: Int, hostnames: ImportedHostnames) {
        let refs = importedServiceRefs(namespace: namespace, sidecar: sidecar).refs
        return (outboundClusterCount(of: refs, namespace: namespace, labels: labels), importedHostnames(of: refs))
    }

    /// The hostnames of `refs`, as an ``ImportedHostnames``.
    func importedHostnames(of refs: [ImportedService]) -> ImportedHostnames {
        var imported = Array(repeating: false, count: index.hostCount)
        var wildcards: [String] = []
        let services = index.services
        for ref in refs {
            imported[index.hostIDs[ref.serviceIndex]] = true
            if HostMatching.isWildcard(services[ref.serviceIndex].hostname) { wildcards.append(services[ref.serviceIndex].hostname) }
        }
        return ImportedHostnames(imported: imported, wildcards: wildcards, hostIDsByName: index.hostIDsByName)
    }
}
