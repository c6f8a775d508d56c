import MeshtrimCore

/// The two JSON patch formats the API server accepts for custom resources: JSON merge patch (RFC 7386,
/// `application/merge-patch+json`) and JSON patch (RFC 6902, `application/json-patch+json`).
enum JSONPatch {
    /// `patch` merged into `target` (RFC 7386): objects merge key by key, `null` removes, anything else replaces.
    static func merge(_ patch: JSONValue, into target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in changes {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = merge(value, into: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// `operations` (an array of `add`, `remove`, `replace`, `move`, `copy`, `test`) applied to `target` in order.
    ///
    /// - Throws: ``KubernetesStatus`` 422 for an operation that does not apply (a missing path, a failed `test`), 400
    ///   for a patch that is not an array of operations; as the API server answers.
    static func apply(_ operations: JSONValue, to target: JSONValue) throws -> JSONValue {
        guard case .array(let list) = operations else {
            throw KubernetesStatus.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var document = target
        for operation in list {
            let op = operation["op"]?.stringValue ?? ""
            let path = try pointer(operation["path"]?.stringValue, op: op)
            switch op {
            case "add":
                document = try add(operation["value"] ?? .null, at: path, in: document)
            case "remove":
                _ = try value(at: path, in: document, op: op)
                document = try remove(at: path, in: document)
            case "replace":
                _ = try value(at: path, in: document, op: op)
                document = try add(operation["value"] ?? .null, at: path, in: try remove(at: path, in: document))
            case "move", "copy":
                let from = try pointer(operation["from"]?.stringValue, op: op)
                let moved = try value(at: from, in: document, op: op)
                if op == "move" { document = try remove(at: from, in: document) }
                document = try add(moved, at: path, in: document)
            case "test":
                guard try value(at: path, in: document, op: op) == operation["value"] ?? .null else {
                    throw invalid("testing value /\(path.joined(separator: "/")) failed: test failed")
                }
            default:
                throw invalid("Unexpected kind: \(op)")
            }
        }
        return document
    }

    private static func invalid(_ message: String) -> KubernetesStatus {
        KubernetesStatus(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(message)")
    }

    private static func pointer(_ text: String?, op: String) throws -> [String] {
        guard let text, text.isEmpty || text.hasPrefix("/") else { throw invalid("\(op) operation does not apply: doc is missing path: \(text ?? "")") }
        return text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func value(at path: [String], in document: JSONValue, op: String) throws -> JSONValue {
        var current = document
        for key in path {
            switch current {
            case .object(let fields):
                guard let next = fields[key] else { throw missing(op, path) }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { throw missing(op, path) }
                current = items[index]
            default:
                throw missing(op, path)
            }
        }
        return current
    }

    private static func missing(_ op: String, _ path: [String]) -> KubernetesStatus {
        invalid("\(op) operation does not apply: doc is missing path: \"/\(path.joined(separator: "/"))\": missing value")
    }

    private static func add(_ value: JSONValue, at path: [String], in document: JSONValue) throws -> JSONValue {
        guard let key = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var fields):
            if rest.isEmpty {
                fields[key] = value
            } else {
                guard let child = fields[key] else { throw missing("add", path) }
                fields[key] = try add(value, at: rest, in: child)
            }
            return .object(fields)
        case .array(var items):
            let index = key == "-" ? items.count : Int(key) ?? -1
            if rest.isEmpty {
                guard index >= 0, index <= items.count else { throw missing("add", path) }
                items.insert(value, at: index)
            } else {
                guard items.indices.contains(index) else { throw missing("add", path) }
                items[index] = try add(value, at: rest, in: items[index])
            }
            return .array(items)
        default:
            throw missing("add", path)
        }
    }

    private static func remove(at path: [String], in document: JSONValue) throws -> JSONValue {
        guard let key = path.first else { return .null }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var fields):
            guard let child = fields[key] else { throw missing("remove", path) }
            fields[key] = rest.isEmpty ? nil : try remove(at: rest, in: child)
            return .object(fields)
        case .array(var items):
            guard let index = Int(key), items.indices.contains(index) else { throw missing("remove", path) }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = try remove(at: rest, in: items[index]) }
            return .array(items)
        default:
            throw missing("remove", path)
        }
    }
}
