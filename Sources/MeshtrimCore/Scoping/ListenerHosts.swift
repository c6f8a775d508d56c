/// One egress listener's `hosts`, grouped by namespace as istiod groups them (`hostClassification`).
///
/// This is the one host-matching rule: the scope engine imports with ``importingEntry(hostname:namespace:)`` and the
/// egress editor's ✓ marks ask the same question, so `~` exclusions (Istio 1.31+) count in both.
public struct ListenerHosts: Sendable {
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
    public init(_ hosts: [String], configNamespace: String, version: IstioVersion) {
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

    /// The entry (as written) through which these hosts import the service `hostname` of `namespace`, or `nil` when
    /// none selects it or an exclusion of its namespace or of `*` removes it (istiod's `selectServices`, before
    /// ports and visibility).
    public func importingEntry(hostname: String, namespace: String) -> String? {
        let own = groups[namespace]
        let wildcard = groups["*"]
        if own?.excludes(hostname) == true || wildcard?.excludes(hostname) == true { return nil }
        return own?.match(hostname) ?? wildcard?.match(hostname)
    }

    /// What ``importingEntry(hostname:namespace:)`` answers for the services of one namespace, when that does not
    /// depend on the hostname: the scope engine decides once per namespace instead of once per service.
    enum NamespaceImport: Sendable {
        /// No service of the namespace is imported.
        case none
        /// Every service of the namespace is imported through this entry (as written).
        case all(String)
        /// It depends on the hostname: ask ``ListenerHosts/importingEntry(hostname:namespace:)``.
        case perHost
    }

    /// The answer of ``importingEntry(hostname:namespace:)`` for every service of `namespace`, when it is the same for
    /// all hostnames: no group for the namespace nor for `*` (none), or a group whose first wildcard is `*` with no
    /// exact names before it and no exclusions anywhere that could apply (all).
    func namespaceImport(_ namespace: String) -> NamespaceImport {
        Self.namespaceImport(own: groups[namespace], wildcard: groups["*"])
    }

    /// ``namespaceImport(_:)`` for every namespace numbered in `namespaceIDs` (`count` of them), indexed by number:
    /// one decision for the namespaces these hosts do not name, and one per namespace they name, instead of a look-up
    /// per namespace (the mesh-wide default's editor asks for 200 namespaces' scopes over 200 namespaces).
    func namespaceImports(numberedBy namespaceIDs: [String: Int], count: Int) -> [NamespaceImport] {
        let wildcard = groups["*"]
        var decisions = Array(repeating: Self.namespaceImport(own: nil, wildcard: wildcard), count: count)
        for (namespace, group) in groups where namespace != "*" {
            guard let id = namespaceIDs[namespace] else { continue }
            decisions[id] = Self.namespaceImport(own: group, wildcard: wildcard)
        }
        return decisions
    }

    /// The decision for a namespace whose own group is `own`, with the `*` group `wildcard`.
    private static func namespaceImport(own: Group?, wildcard: Group?) -> NamespaceImport {
        if own?.excluded.isEmpty == false || wildcard?.excluded.isEmpty == false { return .perHost }
        guard let group = own ?? wildcard else { return .none }
        // `match` tries exact names first, then every wildcard in order: `*` answers for every host only when no
        // exact name exists and no other wildcard comes before it.
        guard group.exact.isEmpty, let first = group.all.first, first == "*" else { return .perHost }
        return .all(group.written[0])
    }

    /// Whether these hosts import every service of `namespace`: `*` is imported there (`ns/*`, `*/*`, `./*` in the
    /// proxy's namespace) and no exclusion of that namespace or of `*` subtracts from it.
    public func importsEveryService(of namespace: String) -> Bool {
        let own = groups[namespace]
        let wildcard = groups["*"]
        if own?.excluded.isEmpty == false || wildcard?.excluded.isEmpty == false { return false }
        return importingEntry(hostname: "*", namespace: namespace) != nil
    }
}
