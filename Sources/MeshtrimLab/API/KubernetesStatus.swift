import MeshtrimCore

/// A Kubernetes `Status` failure: what every non-2xx answer of the lab's API carries, and what its handlers throw.
///
/// The shapes follow the API server's (`reason`, `details.causes[]`), because kubectl and meshtrim branch on them:
/// kubectl prints `Error from server (NotFound): …` or `The Sidecar "x" is invalid: …` from these fields.
public struct KubernetesStatus: Error, Hashable, Sendable, CustomStringConvertible {
    /// One field-level cause (`details.causes[]`).
    public struct Cause: Hashable, Sendable {
        /// `FieldValueInvalid`, `FieldValueRequired`, `FieldManagerConflict`, …
        public var reason: String
        /// What is wrong with the field.
        public var message: String
        /// The field path, e.g. `spec.egress[0].hosts[0]`.
        public var field: String

        /// Makes a cause.
        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// The HTTP status code.
    public var code: Int
    /// The machine-readable reason (`NotFound`, `Unauthorized`, `Invalid`, …).
    public var reason: String
    /// The human-readable message, shown verbatim by clients.
    public var message: String
    /// `details.name`, when the failure is about one object.
    public var name: String?
    /// `details.group`.
    public var group: String?
    /// `details.kind`.
    public var kind: String?
    /// `details.causes`.
    public var causes: [Cause]
    /// A `Retry-After` value in seconds, for 429 and 503.
    public var retryAfterSeconds: Int?

    /// Makes a failure status.
    public init(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil, kind: String? = nil,
        causes: [Cause] = [], retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// `401 Unauthorized`, the answer to missing or wrong credentials.
    public static let unauthorized = KubernetesStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")

    /// `404 NotFound` for a path the lab does not serve.
    public static let pathNotFound = KubernetesStatus(
        code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    /// `404 NotFound` for a missing object: `sidecars.networking.istio.io "x" not found`.
    public static func notFound(resource: String, group: String, name: String) -> KubernetesStatus {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        return KubernetesStatus(
            code: 404, reason: "NotFound", message: "\(qualified) \"\(name)\" not found", name: name, group: group.isEmpty ? nil : group,
            kind: resource)
    }

    /// `403 Forbidden`: `sidecars.networking.istio.io "x" is forbidden: User "u" cannot patch resource "sidecars" in API
    /// group "networking.istio.io" in the namespace "ns"`. As the API server's authorization filter words it: the
    /// subject and `details.kind` name the resource without its subresource (`pods "x"`), the reason names both
    /// (`cannot get resource "pods/portforward"`).
    public static func forbidden(user: String, verb: String, resource: String, group: String, namespace: String?, name: String?)
        -> KubernetesStatus
    {
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        let parent = String(resource.prefix { $0 != "/" })
        let qualified = group.isEmpty ? parent : "\(parent).\(group)"
        let subject = name.map { "\(qualified) \"\($0)\"" } ?? qualified
        return KubernetesStatus(
            code: 403, reason: "Forbidden",
            message: "\(subject) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\" in API group \"\(group)\" \(scope)",
            name: name, group: group.isEmpty ? nil : group, kind: parent)
    }

    /// `400 BadRequest` with a message.
    public static func badRequest(_ message: String) -> KubernetesStatus {
        KubernetesStatus(code: 400, reason: "BadRequest", message: message)
    }

    /// `405 MethodNotAllowed`.
    public static func methodNotAllowed(_ method: String, path: String) -> KubernetesStatus {
        KubernetesStatus(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource (\(method) \(path))")
    }

    /// `415 UnsupportedMediaType`: the lab reads JSON and YAML bodies, never protobuf.
    public static func unsupportedMediaType(_ contentType: String) -> KubernetesStatus {
        KubernetesStatus(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml (got \(contentType))")
    }

    /// The `Status` object.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
            "reason": .string(reason), "code": .int(code),
        ]
        var details: [String: JSONValue] = [:]
        if let name { details["name"] = .string(name) }
        if let group { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if !causes.isEmpty {
            details["causes"] = .array(causes.map {
                ["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)]
            })
        }
        if let retryAfterSeconds { details["retryAfterSeconds"] = .int(retryAfterSeconds) }
        if !details.isEmpty { fields["details"] = .object(details) }
        return .object(fields)
    }

    /// `code reason: message`.
    public var description: String { "\(code) \(reason): \(message)" }
}
