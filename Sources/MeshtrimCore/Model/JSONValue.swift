import Foundation

/// A JSON document as a value: what the lab stores Kubernetes objects as and answers with, and a kubeconfig's
/// free-form values (a cluster's `extensions[].extension`, handed to exec plugins in `KUBERNETES_EXEC_INFO`).
///
/// Kubernetes objects are open-ended (labels, annotations, arbitrary `spec` fields a client applied), so the lab keeps
/// them as JSON rather than as typed structs; typed views live in MeshtrimCore's model. Integers stay integers
/// (ports, replica counts) and objects encode with sorted keys, so responses are byte-for-byte stable.
public enum JSONValue: Hashable, Sendable, Codable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// A number with a fraction or exponent.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Makes a string value.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Makes an integer value.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// Makes a boolean value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Makes an array value.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Makes an object value; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Decodes any JSON value.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as itself.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON bytes.
    ///
    /// - Throws: ``JSONValueError`` with the parser's complaint.
    public static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw JSONValueError(message: "not valid JSON: \(Self.describe(error))")
        }
    }

    /// Compact JSON with sorted keys and unescaped slashes.
    public func encoded(pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value (non-finite doubles become null first).
        return (try? encoder.encode(self.finite)) ?? Data("null".utf8)
    }

    /// The encoded JSON as text.
    public var jsonText: String { String(decoding: encoded(), as: UTF8.self) }

    private var finite: JSONValue {
        switch self {
        case .double(let value) where !value.isFinite: return .null
        case .array(let items): return .array(items.map(\.finite))
        case .object(let fields): return .object(fields.mapValues(\.finite))
        default: return self
        }
    }

    // MARK: Access

    /// The field `key` of an object; `nil` for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let fields) = self else { return nil }
            return fields[key]
        }
        set {
            guard case .object(var fields) = self else { return }
            fields[key] = newValue
            self = .object(fields)
        }
    }

    /// The value at a dotted path of object keys (`metadata.name`).
    public func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, when this is a whole number (or a double without a fraction).
    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: return nil
        }
    }

    /// The boolean, when this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The fields, when this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// A `[String: String]` map (labels, annotations); non-string values are skipped.
    public var stringMap: [String: String] {
        (objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    /// Converts a value made by Foundation (`JSONSerialization`, Yams' `load`) into a JSON value.
    ///
    /// - Throws: ``JSONValueError`` for values JSON cannot hold (dates and binary data become strings).
    public static func from(any value: Any?) throws -> JSONValue {
        switch value {
        case nil, is NSNull: return .null
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(value)
        case let value as Double: return value.rounded() == value && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
        case let value as String: return .string(value)
        case let value as Date: return .string(ISO8601DateFormatter().string(from: value))
        case let value as [Any?]: return .array(try value.map { try from(any: $0) })
        case let value as [String: Any?]: return .object(try value.mapValues { try from(any: $0) })
        case let value as [AnyHashable: Any?]:
            var fields: [String: JSONValue] = [:]
            for (key, item) in value { fields["\(key.base)"] = try from(any: item) }
            return .object(fields)
        case let value?:
            throw JSONValueError(message: "a \(type(of: value)) value cannot be represented in JSON")
        }
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError as NSError? { return underlying.localizedDescription }
            return context.debugDescription
        }
        return "\(error)"
    }
}

/// Why text could not be read as JSON.
public struct JSONValueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What the parser said.
    public var message: String
    /// The message.
    public var description: String { message }
}
