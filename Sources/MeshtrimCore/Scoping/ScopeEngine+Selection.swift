import Foundation

/// Which Sidecar applies to a proxy: selection and precedence (`doGetSidecarScope`).
extension ScopeEngine {
    /// The Sidecar that applies to a proxy and why (`doGetSidecarScope`).
    ///
    /// - Parameter candidate: a Sidecar to evaluate as if it were applied (it replaces one with the same
    ///   namespace and name, keeping that one's creation time; otherwise it counts as the newest).
    public func selectSidecar(namespace: String, labels: [String: String], candidate: Sidecar? = nil) -> SidecarSelection {
        var warnings: [String] = []
        let local = sidecars(in: namespace, candidate: candidate)
        if let candidate, candidate.meta.namespace == namespace, candidate.workloadSelector == nil,
            let older = local.first(where: { $0.workloadSelector == nil }), older.meta.name != candidate.meta.name
        {
            warnings.append(
                "Sidecar \(candidate.meta.qualifiedName) has no effect: the older Sidecar \(older.meta.qualifiedName) "
                    + "also has no workloadSelector and wins")
        }
        for sidecar in local {
            if let selector = sidecar.workloadSelector {
                guard selector.matches(labels) else { continue }
                return SidecarSelection(
                    sidecar: sidecar,
                    reason: "Sidecar \(sidecar.meta.qualifiedName) selects this workload (\(selector.description))",
                    warnings: warnings)
            }
            return SidecarSelection(
                sidecar: sidecar, reason: "Sidecar \(sidecar.meta.qualifiedName) applies to namespace \(namespace)",
                warnings: warnings)
        }
        let root = inventory.meshConfig.rootNamespace
        if let rootSidecar = sidecars(in: root, candidate: candidate).first(where: { $0.workloadSelector == nil }) {
            return SidecarSelection(
                sidecar: rootSidecar,
                reason: "mesh-wide Sidecar \(rootSidecar.meta.qualifiedName) from the root namespace \(root)",
                warnings: warnings)
        }
        return SidecarSelection(sidecar: nil, reason: "no Sidecar applies: istiod sends every visible service (*/*)", warnings: warnings)
    }

    private func sidecars(in namespace: String, candidate: Sidecar?) -> [Sidecar] {
        let existing = sidecarsByNamespace[namespace] ?? []
        guard let candidate, candidate.meta.namespace == namespace else { return existing }
        var merged = candidate
        var others = existing
        if let replaced = others.firstIndex(where: { $0.meta.name == candidate.meta.name }) {
            merged.meta.creationTimestamp = others[replaced].meta.creationTimestamp
            others.remove(at: replaced)
        } else {
            merged.meta.creationTimestamp = Date.distantFuture
        }
        return Self.orderSidecars(others + [merged])[namespace] ?? []
    }
}

/// The Sidecar that applies to a proxy, why, and anything surprising about the choice.
public struct SidecarSelection: Hashable, Sendable {
    /// The Sidecar, or `nil` for the default `*/*` scope.
    public var sidecar: Sidecar?
    /// A sentence saying why.
    public var reason: String
    /// Surprises (a candidate that another Sidecar shadows, …).
    public var warnings: [String]

    /// Makes a selection.
    public init(sidecar: Sidecar?, reason: String, warnings: [String] = []) {
        self.sidecar = sidecar
        self.reason = reason
        self.warnings = warnings
    }
}
