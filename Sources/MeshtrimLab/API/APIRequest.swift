import Foundation
import MeshtrimCore

/// Who made a request: the user the lab's kubeconfig names and whether it may change anything.
public struct LabUser: Hashable, Sendable {
    /// The user name (`admin`, `viewer`, `lab-client-cert`).
    public var name: String
    /// The groups (`system:masters`, `system:authenticated`).
    public var groups: [String]
    /// Whether the user may only read (get, list, watch, pods/proxy).
    public var isReadOnly: Bool
    /// `verb:resource` pairs denied to this user whatever else it may (the lab's `forbid=` fault; `*` any verb).
    public var forbidden: Set<String> = []

    /// Makes a user.
    public init(name: String, groups: [String], isReadOnly: Bool) {
        self.name = name
        self.groups = groups
        self.isReadOnly = isReadOnly
    }

    /// Whether the user may do `verb` on `resource` (with `subresource`). Read-only users may get, list and watch
    /// everything and GET through the pod proxy; every user may create SelfSubjectAccessReviews.
    public func may(_ verb: String, resource: String, subresource: String = "") -> Bool {
        let plural = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
        if forbidden.contains("\(verb):\(plural)") || forbidden.contains("*:\(plural)") { return false }
        if resource == "selfsubjectaccessreviews" { return verb == "create" }
        guard isReadOnly else { return true }
        if subresource == "proxy" { return verb == "get" }
        if subresource == "portforward" || subresource == "exec" { return false }
        return ["get", "list", "watch"].contains(verb)
    }
}

/// A request to the lab's Kubernetes API, independent of the HTTP server that received it.
public struct APIRequest: Sendable {
    /// `GET`, `POST`, `PATCH`, `PUT`, `DELETE`.
    public var method: String
    /// The path without the query, percent-encoded as received.
    public var path: String
    /// Query parameters, decoded; repeated names keep every value in order.
    public var query: [String: [String]]
    /// Header values by lowercased name.
    public var headers: [String: String]
    /// The body.
    public var body: Data
    /// The authenticated user.
    public var user: LabUser

    /// Makes a request.
    public init(method: String, path: String, query: [String: [String]] = [:], headers: [String: String] = [:], body: Data = Data(), user: LabUser) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.user = user
    }

    /// The first value of a query parameter.
    public func parameter(_ name: String) -> String? { query[name]?.first }

    /// Decodes a query string (`a=1&b=x%2Fy&b=z`, `+` as space, as Go's `url.ParseQuery`).
    public static func parseQuery(_ text: String?) -> [String: [String]] {
        guard let text, !text.isEmpty else { return [:] }
        var result: [String: [String]] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            result[name, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return result
    }
}

/// An answer of the lab's API: status, content type and body.
public struct APIResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: Data
    /// Extra headers (`Retry-After`, …).
    public var headers: [String: String]

    /// Makes a response.
    public init(status: Int, contentType: String, body: Data, headers: [String: String] = [:]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A JSON answer.
    public static func json(_ value: JSONValue, status: Int = 200) -> APIResponse {
        APIResponse(status: status, contentType: "application/json", body: value.encoded())
    }

    /// The Status answer for a failure.
    public static func status(_ status: KubernetesStatus) -> APIResponse {
        var response = json(status.json, status: status.code)
        if let retry = status.retryAfterSeconds { response.headers["Retry-After"] = String(retry) }
        return response
    }

    /// A plain-text answer.
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> APIResponse {
        APIResponse(status: status, contentType: contentType, body: Data(text.utf8))
    }
}
