/// What a REST path means in RBAC terms: verb, group, resource, subresource, namespace and name.
///
/// `GET /api/v1/pods` is `list pods` cluster-wide; `GET /api/v1/namespaces/shop/pods/web:15090/proxy/stats` is
/// `get pods/proxy` in `shop`. Used to say what a 403 refused, and to ask SelfSubjectAccessReviews.
public struct ResourcePath: Hashable, Sendable, CustomStringConvertible {
    /// `get`, `list`, `create`, `patch`, `delete`, …
    public var verb: String
    /// The API group (empty for the core group).
    public var group: String
    /// The plural resource (`pods`).
    public var resource: String
    /// The subresource (`proxy`, `portforward`), or empty.
    public var subresource: String
    /// The namespace, or `nil` for a cluster-wide request.
    public var namespace: String?
    /// The object's name, when one is addressed.
    public var name: String?

    /// Makes a description.
    public init(verb: String, group: String = "", resource: String, subresource: String = "", namespace: String? = nil, name: String? = nil) {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }

    /// Reads a request; `nil` for paths that are not resources (`/version`, `/apis`).
    public init?(method: String, path: String) {
        var segments = path.split(separator: "/").map(String.init)
        // A server path prefix (Rancher) comes before /api or /apis.
        if let start = segments.firstIndex(where: { $0 == "api" || $0 == "apis" }) { segments.removeFirst(start) } else { return nil }
        var group = ""
        if segments.first == "api" {
            guard segments.count >= 3 else { return nil }
            segments.removeFirst(2)
        } else {
            guard segments.count >= 4 else { return nil }
            group = segments[1]
            segments.removeFirst(3)
        }
        var namespace: String?
        if segments.count >= 3, segments[0] == "namespaces" {
            namespace = segments[1]
            segments.removeFirst(2)
        }
        guard let resource = segments.first else { return nil }
        let name = segments.count > 1 ? segments[1] : nil
        let subresource = segments.count > 2 ? segments[2] : ""
        let verb: String
        switch method.uppercased() {
        case "GET": verb = name == nil ? "list" : (subresource == "portforward" ? "create" : "get")
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = "delete"
        default: verb = method.lowercased()
        }
        self.init(
            verb: verb, group: group, resource: resource, subresource: subresource, namespace: namespace,
            name: name.map { $0.split(separator: ":").first.map(String.init) ?? $0 })
    }

    /// `pods/proxy`, `sidecars.networking.istio.io`.
    public var qualifiedResource: String {
        let base = group.isEmpty ? resource : "\(resource).\(group)"
        return subresource.isEmpty ? base : "\(base)/\(subresource)"
    }

    /// `list pods cluster-wide`, `get pods/proxy in namespace shop`.
    public var description: String {
        "\(verb) \(qualifiedResource)\(namespace.map { " in namespace \($0)" } ?? (name == nil ? " cluster-wide" : ""))"
    }
}
