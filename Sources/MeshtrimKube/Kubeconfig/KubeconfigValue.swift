import Foundation

/// A free-form kubeconfig value (a cluster's `extensions[].extension`), kept so it can be handed to an exec plugin
/// as JSON in `KUBERNETES_EXEC_INFO`.
public indirect enum KubeconfigValue: Codable, Hashable, Sendable {
    /// `null` or a missing value.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// A list.
    case array([KubeconfigValue])
    /// A mapping.
    case object([String: KubeconfigValue])

    /// Decodes whatever the document holds.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([KubeconfigValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: KubeconfigValue].self))
        }
    }

    /// Encodes as the matching JSON value.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
