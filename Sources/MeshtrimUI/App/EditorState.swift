import MeshtrimCore

/// Whom a Sidecar is for: a whole namespace, or the workloads matching labels the person picked.
public struct EditorTarget: Hashable, Sendable, CustomStringConvertible {
    /// The namespace the Sidecar lives in.
    public var namespace: String
    /// `spec.workloadSelector.labels`; `nil` for a namespace-wide Sidecar.
    public var workloadSelector: [String: String]?
    /// The workload's name (used in the Sidecar's name and file name); `nil` for namespace-wide.
    public var workload: String?

    /// Makes a target.
    public init(namespace: String, workloadSelector: [String: String]? = nil, workload: String? = nil) {
        self.namespace = namespace
        self.workloadSelector = workloadSelector
        self.workload = workload
    }

    /// `bookinfo`, or `bookinfo app=reviews` for a workload.
    public var description: String {
        guard let selector = workloadSelector, !selector.isEmpty else { return namespace }
        return namespace + " " + LabelSelector(selector).description
    }
}

/// One row of the egress editor.
public enum EditorRow: Hashable, Sendable {
    /// A section title (not selectable).
    case section(String)
    /// `./*`: the Sidecar's own namespace.
    case currentNamespace
    /// `<istiod namespace>/*`.
    case istiodNamespace(String)
    /// A namespace (`ns/*`), expandable to its services.
    case namespace(String)
    /// One service (`ns/fqdn`) of an expanded namespace.
    case service(namespace: String, hostname: String)
    /// A host typed by the person (or chosen by a preset) that no other row stands for.
    case custom(String)
    /// "add a custom host…" (opens the prompt).
    case addCustom

    /// Whether the cursor can rest here.
    public var isSelectable: Bool {
        if case .section = self { return false }
        return true
    }

    /// The egress host this row toggles, `nil` for titles and the add row.
    public var host: String? {
        switch self {
        case .section, .addCustom: return nil
        case .currentNamespace: return "./*"
        case .istiodNamespace(let namespace): return namespace + "/*"
        case .namespace(let namespace): return namespace + "/*"
        case .service(let namespace, let hostname): return namespace + "/" + hostname
        case .custom(let host): return host
        }
    }
}

/// How a row's host stands in the selection.
public enum HostMark: Hashable, Sendable {
    /// Chosen explicitly (☑).
    case selected
    /// Not chosen, but another chosen host already imports it (✓).
    case covered
    /// Not imported (☐).
    case unselected
}

/// The egress editor: the hosts a person chose for one namespace or workload, and what that choice would do.
///
/// ``impact`` is recomputed by the reducer only when ``hosts`` changes, never while rendering.
public struct EditorState: Hashable, Sendable {
    /// Whom the Sidecar is for.
    public var target: EditorTarget
    /// `metadata.name` of the Sidecar to write.
    public var sidecarName: String
    /// The Sidecar with the same name that the new one would replace, if any.
    public var replaces: Sidecar?
    /// The chosen egress hosts, in the order they will be written.
    public var hosts: [String]
    /// Hosts shown in the custom section (typed, or from a preset with no row of their own).
    public var customHosts: [String]
    /// Namespaces whose services are shown.
    public var expanded: Set<String>
    /// The rows, recomputed when expansion or custom hosts change.
    public var rows: [EditorRow]
    /// The row the cursor is on.
    public var cursor: Int
    /// The first row on screen.
    public var offset: Int
    /// What the current hosts would do (clusters, memory, cut traffic).
    public var impact: EgressImpact
    /// Observed requests by destination as an egress host (`ns/fqdn`), summed over the targeted pods.
    public var observedByHost: [String: Int]
    /// Observed requests by destination namespace.
    public var observedByNamespace: [String: Int]
    /// The hosts the editor opened with: `esc` asks before throwing away a selection that differs.
    public var initialHosts: [String]
    /// The mesh's Istio version, which decides how ``hosts`` read (`~` exclusions from 1.31 on).
    public var version: IstioVersion
    /// Set when the editor edits the mesh-wide default (`ROOT/default`, no selector): its mesh-wide impact.
    public var meshDefault: MeshDefaultEditing?
    /// The target namespace's scope by service namespace, made when the editor opens (``MeshAnalysis/egressImpactBlocks(namespace:)``):
    /// a toggle adds blocks instead of evaluating the candidate's imports again; `nil` where the scope depends on
    /// labels.
    public var impactBlocks: EgressImpactBlocks?
    /// The `apiVersion` the written Sidecar says: the cluster's served version when it does not serve `v1`
    /// (``MeshInventory/servedSidecarAPIVersion``), `nil` for the usual `networking.istio.io/v1`.
    public var apiVersion: String?

    /// Makes an editor state.
    public init(
        target: EditorTarget, sidecarName: String, replaces: Sidecar?, hosts: [String], customHosts: [String],
        expanded: Set<String>, rows: [EditorRow], cursor: Int, offset: Int, impact: EgressImpact,
        observedByHost: [String: Int], observedByNamespace: [String: Int], initialHosts: [String]? = nil,
        version: IstioVersion = .defaultVersion, apiVersion: String? = nil
    ) {
        self.target = target
        self.sidecarName = sidecarName
        self.replaces = replaces
        self.hosts = hosts
        self.customHosts = customHosts
        self.expanded = expanded
        self.rows = rows
        self.cursor = cursor
        self.offset = offset
        self.impact = impact
        self.observedByHost = observedByHost
        self.observedByNamespace = observedByNamespace
        self.initialHosts = initialHosts ?? hosts
        self.version = version
        self.apiVersion = apiVersion
    }

    /// Whether the selection differs from the one the editor opened with (leaving would lose it).
    public var hasChanges: Bool { hosts != initialHosts }

    /// The row under the cursor.
    public var currentRow: EditorRow? {
        rows.indices.contains(cursor) ? rows[cursor] : nil
    }

    /// The hosts of cut destinations, for marking rows.
    public var cutHosts: Set<String> { Set(impact.cutDestinations.map(\.host)) }

    /// How `row` stands in the selection: ✓ (covered) comes from the scope engine's own rule
    /// (``ListenerHosts``), so a `~` exclusion takes the mark away exactly where the engine stops importing.
    public func mark(for row: EditorRow) -> HostMark {
        guard let host = row.host else { return .unselected }
        if hosts.contains(host) { return .selected }
        // In the mesh default `.` is each proxy's own namespace, never one namespace row.
        let listener = ListenerHosts(hosts, configNamespace: isMeshDefault ? "" : target.namespace, version: version)
        let covered: Bool
        switch row {
        case .namespace(let namespace), .istiodNamespace(let namespace):
            covered = listener.importsEveryService(of: namespace)
        case .currentNamespace:
            covered = listener.importsEveryService(of: target.namespace)
        case .service(let namespace, let hostname):
            covered = listener.importingEntry(hostname: hostname, namespace: namespace) != nil
        default:
            covered = false
        }
        return covered ? .covered : .unselected
    }

    /// The manifest the current choice would write.
    public var manifest: SidecarManifest {
        SidecarManifest(
            namespace: target.namespace, hosts: hosts, name: sidecarName, workload: target.workload,
            workloadSelector: target.workloadSelector ?? [:],
            egressPort: nil, outboundTrafficPolicy: replaces?.outboundTrafficPolicy,
            replacing: replaces.flatMap { ($0.workloadSelector?.matchLabels ?? [:]) == (target.workloadSelector ?? [:]) ? $0 : nil },
            apiVersion: apiVersion)
    }
}
