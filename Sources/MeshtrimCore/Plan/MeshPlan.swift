import Foundation

/// A complete, safe change for the whole mesh: the mesh-wide default Sidecar, the namespace (and, optionally,
/// workload) Sidecars that keep every observed destination, the order to roll them out in, and what it saves.
///
/// Made by ``MeshPlanner``; printed by `meshtrim plan` (table, JSON, YAML) and written by `--out DIR`. Totals are
/// the sums of the Sidecars' own figures: every affected sidecar counts under exactly one planned Sidecar (the one
/// Istio would select for it once the whole plan is applied).
public struct MeshPlan: Hashable, Sendable {
    /// The mesh-wide default (`ROOT/default` without a selector), planned or the existing one kept.
    public var meshDefault: PlannedSidecar
    /// Every Sidecar the plan writes (new ones and, with replace-existing, updates), mesh default first, then by wave,
    /// namespace and name. The existing mesh default, when kept, is not among them.
    public var sidecars: [PlannedSidecar]
    /// The rollout order.
    public var waves: [PlanWave]
    /// Observed traffic that no Sidecar host can keep (PassthroughCluster, hosts outside the registry, services
    /// outside the proxy's scope already today), with the pods that sent it.
    public var unknownDestinations: [PlanUnknownDestination]
    /// Existing Sidecars: kept as they are, or updated (with replace-existing).
    public var existing: [ExistingSidecarReport]
    /// The sums.
    public var totals: PlanTotals
    /// The memory model the byte figures come from.
    public var memoryModel: MemoryModel
    /// Where the traffic came from (`sidecar counters (since each proxy started)`, `prometheus …`).
    public var trafficSource: String
    /// Explanations: unobserved sidecars, repairs the invariant check made, gateways left out, the wave order.
    public var notes: [String]
    /// The options the plan was made with.
    public var options: MeshPlanner.Options
    /// The sidecars (`namespace/pod`) whose traffic could not be read (no counters, or missing from Prometheus'
    /// answer), by namespace: destinations only they use are not protected, so `meshtrim plan` refuses without
    /// `--allow-partial`. Found while the plan collects its evidence, so nothing reads the counters twice.
    public var unreadSidecars: [String] = []

    /// Whether the plan keeps every observed destination (``PlanTotals/cuts`` is empty): the plan's invariant.
    public var keepsEveryObservedDestination: Bool { totals.cuts.isEmpty }

    /// The planned Sidecar with this `namespace/name`.
    public func sidecar(named qualifiedName: String) -> PlannedSidecar? {
        sidecars.first { $0.qualifiedName == qualifiedName }
    }
}

/// One Sidecar of a plan and what it does to the sidecars Istio would select it for.
public struct PlannedSidecar: Hashable, Sendable {
    /// What kind of Sidecar it is.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The root namespace's Sidecar without a selector: every sidecar without a Sidecar of its own gets it.
        case meshDefault = "mesh-default"
        /// A namespace's own Sidecar (no selector).
        case namespace
        /// A Sidecar for the workloads its selector matches.
        case workload
    }

    /// The manifest to write (for an update, the existing object with new default-listener hosts).
    public var manifest: SidecarManifest
    /// Its kind.
    public var kind: Kind
    /// The wave it is applied in (1-based).
    public var wave: Int
    /// Why the plan has it, for people.
    public var reason: String
    /// Each host with why (from the recommendation, or the default hosts' own reasons).
    public var hostReasons: [EgressRecommendation.Host]
    /// Sidecars (pods) Istio would select it for, once the whole plan is applied.
    public var sidecarsAffected: Int
    /// Their clusters now (Envoy's own count where known), summed.
    public var clustersBefore: Int
    /// Their predicted clusters afterwards, summed.
    public var clustersAfter: Int
    /// Their Envoy allocated bytes now (observed where known, else estimated), summed.
    public var bytesBefore: Int
    /// Their estimated Envoy allocated bytes afterwards, summed.
    public var bytesAfter: Int
    /// Observed destinations of those sidecars it keeps in scope.
    public var keeps: [PlanDestination]
    /// Observed destinations of those sidecars it would cut (empty when the invariant holds).
    public var cuts: [PlanDestination]
    /// The existing Sidecar it updates, when it is an update (`--replace-existing`).
    public var replaces: Sidecar?
    /// The affected pods (`namespace/name`), sorted.
    public var affectedPods: [String]

    /// `namespace/name`.
    public var qualifiedName: String { "\(manifest.namespace)/\(manifest.name)" }
    /// The hosts it writes.
    public var hosts: [String] { manifest.uniqueHosts }
    /// `spec.workloadSelector.labels`, `nil` for a namespace-wide Sidecar.
    public var workloadSelector: [String: String]? { manifest.workloadSelector.isEmpty ? nil : manifest.workloadSelector }
    /// Estimated bytes saved.
    public var savingBytes: Int { bytesBefore - bytesAfter }
    /// The unified diff of an update against the Sidecar it replaces, `nil` for a new Sidecar.
    public var diff: [String]? {
        guard let old = manifest.replacedYAML else { return nil }
        return LineDiff.unifiedText(from: old, to: manifest.yaml, oldLabel: "live \(qualifiedName)", newLabel: "planned \(qualifiedName)")
    }
}

/// Observed traffic from some sidecars to one destination, as the plan sees it.
public struct PlanDestination: Hashable, Sendable {
    /// The sending pods' namespace.
    public var sourceNamespace: String
    /// `namespace/hostname` of the registry service the traffic went to.
    public var host: String
    /// Requests (HTTP/gRPC) or connections (TCP) counted.
    public var requests: Int
    /// The sending pods (`namespace/name`), sorted.
    public var pods: [String]
}

/// Observed traffic no Sidecar host can keep: Istio could not attribute it to a registry service, or the service
/// is outside the proxy's scope already (the traffic left through PassthroughCluster).
public struct PlanUnknownDestination: Hashable, Sendable {
    /// The sending pods' namespace.
    public var sourceNamespace: String
    /// The destination host as reported.
    public var host: String
    /// Why no host can keep it.
    public var reason: String
    /// Requests or connections counted.
    public var requests: Int
    /// The sending pods (`namespace/name`), sorted.
    public var pods: [String]
}

/// An existing Sidecar and what the plan does with it.
public struct ExistingSidecarReport: Hashable, Sendable {
    /// What the plan does.
    public enum Action: String, Hashable, Sendable {
        /// Left as it is; the sidecars it selects are not changed by the plan.
        case kept
        /// Updated by the plan (`--replace-existing`): see the planned Sidecar of the same name for the diff.
        case updated
    }

    /// `namespace/name`.
    public var qualifiedName: String
    /// Its kind.
    public var kind: PlannedSidecar.Kind
    /// What the plan does with it.
    public var action: Action
    /// Sidecars Istio selects it for today.
    public var sidecars: Int
}

/// The plan's sums: every figure is the sum of the planned Sidecars' own.
public struct PlanTotals: Hashable, Sendable {
    /// Sidecars (pods) whose scope the plan changes.
    public var sidecarsAffected: Int
    /// Their clusters now.
    public var clustersBefore: Int
    /// Their clusters afterwards.
    public var clustersAfter: Int
    /// Their Envoy allocated bytes now.
    public var bytesBefore: Int
    /// Their estimated Envoy allocated bytes afterwards.
    public var bytesAfter: Int
    /// Observed destinations the plan would cut: empty, unless the invariant check could not repair one.
    public var cuts: [PlanDestination]

    /// Estimated bytes saved.
    public var savingBytes: Int { bytesBefore - bytesAfter }

    /// The monthly cost of `bytes` at `pricePerGiBMonth`.
    public static func cost(bytes: Int, pricePerGiBMonth: Double) -> Double {
        Double(bytes) / 1_073_741_824 * pricePerGiBMonth
    }
}
