import Foundation
import Yams

/// The diff `meshtrim apply` shows: the live object against the document, both reduced to the fields a person
/// compares and written the same way (sorted keys, block YAML), so only real changes show.
///
/// Server-owned fields (`status`, `uid`, `resourceVersion`, `managedFields`, timestamps, kubectl's
/// `last-applied-configuration`) are left out on both sides.
public enum ApplyDiff {
    /// A unified diff from `live` (the object as the API server returned it, JSON; `nil` when it does not exist) to
    /// `document`; every line is an addition for a new object, empty when nothing changes.
    public static func diff(live: String?, document: ApplyDocument) -> [LineDiff.Line] {
        let old = live.map { comparableLines(ofYAML: $0, namespace: document.namespace) } ?? []
        return LineDiff.unified(from: old, to: document.comparableLines)
    }

    /// A unified diff from `live` to `result`, the object a server-side dry-run returned (JSON), both reduced the same
    /// way: what the apply will really change, with fields other managers own left as they are.
    public static func diff(live: String?, result: String, namespace: String) -> [LineDiff.Line] {
        let old = live.map { comparableLines(ofYAML: $0, namespace: namespace) } ?? []
        return LineDiff.unified(from: old, to: comparableLines(ofYAML: result, namespace: namespace))
    }

    /// `text` (YAML or JSON, one object) reduced to apiVersion, kind, metadata (name, namespace, labels,
    /// annotations) and spec, as block YAML lines with sorted keys; `namespace` fills a missing namespace.
    public static func comparableLines(ofYAML text: String, namespace: String) -> [String] {
        guard let object = (try? Yams.load(yaml: text)) as? [String: Any] else {
            return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        var reduced: [String: Any] = [:]
        for key in ["apiVersion", "kind", "spec"] { if let value = object[key] { reduced[key] = value } }
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        var kept: [String: Any] = ["namespace": metadata["namespace"] as? String ?? namespace]
        if let name = metadata["name"] { kept["name"] = name }
        if let labels = metadata["labels"] as? [String: Any], !labels.isEmpty { kept["labels"] = labels }
        if var annotations = metadata["annotations"] as? [String: Any] {
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            if !annotations.isEmpty { kept["annotations"] = annotations }
        }
        reduced["metadata"] = kept
        guard let yaml = try? Yams.dump(object: reduced, width: -1, sortKeys: true) else {
            return text.split(separator: "\n").map(String.init)
        }
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
