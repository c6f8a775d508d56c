/// The engine's precomputed view of the registry: services in Istio's order, exportTo buckets and the
/// hostname → namespace → service index (`PushContext.initServiceRegistry`).
struct ServiceIndex: Sendable {
    /// Services sorted by (creation time, name, namespace).
    let services: [MeshService]
    /// Indices of services exported to every namespace.
    let publicServices: [Int]
    /// Indices of services exported to one namespace (private ones included), per namespace.
    let exportedTo: [String: [Int]]
    /// `HostnameAndNamespace`: the service index for each (hostname, namespace); Kubernetes beats ServiceEntry.
    let byHostAndNamespace: [String: [String: Int]]
    /// A small integer per distinct hostname, per service (cheaper to hash than the name).
    let hostIDs: [Int]
    /// Per service: whether its hostname is registered in more than one namespace (only then does
    /// "one namespace per hostname" have anything to decide).
    let hostnameIsShared: [Bool]
    /// How many distinct hostnames ``hostIDs`` numbers.
    let hostCount: Int
    /// The number of each distinct hostname (the inverse of ``hostIDs``).
    let hostIDsByName: [String: Int]
    /// A small integer per distinct namespace, per service: decisions that depend only on a service's namespace
    /// (whether a listener imports all of it) are made once per namespace, in an array indexed by this.
    let namespaceIDs: [Int]
    /// How many distinct namespaces ``namespaceIDs`` numbers.
    let namespaceCount: Int
    /// The number of each namespace with services, by name.
    let namespaceIDsByName: [String: Int]
    /// Per namespace number: its services exported to every namespace (``publicServices`` split by namespace).
    let publicServicesByNamespace: [[Int]]
    /// Per service: whether another service registers the same hostname (in any namespace, its own included): only
    /// then can merging imports by hostname drop one.
    let hostnameRepeats: [Bool]
    /// Services whose hostname is a wildcard (`*.example.com`), which cover other hostnames.
    let wildcardServices: [Int]

    init(services unsorted: [MeshService], meshConfig: MeshConfig) {
        let services = unsorted.sorted {
            if $0.creationTime != $1.creationTime { return $0.creationTime < $1.creationTime }
            if $0.name != $1.name { return $0.name < $1.name }
            if $0.namespace != $1.namespace { return $0.namespace < $1.namespace }
            return $0.hostname < $1.hostname
        }
        var publicServices: [Int] = []
        var exportedTo: [String: [Int]] = [:]
        var byHostAndNamespace: [String: [String: Int]] = [:]
        for (index, service) in services.enumerated() {
            let exports = service.exportTo ?? meshConfig.defaultServiceExportTo
            if exports.contains("*") {
                publicServices.append(index)
            } else if !exports.contains("~") {
                var namespaces: [String] = []
                for entry in exports {
                    let namespace = entry == "." ? service.namespace : entry
                    if !namespaces.contains(namespace) { namespaces.append(namespace) }
                }
                for namespace in namespaces { exportedTo[namespace, default: []].append(index) }
            }
            var forHost = byHostAndNamespace[service.hostname] ?? [:]
            if let existing = forHost[service.namespace] {
                if !services[existing].isKubernetes && service.isKubernetes { forHost[service.namespace] = index }
            } else {
                forHost[service.namespace] = index
            }
            byHostAndNamespace[service.hostname] = forHost
        }
        let hosts = Self.interned(services.map(\.hostname))
        self.hostIDs = hosts.ids
        self.hostCount = hosts.numbers.count
        self.hostIDsByName = hosts.numbers
        let namespaces = Self.interned(services.map(\.namespace))
        self.namespaceIDs = namespaces.ids
        self.namespaceCount = namespaces.numbers.count
        self.namespaceIDsByName = namespaces.numbers
        var publicByNamespace = Array(repeating: [Int](), count: namespaces.numbers.count)
        for serviceIndex in publicServices { publicByNamespace[namespaces.ids[serviceIndex]].append(serviceIndex) }
        self.publicServicesByNamespace = publicByNamespace
        var servicesPerHost = Array(repeating: 0, count: hosts.numbers.count)
        for id in hosts.ids { servicesPerHost[id] += 1 }
        self.hostnameRepeats = hosts.ids.map { servicesPerHost[$0] > 1 }
        self.wildcardServices = services.indices.filter { HostMatching.isWildcard(services[$0].hostname) }
        self.hostnameIsShared = services.map { (byHostAndNamespace[$0.hostname]?.count ?? 0) > 1 }
        self.services = services
        self.publicServices = publicServices
        self.exportedTo = exportedTo
        self.byHostAndNamespace = byHostAndNamespace
    }

    /// Numbers `names` densely in order of first appearance: each name's number (`ids`, one per name given) and the
    /// number of every distinct name (`numbers`).
    private static func interned(_ names: [String]) -> (ids: [Int], numbers: [String: Int]) {
        var numbers: [String: Int] = [:]
        var ids: [Int] = []
        ids.reserveCapacity(names.count)
        for name in names {
            if let id = numbers[name] {
                ids.append(id)
            } else {
                ids.append(numbers.count)
                numbers[name] = numbers.count
            }
        }
        return (ids, numbers)
    }

    /// `servicesExportedToNamespace`: services exported to `namespace` first, then public ones.
    func candidates(for namespace: String) -> [Int] {
        (exportedTo[namespace] ?? []) + publicServices
    }

    /// Istio's `IsServiceVisible`.
    func isVisible(_ service: MeshService, to namespace: String, meshConfig: MeshConfig) -> Bool {
        let exports = service.exportTo ?? meshConfig.defaultServiceExportTo
        if exports.contains("*") { return true }
        if exports.contains("~") { return false }
        return exports.contains { $0 == namespace || ($0 == "." && service.namespace == namespace) }
    }
}
