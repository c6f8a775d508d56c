import Yams

extension OrderedJSON {
    /// The value of a composed YAML node, members in document order: plain scalars become what YAML resolves them
    /// to (`null`, booleans, numbers), everything else a string; aliases become `null` (Yams resolves anchors while
    /// composing, so a composed document has none).
    ///
    /// Kubernetes objects read from manifests keep this form so that meshtrim can write them back with every field
    /// it does not edit, in the order the author wrote them.
    public init(yaml node: Node) {
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .null: self = .null
            case .bool: self = node.bool.map(OrderedJSON.bool) ?? .string(scalar.string)
            case .int: self = node.int.map { .number(String($0)) } ?? .string(scalar.string)
            case .float:
                if let value = node.float, value.isFinite {
                    self = .number(Double(scalar.string) != nil ? scalar.string : String(value))
                } else {
                    self = .string(scalar.string)
                }
            default: self = .string(scalar.string)
            }
        case .mapping(let mapping):
            self = .object(mapping.map { Member(key: $0.key.string ?? "", value: OrderedJSON(yaml: $0.value)) })
        case .sequence(let sequence):
            self = .array(sequence.map(OrderedJSON.init(yaml:)))
        case .alias:
            self = .null
        }
    }

    /// The value as block YAML in kubectl's style (two-space indents, list items at their key's indent), keys in
    /// order; strings are plain where YAML reads them back unchanged and quoted otherwise, and strings with `*` or
    /// a leading `~` (Sidecar hosts) are always quoted. Ends with a newline.
    public var yamlText: String {
        let lines: [String]
        switch self {
        case .object(let members) where !members.isEmpty: lines = Self.mappingLines(members, indent: 0)
        case .array(let items) where !items.isEmpty: lines = Self.sequenceLines(items, indent: 0)
        default: lines = [Self.inline(self)]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func mappingLines(_ members: [Member], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        for member in members {
            let key = pad + YAMLText.scalar(member.key) + ":"
            switch member.value {
            case .object(let nested) where !nested.isEmpty:
                lines.append(key)
                lines += mappingLines(nested, indent: indent + 2)
            case .array(let items) where !items.isEmpty:
                lines.append(key)
                lines += sequenceLines(items, indent: indent)
            default:
                lines.append(key + " " + inline(member.value))
            }
        }
        return lines
    }

    private static func sequenceLines(_ items: [OrderedJSON], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        for item in items {
            let nested: [String]
            switch item {
            case .object(let members) where !members.isEmpty: nested = mappingLines(members, indent: indent + 2)
            case .array(let elements) where !elements.isEmpty: nested = sequenceLines(elements, indent: indent + 2)
            default:
                lines.append(pad + "- " + inline(item))
                continue
            }
            // The first line of the nested block moves up beside the dash.
            for (position, line) in nested.enumerated() {
                lines.append(position == 0 ? pad + "- " + line.dropFirst(indent + 2) : line)
            }
        }
        return lines
    }

    private static func inline(_ value: OrderedJSON) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let literal): return literal
        case .string(let text): return YAMLText.scalar(text, quoteAlways: text.contains("*") || text.hasPrefix("~"))
        case .array: return "[]"
        case .object: return "{}"
        }
    }
}
