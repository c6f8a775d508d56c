/// The one rule for what meshtrim calls the Sidecar it writes for a namespace or a workload, used by the egress
/// editor, `recommend` and `plan`, so the same selector gets the same name (and the same file) everywhere.
///
/// A name given by the person wins; else a Sidecar that already selects the same workloads keeps its name (two
/// Sidecars with one selector are a conflict Istio resolves by age, so meshtrim edits the existing one instead of
/// adding a second); else a workload Sidecar is named after the workload (`app`, then `app.kubernetes.io/name`, then
/// the selector's values joined with `-` in key order), made a valid object name; a namespace-wide one is `default`.
public enum SidecarNaming {
    /// The name, the workload it is for, and the existing Sidecar the new one is written over (same namespace, name and
    /// selector), if any.
    public struct Choice: Hashable, Sendable {
        /// `metadata.name`.
        public var name: String
        /// The workload's name (for the file name and messages); `nil` for a namespace-wide Sidecar.
        public var workload: String?
        /// The existing Sidecar with the same namespace, name and selector: edited rather than replaced.
        public var replacing: Sidecar?
    }

    /// The longest name meshtrim makes up: a DNS-1123 label, so it is a valid object name, label value and file name.
    public static let maximumLength = 63

    /// Chooses the name of the Sidecar for `selector` (`nil` or empty: namespace-wide) in `namespace`.
    ///
    /// - Parameters:
    ///   - explicitName: the name the person gave (`--name`); used as given.
    ///   - sidecars: the mesh's Sidecars, to keep the name of one that selects the same workloads.
    public static func choose(namespace: String, selector: [String: String]?, explicitName: String? = nil, sidecars: [Sidecar]) -> Choice {
        let labels = selector ?? [:]
        let sameSelector = sidecars.first { $0.meta.namespace == namespace && ($0.workloadSelector?.matchLabels ?? [:]) == labels }
        let workload = labels.isEmpty ? nil : workloadName(selector: labels)
        let name = explicitName ?? sameSelector?.meta.name ?? workload ?? "default"
        let replacing = sidecars.first {
            $0.meta.namespace == namespace && $0.meta.name == name && ($0.workloadSelector?.matchLabels ?? [:]) == labels
        }
        return Choice(name: name, workload: workload, replacing: replacing)
    }

    /// The workload a selector names: `app`, else `app.kubernetes.io/name`, else its values joined with `-` in key
    /// order, as a DNS-1123 label (``label(_:)``).
    public static func workloadName(selector: [String: String]) -> String {
        let raw = selector["app"] ?? selector["app.kubernetes.io/name"]
            ?? selector.sorted { $0.key < $1.key }.map(\.value).joined(separator: "-")
        return label(raw)
    }

    /// `text` as a DNS-1123 label: lower case, every character other than `a-z`, `0-9` and `-` replaced by `-`, no
    /// `-` at either end, at most ``maximumLength`` characters; `workload` when nothing is left. Label values may hold
    /// `_`, `.` and capitals and run to 63 characters, which object names (and joined values) cannot.
    public static func label(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            let allowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            scalars.append(allowed ? scalar : "-")
        }
        var result = Substring(String(scalars)).drop { $0 == "-" }.prefix(maximumLength)
        while result.last == "-" { result = result.dropLast() }
        return result.isEmpty ? "workload" : String(result)
    }
}
