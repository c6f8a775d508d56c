import Foundation

/// `meshtrim check`: the Sidecars under some paths evaluated against a mesh as if they were all applied at once,
/// with the engine of `scope --sidecar`, the editor and `meshtrim plan`.
///
/// ```swift
/// let report = SidecarCheck(analysis: analysis).run(sidecars, options: .init(requireScope: true))
/// print(report.text(strict: false)); exit(report.fails(strict: false) ? 1 : 0)
/// ```
///
/// Pure. Findings: Istio's webhook rules and meshtrim's validator (``SidecarValidator``); the safety checks
/// (``SidecarSafetyChecker``, with the other Sidecars under the paths in view); every pod whose observed traffic
/// would be cut (``PlanEvaluator``: one selection per namespace and labels, one scope per namespace and Sidecar);
/// with ``Options/requireScope``, namespaces whose sidecars still import every service; with ``Options/drift``,
/// Sidecars that differ from the mesh's.
public struct SidecarCheck: Sendable {
    /// What to look for beyond the webhook, the safety checks and cut traffic.
    public struct Options: Hashable, Sendable {
        /// Report every namespace with sidecars whose effective scope imports every service (`*/*`).
        public var requireScope: Bool
        /// Report every Sidecar that differs from the one of the same name in the mesh, or is not there.
        public var drift: Bool
        /// The namespace of a Sidecar that names none (as `kubectl apply` without `-n`).
        public var defaultNamespace: String

        /// Makes options.
        public init(requireScope: Bool = false, drift: Bool = false, defaultNamespace: String = "default") {
            self.requireScope = requireScope
            self.drift = drift
            self.defaultNamespace = defaultNamespace
        }
    }

    /// The mesh as it is.
    public let analysis: MeshAnalysis
    /// Traffic per namespace (e.g. from Prometheus); a namespace without an entry uses its sidecars' counters.
    public let evidence: [String: TrafficEvidence]

    /// How many changed lines a drift finding shows before it sums up the rest.
    public static let shownDriftLines = 6

    /// Makes a check against `analysis`.
    public init(analysis: MeshAnalysis, evidence: [String: TrafficEvidence] = [:]) {
        self.analysis = analysis
        self.evidence = evidence
    }

    /// Checks `sidecars` (in the order read) as if all were applied.
    public func run(_ sidecars: [CheckedSidecar], options: Options = Options()) -> CheckReport {
        var checked: [CheckedSidecar] = []
        var findings: [String: [CheckFinding]] = [:]
        var firstSeen: [String: CheckedSidecar] = [:]
        var order: [String] = []
        for var item in sidecars {
            if item.document.sidecar.meta.namespace.isEmpty {
                item.document.sidecar.meta.namespace = options.defaultNamespace
                findings[item.qualifiedName, default: []].append(
                    finding(
                        item, .warning, CheckFinding.Code.noNamespace,
                        "has no metadata.namespace: checked in namespace \(options.defaultNamespace), where kubectl apply "
                            + "without -n puts it; name the namespace in the file"))
            }
            let name = item.qualifiedName
            if let earlier = firstSeen[name] {
                findings[name, default: []].append(
                    finding(
                        item, .error, CheckFinding.Code.duplicate,
                        "Sidecar \(name) is also defined at \(earlier.file):\(earlier.document.line); keep one of them "
                            + "(this one is checked, as kubectl applies the later)"))
                checked.removeAll { $0.qualifiedName == name }
            } else {
                firstSeen[name] = item
                order.append(name)
            }
            checked.append(item)
        }
        let byName = Dictionary(checked.map { ($0.qualifiedName, $0) }, uniquingKeysWith: { _, later in later })

        // The mesh's Sidecars with the checked ones applied: a replacement keeps its creation time, a new one is
        // younger than every existing one (as MeshPlanner evaluates its drafts).
        let existing = Dictionary(analysis.inventory.sidecars.map { ($0.meta.qualifiedName, $0) }, uniquingKeysWith: { first, _ in first })
        var applied = analysis.inventory.sidecars.filter { byName[$0.meta.qualifiedName] == nil }
        for item in checked {
            var sidecar = item.document.sidecar
            sidecar.original = item.document.original
            sidecar.meta.creationTimestamp = existing[item.qualifiedName]?.meta.creationTimestamp ?? Date.distantFuture
            applied.append(sidecar)
        }

        let validator = SidecarValidator(version: analysis.engine.version)
        let safety = SidecarSafetyChecker(analysis: analysis, sidecars: applied)
        for item in checked {
            let sidecar = applied.first { $0.meta.qualifiedName == item.qualifiedName } ?? item.document.sidecar
            let safetyFindings = safety.findings(for: sidecar, impact: noCuts(sidecar)).filter { $0.severity != .info }
            // A safety check with the same code says the same thing about this Sidecar, with the mesh in view.
            let safetyCodes = Set(safetyFindings.map(\.code))
            let problems = validator.validate(item.document, spec: item.document.spec)
                .filter { $0.code.map { !safetyCodes.contains($0) } ?? true }
            findings[item.qualifiedName, default: []] += problems.map { problem in
                var text = problem.location.description
                if !text.isEmpty { text += ": " }
                text += problem.message + (problem.hint.map { " (\($0))" } ?? "")
                return CheckFinding(
                    file: item.file, line: item.document.line(of: problem.location),
                    severity: problem.severity == .error ? .error : .warning, code: problem.code ?? CheckFinding.Code.webhook,
                    message: text, namespace: sidecar.meta.namespace, sidecar: item.qualifiedName)
            }
            findings[item.qualifiedName, default: []] += safetyFindings.map { safetyFinding in
                finding(item, safetyFinding.severity == .error ? .error : .warning, safetyFinding.code, safetyFinding.message)
            }
        }

        for (name, cut) in cutFindings(applied: applied, changed: Set(byName.keys), byName: byName) {
            findings[name, default: []] += cut
        }
        if options.drift {
            for item in checked { findings[item.qualifiedName, default: []] += drift(item, existing: existing[item.qualifiedName]).map { [$0] } ?? [] }
        }
        var ordered = order.flatMap { findings[$0] ?? [] }
        if options.requireScope { ordered += scopeFindings(applied: applied, byName: byName) }
        return CheckReport(findings: ordered, sidecars: order.compactMap { byName[$0] }, source: analysis.source)
    }

    // MARK: Findings

    private func finding(_ item: CheckedSidecar, _ severity: CheckFinding.Severity, _ code: String, _ message: String) -> CheckFinding {
        CheckFinding(
            file: item.file, line: item.document.line, severity: severity, code: code, message: message,
            namespace: item.document.sidecar.meta.namespace, sidecar: item.qualifiedName)
    }

    /// An impact with no cut destinations: the safety checker then leaves MT0001 to ``cutFindings``, which sees the
    /// other checked Sidecars too.
    private func noCuts(_ sidecar: Sidecar) -> EgressImpact {
        EgressImpact(
            sidecar: sidecar, changes: [], unaffectedPods: [], clustersBefore: 0, clustersAfter: 0, memoryBeforeBytes: 0,
            memoryAfterBytes: 0, cutDestinations: [], notes: [], memoryBasis: analysis.memoryModel.basis)
    }

    /// MT0001 per pod and destination: observed traffic to a registry service the pod's Sidecar afterwards no longer
    /// imports, by the Sidecar under the paths that governs the pod. Always an error, whatever the outbound policy
    /// (as `meshtrim plan`'s invariant): under `ALLOW_ANY` the calls lose mTLS and routing; the message says which.
    private func cutFindings(applied: [Sidecar], changed: Set<String>, byName: [String: CheckedSidecar]) -> [(String, [CheckFinding])] {
        let planner = MeshPlanner(analysis: analysis)
        let evaluator = planner.setUp(recommender: EgressRecommender(analysis: analysis), evidence: evidence).evaluator
        let result = evaluator.evaluate(sidecars: applied, changed: changed)
        var output: [(String, [CheckFinding])] = []
        for governing in result.cutEntries.keys.sorted() {
            guard let item = byName[governing], let entries = result.cutEntries[governing] else { continue }
            var requests: [String: Int] = [:]
            var keys: [String: (pod: String, service: String, hostname: String)] = [:]
            for entry in entries {
                let key = "\(entry.sender)|\(entry.serviceKey)"
                requests[key, default: 0] += entry.requests
                keys[key] = (entry.sender, entry.serviceKey, entry.hostname)
            }
            let sidecar = applied.first { $0.meta.qualifiedName == governing }
            let policy = sidecar?.outboundTrafficPolicy ?? analysis.inventory.meshConfig.outboundTrafficPolicy
            let consequence = policy == .registryOnly
                ? "REGISTRY_ONLY sends them to BlackHoleCluster"
                : "they would leave through PassthroughCluster without mTLS or routing"
            let sorted = requests.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            output.append((governing, sorted.compactMap { key, count -> CheckFinding? in
                guard let cut = keys[key] else { return nil }
                return CheckFinding(
                    file: item.file, line: item.document.line, severity: .error, code: SafetyFinding.Code.cutsObservedTraffic,
                    message: "pod \(cut.pod) sent \(CountFormat.thousands(count)) requests to \(cut.hostname), which Sidecar "
                        + "\(governing) would no longer import (\(consequence)); add \"\(cut.service)\" to its egress hosts",
                    namespace: item.document.sidecar.meta.namespace, sidecar: governing, pod: cut.pod, destination: cut.service)
            }))
        }
        return output
    }

    /// MT0202: the checked Sidecar against the mesh's Sidecar of the same name, both reduced to the fields a person
    /// compares (as `meshtrim apply`'s diff), with the changed lines.
    private func drift(_ item: CheckedSidecar, existing: Sidecar?) -> CheckFinding? {
        let namespace = item.document.sidecar.meta.namespace
        guard let existing else {
            return finding(
                item, .warning, CheckFinding.Code.drift,
                "is not in \(analysis.source): applying it creates Sidecar \(item.qualifiedName)")
        }
        let mine = ApplyDiff.comparableLines(ofYAML: item.document.original.yamlText, namespace: namespace)
        let theirs = ApplyDiff.comparableLines(ofYAML: SidecarManifest.yaml(of: existing), namespace: namespace)
        var onlyThere: [String] = []
        var onlyHere: [String] = []
        for line in LineDiff.unified(from: theirs, to: mine, context: 0) {
            switch line {
            case .added(let text): onlyHere.append(Self.shortLine(text))
            case .removed(let text): onlyThere.append(Self.shortLine(text))
            case .context, .hunk: break
            }
        }
        guard !onlyThere.isEmpty || !onlyHere.isEmpty else { return nil }
        func listed(_ lines: [String], _ label: String) -> String? {
            guard !lines.isEmpty else { return nil }
            let rest = lines.count > Self.shownDriftLines ? ", … (\(lines.count - Self.shownDriftLines) more)" : ""
            return label + lines.prefix(Self.shownDriftLines).joined(separator: ", ") + rest
        }
        let parts = [listed(onlyThere, "only in \(analysis.source): "), listed(onlyHere, "only here: ")].compactMap { $0 }
        var result = finding(
            item, .warning, CheckFinding.Code.drift,
            "differs from Sidecar \(existing.meta.qualifiedName) in \(analysis.source): \(parts.joined(separator: "; "))")
        // A host only the file has is where to look first.
        let added = Set(onlyHere.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) })
        if let line = Self.firstHostLine(item.document, where: added.contains) { result.line = line }
        return result
    }

    /// The line of the first egress host of `document` that `matches`.
    static func firstHostLine(_ document: SidecarDocument, where matches: (String) -> Bool) -> Int? {
        for (position, listener) in document.sidecar.egress.enumerated() {
            let raw = document.details.egressListenerIndices.indices.contains(position)
                ? document.details.egressListenerIndices[position] : position
            if let index = listener.hosts.firstIndex(where: matches) {
                return document.line(of: .egressHost(listener: raw, index: index, host: listener.hosts[index]))
            }
        }
        return nil
    }

    /// A changed YAML line without its indent and list dash: `notifications/*`, `mode: REGISTRY_ONLY`.
    private static func shortLine(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("- ") ? String(trimmed.dropFirst(2)) : trimmed
    }

    /// MT0201: namespaces whose sidecars, once the Sidecars are applied, still import every service: no Sidecar
    /// applies, the one that does has no egress, or it lists `*/*`.
    private func scopeFindings(applied: [Sidecar], byName: [String: CheckedSidecar]) -> [CheckFinding] {
        var inventory = analysis.inventory
        inventory.sidecars = applied
        let engine = ScopeEngine(inventory: inventory, istioVersion: analysis.engine.version)
        var selections: [PlanEvaluator.SelectionKey: Sidecar?] = [:]
        // Per namespace, per governing Sidecar ("" for none): how many sidecars import everything.
        var open: [String: [String: (sidecar: Sidecar?, count: Int)]] = [:]
        for summary in analysis.pods where MeshPlanner.isScoped(summary.pod) {
            let pod = summary.pod
            let key = PlanEvaluator.SelectionKey(namespace: pod.namespace, labels: pod.labels)
            let sidecar: Sidecar?
            if let known = selections[key] {
                sidecar = known
            } else {
                sidecar = engine.selectSidecar(namespace: pod.namespace, labels: pod.labels).sidecar
                selections[key] = .some(sidecar)
            }
            guard Self.importsEverything(sidecar) else { continue }
            let name = sidecar?.meta.qualifiedName ?? ""
            let current = open[pod.namespace, default: [:]][name] ?? (sidecar, 0)
            open[pod.namespace, default: [:]][name] = (current.sidecar, current.count + 1)
        }
        var findings: [CheckFinding] = []
        for namespace in open.keys.sorted() {
            for (name, entry) in (open[namespace] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let count = "\(entry.count) sidecar\(entry.count == 1 ? "" : "s")"
                guard let sidecar = entry.sidecar else {
                    findings.append(
                        CheckFinding(
                            file: nil, line: nil, severity: .error, code: CheckFinding.Code.importsEverything,
                            message: "namespace \(namespace): \(count) import every service (*/*): no Sidecar applies to them; "
                                + "add one for the namespace (meshtrim recommend -n \(namespace)) or a mesh-wide default in "
                                + "\(inventory.meshConfig.rootNamespace)",
                            namespace: namespace))
                    continue
                }
                let why = sidecar.egress.isEmpty ? "it has no egress, which imports */*" : "it lists \"*/*\""
                let message = "namespace \(namespace): \(count) import every service (*/*) through Sidecar \(name): \(why); "
                    + "list the hosts they need (meshtrim recommend -n \(namespace))"
                let item = byName[name]
                findings.append(
                    CheckFinding(
                        file: item?.file, line: item.map { Self.everythingLine($0.document) }, severity: .error,
                        code: CheckFinding.Code.importsEverything, message: message, namespace: namespace, sidecar: name))
            }
        }
        return findings
    }

    /// Whether a proxy under `sidecar` imports every service: no Sidecar, no egress, or a `*/*` host without
    /// exclusions in a listener.
    static func importsEverything(_ sidecar: Sidecar?) -> Bool {
        guard let sidecar, !sidecar.egress.isEmpty else { return true }
        return sidecar.egress.contains { listener in
            listener.hosts.contains("*/*") && !listener.hosts.contains { $0.hasPrefix("~") }
        }
    }

    /// The line of the first `*/*` host of a document, else of the Sidecar.
    static func everythingLine(_ document: SidecarDocument) -> Int {
        firstHostLine(document) { $0 == "*/*" } ?? document.line
    }
}
