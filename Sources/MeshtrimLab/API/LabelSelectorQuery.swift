/// A parsed `labelSelector` or `fieldSelector` query: the requirements kubectl's `-l` and `--field-selector` send.
///
/// Label syntax: `k=v`, `k==v`, `k!=v`, `k` (exists), `!k` (does not exist), `k in (a,b)`, `k notin (a,b)`,
/// comma-separated, all of which must hold. Field selectors use the `=`, `==` and `!=` forms on dotted paths
/// (`metadata.name`, `status.phase`, `spec.nodeName`).
public struct LabelSelectorQuery: Hashable, Sendable {
    /// One requirement.
    public enum Requirement: Hashable, Sendable {
        /// The key has exactly this value.
        case equals(String, String)
        /// The key is missing or has another value.
        case notEquals(String, String)
        /// The key is present.
        case exists(String)
        /// The key is absent.
        case doesNotExist(String)
        /// The key has one of the values.
        case oneOf(String, Set<String>)
        /// The key is missing or has none of the values.
        case noneOf(String, Set<String>)
    }

    /// The requirements, all of which must hold.
    public var requirements: [Requirement]

    /// Parses a selector; an empty string selects everything.
    ///
    /// - Throws: ``KubernetesStatus`` 400 naming the part that could not be read.
    public init(parsing text: String) throws {
        requirements = []
        for part in Self.splitTopLevel(text) {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            requirements.append(try Self.requirement(item))
        }
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            case .oneOf(let key, let values): return labels[key].map(values.contains) ?? false
            case .noneOf(let key, let values): return !(labels[key].map(values.contains) ?? false)
            }
        }
    }

    private static func requirement(_ item: String) throws -> Requirement {
        if item.hasPrefix("!") {
            return .doesNotExist(try key(String(item.dropFirst()), in: item))
        }
        for (word, makeSet) in [(" notin ", false), (" in ", true)] {
            if let range = item.range(of: word) {
                let name = try key(String(item[..<range.lowerBound]), in: item)
                var list = item[range.upperBound...].trimmingCharacters(in: .whitespaces)
                guard list.hasPrefix("("), list.hasSuffix(")") else {
                    throw KubernetesStatus.badRequest("unable to parse requirement: \(item): values must be in parentheses")
                }
                list = String(list.dropFirst().dropLast())
                let values = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                return makeSet ? .oneOf(name, values) : .noneOf(name, values)
            }
        }
        if let range = item.range(of: "!=") {
            return .notEquals(try key(String(item[..<range.lowerBound]), in: item), String(item[range.upperBound...]).trimmingCharacters(in: .whitespaces))
        }
        if let range = item.range(of: "==") ?? item.range(of: "=") {
            return .equals(try key(String(item[..<range.lowerBound]), in: item), String(item[range.upperBound...]).trimmingCharacters(in: .whitespaces))
        }
        return .exists(try key(item, in: item))
    }

    private static func key(_ text: String, in item: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains(" "), !trimmed.contains("(") else {
            throw KubernetesStatus.badRequest("unable to parse requirement: \(item)")
        }
        return trimmed
    }

    /// Splits on commas that are not inside parentheses (`a in (x,y),b`).
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}

import Foundation
