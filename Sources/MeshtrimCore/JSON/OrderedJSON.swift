import Foundation

/// A JSON value that keeps object members in document order and numbers exactly as written.
///
/// Envoy admin output is re-printed by `meshtrim clusters -o json`; keeping order and number literals means the
/// objects come back as Envoy wrote them, which `JSONSerialization` (unordered dictionaries, `Double` numbers)
/// can't do.
public enum OrderedJSON: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its literal text (`42`, `-1.5e3`), so nothing is lost to floating point.
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([OrderedJSON])
    /// An object, members in document order (duplicate keys are kept; lookups return the first).
    case object([Member])

    /// One `"key": value` member of an object.
    public struct Member: Hashable, Sendable {
        /// The member name.
        public var key: String
        /// The member value.
        public var value: OrderedJSON

        /// Makes a member.
        public init(key: String, value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// Parses UTF-8 JSON text (RFC 8259; a leading byte order mark is skipped).
    ///
    /// - Throws: ``OrderedJSONError`` with the byte offset, line and column of the first problem.
    public init(parsing data: Data) throws(OrderedJSONError) {
        self = try OrderedJSONParser.parse(data)
    }

    /// The value of the first member named `key`, when this is an object. O(number of members).
    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The value of the first member named `snakeCaseKey` or its lowerCamelCase spelling (`static_clusters` or
    /// `staticClusters`), since protobuf JSON parsers accept both and istioctl writes the camel form.
    public func member(_ snakeCaseKey: String) -> OrderedJSON? {
        if let value = self[snakeCaseKey] { return value }
        guard snakeCaseKey.contains("_") else { return nil }
        return self[Self.lowerCamelCase(snakeCaseKey)]
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [OrderedJSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The members, when this is an object.
    public var objectMembers: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Whether this is an object.
    public var isObject: Bool { objectMembers != nil }

    /// The value as an integer, when it is an integral number or a string holding one (protobuf JSON writes
    /// 64-bit integers as strings).
    public var intValue: Int? {
        switch self {
        case .number(let literal), .string(let literal):
            if let exact = Int(literal) { return exact }
            guard case .number = self, let real = Double(literal), real.rounded() == real,
                abs(real) < 9.0e18
            else { return nil }
            return Int(real)
        default:
            return nil
        }
    }

    /// A short name of the value's kind, for messages (`an object`, `a string`, …).
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// This value without the member named `key` (objects only; other values are returned unchanged).
    public func removingMember(_ key: String) -> OrderedJSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }

    private static func lowerCamelCase(_ snakeCase: String) -> String {
        var result = ""
        result.reserveCapacity(snakeCase.utf8.count)
        var upperNext = false
        for character in snakeCase {
            if character == "_" {
                upperNext = true
            } else if upperNext {
                result += character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }
}
