import Foundation
import Yams

/// What a person needs from a Yams error or a parsed YAML tree, in one place for every YAML reader (manifests,
/// `apply -f`, kubeconfigs): where the problem is and what it is, quoted briefly, and a bound on what aliases expand
/// to.
public enum YAMLSyntax {
    /// The most nodes a document may expand to through aliases (`*anchor`) before a reader that walks the whole
    /// tree refuses it: a "billion laughs" chain of a few lines expands to billions. 1,000,000 is some 100 times
    /// the largest real Sidecar or kubeconfig.
    public static let maximumExpandedNodes = 1_000_000

    /// The 1-based line and column of a Yams error, when it has one.
    public static func position(of error: YamlError) -> (line: Int, column: Int)? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return (mark.line, mark.column)
        case .reader(_, let offset?, _, let yaml):
            return InputFile.position(ofByte: offset, in: Data(yaml.utf8))
        case .duplicatedKeysInMapping(_, let context):
            return (context.mark.line, context.mark.column)
        default:
            return nil
        }
    }

    /// What is wrong, without the snippet of the document Yams's description adds (a line of a hostile file can
    /// be megabytes long), quoted to at most 80 characters: `mapping values are not allowed in this context`.
    public static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            if let context { return InputFile.quote("\(problem) (\(context.text))", limit: 160) }
            return InputFile.quote(problem, limit: 160)
        case .reader(let problem, let offset, let value, _):
            let byte = value >= 0 ? String(format: " (byte 0x%02X)", value) : ""
            return InputFile.quote("\(problem)\(byte)\(offset.map { " at byte offset \($0)" } ?? "")", limit: 160)
        case .duplicatedKeysInMapping(let duplicates, _):
            return InputFile.quote("duplicated keys: \(duplicates.sorted().joined(separator: ", "))", limit: 160)
        default:
            return InputFile.quote("\(error)", limit: 160)
        }
    }

    /// `line:column: ` for an error that has a position, else empty.
    public static func location(of error: YamlError) -> String {
        position(of: error).map { "\($0.line):\($0.column): " } ?? ""
    }

    /// Whether `node` expands to more than `limit` nodes when aliases are followed (counting stops at the limit,
    /// so this costs at most `limit` steps however large the expansion).
    public static func exceedsExpansion(_ node: Node, limit: Int = maximumExpandedNodes) -> Bool {
        var remaining = limit
        var pending: [Node] = [node]
        while let next = pending.popLast() {
            remaining -= 1
            if remaining < 0 { return true }
            switch next {
            case .scalar, .alias:
                continue
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            }
        }
        return false
    }
}
