import Foundation
import MeshtrimCore

/// Server-side apply's per-field ownership (`metadata.managedFields`), as the lab models the API server's
/// structured-merge-diff: which field manager owns which field, the 409 conflicts between appliers, `force`, and
/// the ownership an update (create, PUT, merge or JSON patch) takes.
///
/// A field is a path of keys. Maps are granular (`spec.workloadSelector.labels.app` is its own field); lists and
/// scalars are leaves, because Istio's CRDs declare no `x-kubernetes-list-type` keys, so their lists are atomic
/// (`spec.egress` is owned as a whole, as on a real cluster). `apiVersion`, `kind`, `status` and the server's
/// metadata are never owned; of `metadata` only labels, annotations, finalizers and ownerReferences are.
struct FieldOwnership: Sendable {
    /// One `managedFields` entry: a manager, its operation (`Apply` or `Update`) and the fields it owns.
    struct Entry: Sendable, Equatable {
        /// The field manager (`kubectl`, `meshtrim`, `argocd-controller`).
        var manager: String
        /// `Apply` (server-side apply) or `Update` (every other write).
        var operation: String
        /// The API version the manager wrote with.
        var apiVersion: String
        /// When it last wrote (RFC 3339).
        var time: String
        /// The fields it owns.
        var fields: Set<[String]>

        /// The entry as the API server serves it.
        var json: JSONValue {
            [
                "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion), "time": .string(time),
                "fieldsType": "FieldsV1", "fieldsV1": FieldOwnership.fieldsV1(fields),
            ]
        }

        /// How the API server names the manager in a conflict: `"kubectl"` for an applier, `"helm" using
        /// networking.istio.io/v1` for an updater (its manager identifier keeps the API version).
        var conflictName: String {
            let quoted = "\"\(manager)\""
            return operation == "Update" ? "\(quoted) using \(apiVersion)" : quoted
        }
    }

    /// A field another manager owns that an apply would change.
    struct Conflict: Sendable {
        /// The owner.
        var owner: Entry
        /// The field, e.g. `["spec", "egress"]`.
        var path: [String]
        /// The field as the API server writes it: `.spec.egress`.
        var pathText: String { path.map { "." + $0 }.joined() }
    }

    /// The entries, in the order the object lists them.
    var entries: [Entry]

    /// The ownership recorded in an object's `metadata.managedFields`.
    init(of object: JSONValue?) {
        entries = (object?.value(at: "metadata.managedFields")?.arrayValue ?? []).compactMap { item in
            guard let manager = item["manager"]?.stringValue else { return nil }
            return Entry(
                manager: manager, operation: item["operation"]?.stringValue ?? "Update",
                apiVersion: item["apiVersion"]?.stringValue ?? "", time: item["time"]?.stringValue ?? "",
                fields: Self.paths(fromFieldsV1: item["fieldsV1"] ?? [:]))
        }
    }

    /// The `managedFields` array.
    var json: JSONValue { .array(entries.map(\.json)) }

    // MARK: Writes

    /// Server-side apply of `applied` by `manager` over `live` (`nil`: a new object).
    ///
    /// - Returns: the merged object (without `managedFields`; the caller stores ``json``).
    /// - Throws: ``KubernetesStatus`` 409 `Conflict` worded as the API server words it, when another manager owns a
    ///   field the apply changes and `force` is off.
    mutating func apply(
        _ applied: JSONValue, over live: JSONValue?, manager: String, apiVersion: String, time: String, force: Bool, name: String
    ) throws -> JSONValue {
        let fields = Self.leaves(of: applied)
        let base = live ?? applied
        var conflicts: [Conflict] = []
        for entry in entries where !(entry.manager == manager && entry.operation == "Apply") {
            for path in fields.sorted(by: Self.ordered) where entry.fields.contains(where: { Self.overlap($0, path) }) {
                if Self.value(at: path, in: applied) != Self.value(at: path, in: base) { conflicts.append(Conflict(owner: entry, path: path)) }
            }
        }
        if !conflicts.isEmpty && !force { throw Self.conflictStatus(conflicts, name: name) }
        for conflict in conflicts {
            for index in entries.indices where entries[index].manager == conflict.owner.manager && entries[index].operation == conflict.owner.operation {
                entries[index].fields = entries[index].fields.filter { !Self.overlap($0, conflict.path) }
            }
        }
        var result = base
        let previous = entries.first { $0.manager == manager && $0.operation == "Apply" }?.fields ?? []
        let others = entries.filter { !($0.manager == manager && $0.operation == "Apply") }.flatMap(\.fields)
        // Fields this manager applied before and no longer applies go, unless someone else owns them too.
        for path in previous.subtracting(fields).sorted(by: Self.ordered)
        where !others.contains(where: { Self.overlap($0, path) }) && !fields.contains(where: { Self.overlap($0, path) }) {
            Self.remove(path, from: &result)
        }
        for path in fields.sorted(by: Self.ordered) { Self.set(Self.value(at: path, in: applied) ?? .null, at: path, in: &result) }
        record(manager: manager, operation: "Apply", apiVersion: apiVersion, time: time) { _ in fields }
        return result
    }

    /// A write other than apply (create, PUT, merge or JSON patch) by `manager`, from `old` (`nil`: created) to `new`:
    /// the manager takes every field it set or changed from whoever owned it (updates never conflict), and removed
    /// fields are no one's.
    mutating func update(from old: JSONValue?, to new: JSONValue, manager: String, apiVersion: String, time: String) {
        let newFields = Self.leaves(of: new)
        let taken = newFields.filter { path in old.map { Self.value(at: path, in: $0) != Self.value(at: path, in: new) } ?? true }
        let removed = Self.leaves(of: old ?? [:]).filter { Self.value(at: $0, in: new) == nil }
        let touched = taken.union(removed)
        for index in entries.indices {
            entries[index].fields = entries[index].fields.filter { field in !touched.contains { Self.overlap($0, field) } }
        }
        guard !taken.isEmpty || entries.contains(where: { $0.manager == manager && $0.operation == "Update" }) else {
            entries.removeAll { $0.fields.isEmpty }
            return
        }
        record(manager: manager, operation: "Update", apiVersion: apiVersion, time: time) { $0.union(taken) }
    }

    private mutating func record(manager: String, operation: String, apiVersion: String, time: String, fields: (Set<[String]>) -> Set<[String]>) {
        if let index = entries.firstIndex(where: { $0.manager == manager && $0.operation == operation }) {
            entries[index].fields = fields(entries[index].fields)
            entries[index].time = time
            entries[index].apiVersion = apiVersion
        } else {
            entries.append(Entry(manager: manager, operation: operation, apiVersion: apiVersion, time: time, fields: fields([])))
        }
        entries.removeAll { $0.fields.isEmpty }
    }

    /// The 409 the API server answers (`Apply failed with 1 conflict: conflict with "helm" using
    /// networking.istio.io/v1: .spec.egress`), one `FieldManagerConflict` cause per field.
    static func conflictStatus(_ conflicts: [Conflict], name: String) -> KubernetesStatus {
        let causes = conflicts.map {
            KubernetesStatus.Cause(reason: "FieldManagerConflict", message: "conflict with \($0.owner.conflictName)", field: $0.pathText)
        }
        let message: String
        if conflicts.count == 1, let only = conflicts.first {
            message = "Apply failed with 1 conflict: conflict with \(only.owner.conflictName): \(only.pathText)"
        } else {
            var byManager: [String: [String]] = [:]
            for conflict in conflicts { byManager[conflict.owner.conflictName, default: []].append(conflict.pathText) }
            let lines = byManager.keys.sorted().flatMap { manager in ["conflicts with \(manager):"] + (byManager[manager] ?? []).map { "- \($0)" } }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        return KubernetesStatus(code: 409, reason: "Conflict", message: message, causes: causes)
    }

    // MARK: Fields

    /// The owned leaf fields of an object.
    static func leaves(of object: JSONValue) -> Set<[String]> {
        var result: Set<[String]> = []
        guard case .object(let fields) = object else { return result }
        for (key, value) in fields where !["apiVersion", "kind", "metadata", "status"].contains(key) {
            collect(value, path: [key], into: &result)
        }
        for key in ["labels", "annotations"] {
            for (name, value) in object.value(at: "metadata.\(key)")?.objectValue ?? [:] where value != .null {
                result.insert(["metadata", key, name])
            }
        }
        for key in ["finalizers", "ownerReferences"] where object.value(at: "metadata.\(key)") != nil {
            result.insert(["metadata", key])
        }
        return result
    }

    private static func collect(_ value: JSONValue, path: [String], into result: inout Set<[String]>) {
        switch value {
        case .null:
            return
        case .object(let fields) where !fields.isEmpty:
            for (key, child) in fields { collect(child, path: path + [key], into: &result) }
        default:
            result.insert(path)
        }
    }

    /// Whether two fields are the same or one holds the other.
    static func overlap(_ lhs: [String], _ rhs: [String]) -> Bool {
        lhs.starts(with: rhs) || rhs.starts(with: lhs)
    }

    private static func ordered(_ lhs: [String], _ rhs: [String]) -> Bool { lhs.lexicographicallyPrecedes(rhs) }

    /// The value at a field path.
    static func value(at path: [String], in object: JSONValue) -> JSONValue? {
        var current = object
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// Sets a value at a field path, making the maps on the way.
    static func set(_ value: JSONValue, at path: [String], in object: inout JSONValue) {
        guard let key = path.first else {
            object = value
            return
        }
        var child = object[key] ?? [:]
        if path.count > 1, child.objectValue == nil { child = [:] }
        set(value, at: Array(path.dropFirst()), in: &child)
        if object.objectValue == nil { object = [:] }
        object[key] = child
    }

    /// Removes a field, and the maps it leaves empty (below the top level).
    static func remove(_ path: [String], from object: inout JSONValue) {
        guard let key = path.first, case .object(var fields) = object else { return }
        if path.count == 1 {
            fields[key] = nil
        } else if var child = fields[key] {
            remove(Array(path.dropFirst()), from: &child)
            fields[key] = child.objectValue?.isEmpty == true && path.count > 2 ? nil : child
        }
        object = .object(fields)
    }

    /// `fieldsV1` for a set of fields: `{"f:spec": {"f:egress": {}}}`.
    static func fieldsV1(_ fields: Set<[String]>) -> JSONValue {
        var root: JSONValue = [:]
        for path in fields { set([:], at: path.map { "f:" + $0 }, in: &root) }
        return root
    }

    /// The fields a `fieldsV1` names (`.` entries and list keys `k:`/`v:`/`i:` end a field at their parent).
    static func paths(fromFieldsV1 value: JSONValue) -> Set<[String]> {
        var result: Set<[String]> = []
        func walk(_ node: JSONValue, _ path: [String]) {
            let children = (node.objectValue ?? [:]).filter { $0.key.hasPrefix("f:") }
            let other = (node.objectValue ?? [:]).contains { !$0.key.hasPrefix("f:") && $0.key != "." }
            if children.isEmpty || other {
                if !path.isEmpty { result.insert(path) }
                if other { return }
            }
            for (key, child) in children { walk(child, path + [String(key.dropFirst(2))]) }
        }
        walk(value, [])
        return result
    }
}
