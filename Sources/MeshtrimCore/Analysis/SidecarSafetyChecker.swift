/// Safety checks on a Sidecar before it is written or applied, and on every Sidecar of an inventory, in the spirit
/// of `istioctl analyze`: what the Sidecar would cut, whether the control plane stays imported, istio/istio#59376,
/// ambient namespaces, and conflicts with the other Sidecars.
///
/// Rules follow Istio's analyzers (`pkg/config/analysis/analyzers/sidecar`) where they exist; the codes and the
/// reasons are listed in docs/safety-checks.md.
public struct SidecarSafetyChecker: Sendable {
    /// The analysed mesh the checks read (inventory, observations, scope engine).
    public let analysis: MeshAnalysis

    /// How many cut destinations get a finding of their own before the rest are summed up.
    public static let listedCutDestinations = 5

    /// The inventory the checks read: the analysis's, or with other Sidecars (``init(analysis:sidecars:)``).
    private let inventory: MeshInventory

    /// Makes a checker over an analysed mesh.
    public init(analysis: MeshAnalysis) {
        self.analysis = analysis
        self.inventory = analysis.inventory
    }

    /// Makes a checker over the mesh as if its Sidecars were `sidecars` (e.g. with a whole directory applied, so the
    /// conflict checks see the other Sidecars about to be applied). Observed traffic still comes from `analysis`.
    public init(analysis: MeshAnalysis, sidecars: [Sidecar]) {
        self.analysis = analysis
        var inventory = analysis.inventory
        inventory.sidecars = sidecars
        self.inventory = inventory
    }

    // MARK: One Sidecar

    /// Findings for `sidecar` as if it were applied (it replaces an existing Sidecar with the same namespace and
    /// name), errors first.
    ///
    /// - Parameter impact: the impact already computed for this Sidecar, to avoid computing it again; when `nil`
    ///   it is computed from the Sidecar's egress hosts.
    public func findings(for sidecar: Sidecar, impact: EgressImpact? = nil) -> [SafetyFinding] {
        let subject = "Sidecar \(sidecar.meta.qualifiedName)"
        var findings: [SafetyFinding] = []
        let others = inventory.sidecars.filter {
            $0.meta.namespace == sidecar.meta.namespace && $0.meta.name != sidecar.meta.name
        }
        if let ambient = ambientFinding(for: sidecar, subject: subject) {
            // A Sidecar with no effect at all has nothing else worth saying.
            if ambient.isTotal { return [ambient.finding] }
            findings.append(ambient.finding)
        }
        findings += cutTraffic(sidecar: sidecar, impact: impact, subject: subject)
        if let finding = istiodFinding(for: sidecar, subject: subject) { findings.append(finding) }
        if let finding = noEgressFinding(for: sidecar, subject: subject) { findings.append(finding) }
        findings += rootNamespaceFindings(for: sidecar, subject: subject)
        findings += conflicts(of: sidecar, with: others, subject: subject)
        if let selector = sidecar.workloadSelector, !selector.matchLabels.isEmpty,
            selectedPods(by: selector, in: sidecar.meta.namespace).isEmpty
        {
            findings.append(noPodFinding(selector: selector, namespace: sidecar.meta.namespace, subject: subject))
        }
        return Self.ordered(findings)
    }

    // MARK: The whole inventory

    /// What `istioctl analyze` would say about the Sidecars already in the inventory (selectors without pods,
    /// conflicting selectors, several selector-less Sidecars, ambient), plus meshtrim's #59376 and root-namespace
    /// checks. Errors first, then by Sidecar.
    public func lint() -> [SafetyFinding] {
        var findings: [SafetyFinding] = []
        var reported = Set<String>()
        var podsToSidecars: [PodKey: [Sidecar]] = [:]
        var podsByKey: [PodKey: Pod] = [:]
        var namespaceSidecars: [String: [Sidecar]] = [:]
        for sidecar in inventory.sidecars {
            let subject = "Sidecar \(sidecar.meta.qualifiedName)"
            if let finding = noEgressFinding(for: sidecar, subject: subject) { findings.append(finding) }
            findings += rootNamespaceFindings(for: sidecar, subject: subject, includeInfo: false)
            guard let selector = sidecar.workloadSelector, !selector.matchLabels.isEmpty else {
                namespaceSidecars[sidecar.meta.namespace, default: []].append(sidecar)
                continue
            }
            let pods = selectedPods(by: selector, in: sidecar.meta.namespace)
            if pods.isEmpty {
                findings.append(noPodFinding(selector: selector, namespace: sidecar.meta.namespace, subject: subject))
            }
            for pod in pods {
                let key = PodKey(namespace: pod.namespace, name: pod.name)
                podsToSidecars[key, default: []].append(sidecar)
                podsByKey[key] = pod
            }
        }
        for key in podsToSidecars.keys.sorted() {
            guard let sidecars = podsToSidecars[key], let pod = podsByKey[key] else { continue }
            if Self.isAmbient(pod) {
                for sidecar in sidecars where reported.insert(sidecar.meta.qualifiedName).inserted {
                    findings.append(ambientWorkloadFinding(pods: [pod.name], subject: "Sidecar \(sidecar.meta.qualifiedName)"))
                }
                continue
            }
            guard sidecars.count > 1 else { continue }
            let names = sidecars.map(\.meta.name).sorted()
            for sidecar in sidecars {
                findings.append(
                    SafetyFinding(
                        severity: .error, code: SafetyFinding.Code.conflictingSelectors,
                        message: "the Sidecars \(names.joined(separator: ", ")) in namespace \(pod.namespace) all select "
                            + "pod \(pod.name); which one applies is undefined. Merge them or make the selectors disjoint.",
                        subject: "Sidecar \(sidecar.meta.qualifiedName)"))
            }
        }
        for namespace in namespaceSidecars.keys.sorted() {
            guard let sidecars = namespaceSidecars[namespace] else { continue }
            if let ns = inventory.namespaces.first(where: { $0.name == namespace }), Self.isAmbient(ns) {
                for sidecar in sidecars where reported.insert(sidecar.meta.qualifiedName).inserted {
                    findings.append(ambientNamespaceFinding(namespace: namespace, subject: "Sidecar \(sidecar.meta.qualifiedName)"))
                }
                continue
            }
            guard sidecars.count > 1 else { continue }
            for sidecar in sidecars {
                findings.append(
                    multipleWithoutSelector(
                        names: sidecars.map(\.meta.name), namespace: namespace, subject: "Sidecar \(sidecar.meta.qualifiedName)"))
            }
        }
        // Sidecars without effect (ambient) get only that finding, as in the single-Sidecar check.
        let ineffective = Set(findings.filter { $0.code == SafetyFinding.Code.ineffectiveInAmbient }.compactMap(\.subject))
        findings.removeAll { $0.code != SafetyFinding.Code.ineffectiveInAmbient && ineffective.contains($0.subject ?? "") }
        return Self.ordered(findings)
    }

    // MARK: Checks

    /// MT0001: observed destinations the Sidecar no longer imports. Under `REGISTRY_ONLY` their calls go to
    /// `BlackHoleCluster` (error); under `ALLOW_ANY` to `PassthroughCluster` as plain TCP, without mTLS or routing,
    /// which fails where mTLS is STRICT or policies check the caller's identity (warning).
    private func cutTraffic(sidecar: Sidecar, impact: EgressImpact?, subject: String) -> [SafetyFinding] {
        let computed = impact ?? analysis.impact(
            namespace: sidecar.meta.namespace, workloadSelector: sidecar.workloadSelector?.matchLabels,
            hosts: sidecar.allEgressHosts, name: sidecar.meta.name)
        let cut = computed.cutDestinations
        guard !cut.isEmpty else { return [] }
        let policy = sidecar.outboundTrafficPolicy ?? inventory.meshConfig.outboundTrafficPolicy
        let severity: SafetyFinding.Severity = policy == .registryOnly ? .error : .warning
        let consequence = policy == .registryOnly
            ? "REGISTRY_ONLY sends them to BlackHoleCluster"
            : "they would leave through PassthroughCluster without mTLS or routing"
        var findings: [SafetyFinding] = cut.prefix(Self.listedCutDestinations).map { destination in
            let pods = destination.pods.count <= 3
                ? destination.pods.joined(separator: ", ")
                : destination.pods.prefix(3).joined(separator: ", ") + " and \(destination.pods.count - 3) more"
            let host = destination.namespace.map { "\($0)/\(destination.host)" } ?? "*/\(destination.host)"
            return SafetyFinding(
                severity: severity, code: SafetyFinding.Code.cutsObservedTraffic,
                message: "\(destination.host): \(Self.grouped(destination.requests)) requests from \(pods) would be cut "
                    + "(\(consequence)); add \"\(host)\" to keep them.",
                subject: subject)
        }
        if cut.count > Self.listedCutDestinations {
            let rest = cut.dropFirst(Self.listedCutDestinations)
            findings.append(
                SafetyFinding(
                    severity: severity, code: SafetyFinding.Code.cutsObservedTraffic,
                    message: "\(rest.count) more destinations: \(Self.grouped(rest.reduce(0) { $0 + $1.requests })) requests would be "
                        + "cut; the preset \"observed traffic\" keeps every one of them.",
                    subject: subject))
        }
        return findings
    }

    /// MT0002: a restricting Sidecar that does not import the istiod namespace.
    private func istiodFinding(for sidecar: Sidecar, subject: String) -> SafetyFinding? {
        guard !sidecar.egress.isEmpty else { return nil }  // no egress imports */*, the istiod namespace included
        let istiod = inventory.istiodNamespace
        let isRoot = sidecar.meta.namespace == inventory.meshConfig.rootNamespace && sidecar.workloadSelector == nil
        // In the root Sidecar "." means each proxy's own namespace, so only "*" and the name itself count there.
        let configNamespace = isRoot ? "" : sidecar.meta.namespace
        let known = inventory.services.filter { $0.namespace == istiod }.map(\.hostname)
        let hosts = known.isEmpty ? ["istiod.\(istiod).svc.cluster.local"] : known
        let version = inventory.istioVersion ?? .defaultVersion
        for listener in sidecar.egress {
            let parsed = ListenerHosts(listener.hosts, configNamespace: configNamespace, version: version)
            if hosts.contains(where: { parsed.importingEntry(hostname: $0, namespace: istiod) != nil }) { return nil }
        }
        return SafetyFinding(
            severity: .warning, code: SafetyFinding.Code.istiodNamespaceNotImported,
            message: "does not import the istiod namespace \(istiod): services there (egress gateway, telemetry "
                + "collectors, istiod's own ports) become unreachable through the sidecar (istio/istio#12237); "
                + "add \"\(istiod)/*\". xDS and certificates still flow, through istio-agent.",
            subject: subject)
    }

    /// MT0003: istio/istio#59376.
    private func noEgressFinding(for sidecar: Sidecar, subject: String) -> SafetyFinding? {
        guard let selector = sidecar.workloadSelector, !selector.matchLabels.isEmpty, sidecar.egress.isEmpty else { return nil }
        return SafetyFinding(
            severity: .warning, code: SafetyFinding.Code.workloadSidecarWithoutEgress,
            message: "selects \(selector.description) but has no egress, so those workloads import every service "
                + "(*/*), not the namespace's or the root namespace's restriction (istio/istio#59376); list egress hosts.",
            subject: subject)
    }

    /// MT0004 and MT0005: Sidecars in the root namespace.
    private func rootNamespaceFindings(for sidecar: Sidecar, subject: String, includeInfo: Bool = true) -> [SafetyFinding] {
        let root = inventory.meshConfig.rootNamespace
        guard sidecar.meta.namespace == root else { return [] }
        if let selector = sidecar.workloadSelector, !selector.matchLabels.isEmpty {
            return [
                SafetyFinding(
                    severity: .warning, code: SafetyFinding.Code.rootSidecarWithSelector,
                    message: "is in the root namespace \(root) with a workloadSelector, so it applies only to workloads "
                        + "in \(root), not mesh-wide; drop the selector for a mesh-wide default or move it to the "
                        + "workloads' namespace.",
                    subject: subject)
            ]
        }
        guard includeInfo else { return [] }
        // The namespaces where Istio would select this Sidecar for at least one sidecar (a namespace whose only
        // Sidecars select some workloads still counts), by the engine's selection rule, as the editor's impact does.
        var selections: [PlanEvaluator.SelectionKey: Bool] = [:]
        var covered = Set<String>()
        for pod in inventory.pods where pod.hasSidecarProxy && !covered.contains(pod.namespace) {
            let key = PlanEvaluator.SelectionKey(namespace: pod.namespace, labels: pod.labels)
            let selected = selections[key]
                ?? (analysis.engine.selectSidecar(namespace: pod.namespace, labels: pod.labels, candidate: sidecar)
                    .sidecar?.meta.qualifiedName == sidecar.meta.qualifiedName)
            selections[key] = selected
            if selected { covered.insert(pod.namespace) }
        }
        return [
            SafetyFinding(
                severity: .info, code: SafetyFinding.Code.meshWideSidecar,
                message: "is the mesh-wide default: it applies to every namespace without a Sidecar of its own "
                    + "(\(covered.count) namespace(s) with sidecars here), with \".\" meaning each proxy's namespace.",
                subject: subject)
        ]
    }

    /// IST0167 for a Sidecar in an ambient namespace or selecting ambient pods; `isTotal` when it has no effect at
    /// all (ambient namespace, or every selected pod ambient).
    private func ambientFinding(for sidecar: Sidecar, subject: String) -> (finding: SafetyFinding, isTotal: Bool)? {
        if let selector = sidecar.workloadSelector, !selector.matchLabels.isEmpty {
            let selected = selectedPods(by: selector, in: sidecar.meta.namespace)
            let ambientPods = selected.filter(Self.isAmbient)
            guard !ambientPods.isEmpty else { return nil }
            return (ambientWorkloadFinding(pods: ambientPods.map(\.name), subject: subject), ambientPods.count == selected.count)
        }
        guard let namespace = inventory.namespaces.first(where: { $0.name == sidecar.meta.namespace }),
            Self.isAmbient(namespace)
        else { return nil }
        return (ambientNamespaceFinding(namespace: namespace.name, subject: subject), true)
    }

    private func ambientWorkloadFinding(pods: [String], subject: String) -> SafetyFinding {
        SafetyFinding(
            severity: .warning, code: SafetyFinding.Code.ineffectiveInAmbient,
            message: "has no effect: the selected workload (\(Self.list(pods))) is in ambient mode, which has no "
                + "sidecar to configure; remove the Sidecar or target sidecar workloads.",
            subject: subject)
    }

    private func ambientNamespaceFinding(namespace: String, subject: String) -> SafetyFinding {
        SafetyFinding(
            severity: .warning, code: SafetyFinding.Code.ineffectiveInAmbient,
            message: "has no effect: namespace \(namespace) is in ambient mode (istio.io/dataplane-mode=ambient), "
                + "which has no sidecars to configure; remove the Sidecar.",
            subject: subject)
    }

    /// IST0110 and IST0111 for a candidate against the namespace's other Sidecars.
    private func conflicts(of sidecar: Sidecar, with others: [Sidecar], subject: String) -> [SafetyFinding] {
        let namespace = sidecar.meta.namespace
        guard let selector = sidecar.workloadSelector, !selector.matchLabels.isEmpty else {
            let rivals = others.filter { $0.workloadSelector?.matchLabels.isEmpty ?? true }
            guard !rivals.isEmpty else { return [] }
            return [
                multipleWithoutSelector(
                    names: [sidecar.meta.name] + rivals.map(\.meta.name), namespace: namespace, subject: subject, proposed: true)
            ]
        }
        let mine = selectedPods(by: selector, in: namespace)
        var findings: [SafetyFinding] = []
        for other in others {
            guard let theirs = other.workloadSelector, !theirs.matchLabels.isEmpty else { continue }
            let shared = mine.filter { theirs.matches($0.labels) && !Self.isAmbient($0) }
            guard !shared.isEmpty else { continue }
            findings.append(
                SafetyFinding(
                    severity: .error, code: SafetyFinding.Code.conflictingSelectors,
                    message: "selects pod\(shared.count == 1 ? "" : "s") \(Self.list(shared.map(\.name))), which Sidecar "
                        + "\(other.meta.qualifiedName) (\(theirs.description)) also selects; which one applies is undefined. Reuse the name "
                        + "\(other.meta.name) to replace it, or make the selectors disjoint.",
                    subject: subject))
        }
        return findings
    }

    private func multipleWithoutSelector(names: [String], namespace: String, subject: String, proposed: Bool = false) -> SafetyFinding {
        SafetyFinding(
            severity: .error, code: SafetyFinding.Code.multipleWithoutSelector,
            message: "namespace \(namespace) \(proposed ? "would have" : "has") several Sidecars without a workloadSelector "
                + "(\(names.sorted().joined(separator: ", "))); only the oldest applies. Keep one (name it "
                + "\"default\") and delete or replace the others.",
            subject: subject)
    }

    private func noPodFinding(selector: LabelSelector, namespace: String, subject: String) -> SafetyFinding {
        SafetyFinding(
            severity: .warning, code: SafetyFinding.Code.selectorMatchesNoPod,
            message: "the workloadSelector \(selector.description) selects no pod in namespace \(namespace); check the "
                + "labels (selectors only match pods of the Sidecar's own namespace).",
            subject: subject)
    }

    // MARK: Helpers

    /// The pods a Sidecar's selector applies to: gateways never count (Istio applies no Sidecar to them).
    private func selectedPods(by selector: LabelSelector, in namespace: String) -> [Pod] {
        inventory.pods.filter { $0.namespace == namespace && !$0.isGateway && selector.matches($0.labels) }
    }

    /// Istio's `PodInAmbientMode`: the CNI redirects the pod's traffic to ztunnel.
    static func isAmbient(_ pod: Pod) -> Bool {
        pod.meta.annotations["ambient.istio.io/redirection"] == "enabled"
    }

    /// Istio's `NamespaceInAmbientMode`: the ambient label, and no sidecar-injection label that overrides it.
    static func isAmbient(_ namespace: MeshNamespace) -> Bool {
        namespace.isAmbient && !namespace.isInjectionEnabled
    }

    /// `69,921,838`: thousands grouped with commas, whatever the locale.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return (number < 0 ? "-" : "") + text
    }

    private static func list(_ names: [String]) -> String {
        names.count <= 4 ? names.joined(separator: ", ") : names.prefix(4).joined(separator: ", ") + " and \(names.count - 4) more"
    }

    /// Errors first, then warnings, then infos; the check order within a severity.
    private static func ordered(_ findings: [SafetyFinding]) -> [SafetyFinding] {
        findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
    }
}

extension MeshAnalysis {
    /// Safety findings for a Sidecar meshtrim is about to write or apply (see ``SidecarSafetyChecker``).
    public func safetyFindings(for manifest: SidecarManifest) -> [SafetyFinding] {
        SidecarSafetyChecker(analysis: self).findings(for: manifest.sidecar)
    }

    /// Safety findings for a manifest whose impact is already known (the preview has it).
    public func safetyFindings(for manifest: SidecarManifest, impact: EgressImpact) -> [SafetyFinding] {
        SidecarSafetyChecker(analysis: self).findings(for: manifest.sidecar, impact: impact)
    }

    /// Safety findings for any Sidecar (e.g. one read from a file).
    public func safetyFindings(for sidecar: Sidecar) -> [SafetyFinding] {
        SidecarSafetyChecker(analysis: self).findings(for: sidecar)
    }

    /// What the checks say about the Sidecars already in the mesh, like `istioctl analyze`.
    public func safetyFindings() -> [SafetyFinding] {
        SidecarSafetyChecker(analysis: self).lint()
    }
}
