/// DestinationRule lookup: the most specific rules for a host in a namespace, consolidated as istiod does
/// (`PushContext.destinationRule`).
extension ScopeEngine {
    fileprivate func bestRules(
        in namespace: String, for host: String, labels: [String: String], allowSelectors: Bool,
        _ isVisible: (DestinationRule) -> Bool
    ) -> ConsolidatedRule? {
        Self.bestRules(destinationRulesByNamespace, in: namespace, for: host, labels: labels, allowSelectors: allowSelectors, isVisible)
    }

    /// The consolidated rule for `host` among `namespace`'s rules that `isVisible` admits (the engine's indexing
    /// precomputes per-service rules with it, before the engine exists).
    static func bestRules(
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
