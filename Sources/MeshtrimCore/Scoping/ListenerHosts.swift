/// One egress listener's `hosts`, grouped by namespace as istiod groups them (`hostClassification`).
struct ListenerHosts: Sendable {
    /// The dnsNames imported from one namespace key (`*` or a name).
    struct Group: Sendable {
        var exact: Set<String> = []
        var all: [String] = []
        var excluded: [String] = []
        /// The host entries as written, parallel to `all`, for reasons.
        var written: [String] = []

        /// `hostClassification.Matches`: exact lookup, then wildcard subset matching; returns the entry that matched.
        func match(_ host: String) -> String? {
            if exact.contains(host), let index = all.firstIndex(of: host) { return written[index] }
            let hostIsWildcard = HostMatching.isWildcard(host)
            for (index, imported) in all.enumerated() {
                if !hostIsWildcard && !HostMatching.isWildcard(imported) { continue }
                if HostMatching.isSubset(host, of: imported) { return written[index] }
            }
            return nil
        }

        /// Whether an exclusion (`~ns/x`) removes `host`.
        func excludes(_ host: String) -> Bool {
            excluded.contains { HostMatching.isSubset(host, of: $0) }
        }

        /// Bidirectional `Matches` against every imported name (VirtualService selection).
        func overlaps(_ host: String) -> Bool {
            all.contains { HostMatching.matches($0, host) }
        }
    }

    private(set) var groups: [String: Group] = [:]
    private(set) var skipped: [String] = []

    /// Parses `hosts` for a proxy in `configNamespace` (as istiod reads them, see ``EgressHost/init(runtime:version:)``);
    /// entries that are not `namespace/dnsName` are skipped.
    init(_ hosts: [String], configNamespace: String, version: IstioVersion) {
        for entry in hosts {
            guard let host = EgressHost(runtime: entry, version: version) else {
                skipped.append(entry)
                continue
            }
            let namespace = host.namespaceKey(proxyNamespace: configNamespace)
            let name = host.dnsNameText
            var group = groups[namespace] ?? Group()
            if host.isExclusion {
                group.excluded.append(name)
            } else {
                if !HostMatching.isWildcard(name) { group.exact.insert(name) }
                group.all.append(name)
                group.written.append(entry)
            }
            groups[namespace] = group
        }
    }

    subscript(namespace: String) -> Group? { groups[namespace] }
}
