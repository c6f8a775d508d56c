import Foundation
import MeshtrimCore

/// The options of a write as the API server reads them: `dryRun` (from the query, and for DELETE also from the
/// `DeleteOptions` body kubectl sends) and the field manager.
enum WriteOptions {
    /// Whether the write is a dry-run.
    ///
    /// `dryRun=All` (repeated or not) is the only value the API server knows; any other is refused as 422 `Invalid`
    /// in its words (`DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"x"}: supported
    /// values: "All"`), never taken as a real write.
    ///
    /// - Parameter options: `CreateOptions`, `PatchOptions`, `UpdateOptions` or `DeleteOptions`.
    /// - Throws: ``KubernetesStatus`` 422 for an unknown value, 400 for a DELETE body that is not `DeleteOptions` JSON.
    static func dryRun(_ request: APIRequest, options: String) throws -> Bool {
        var values = request.query["dryRun"] ?? []
        if options == "DeleteOptions", !request.body.isEmpty {
            let body: JSONValue
            do { body = try JSONValue.parse(request.body) } catch {
                throw KubernetesStatus.badRequest("error decoding DeleteOptions: \(error)")
            }
            if case .array(let items)? = body["dryRun"] { values += items.map { $0.stringValue ?? $0.jsonText } }
        }
        guard values.allSatisfy({ $0 == "All" }) else {
            let value = "[]string{" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
            let detail = "Unsupported value: \(value): supported values: \"All\""
            throw KubernetesStatus(
                code: 422, reason: "Invalid", message: "\(options).meta.k8s.io \"\" is invalid: dryRun: \(detail)", name: "",
                group: "meta.k8s.io", kind: options, causes: [.init(reason: "FieldValueNotSupported", message: detail, field: "dryRun")])
        }
        return !values.isEmpty
    }

    /// The `fieldManager` parameter, or what the API server derives without one: the User-Agent up to its first `/`
    /// (`kubectl/v1.32.4 (linux/amd64)` → `kubectl`), else `fallback`.
    static func fieldManager(_ request: APIRequest, default fallback: String) -> String {
        if let manager = request.parameter("fieldManager"), !manager.isEmpty { return manager }
        let agent = request.headers["user-agent"]?.split(separator: "/").first.map(String.init) ?? ""
        return agent.isEmpty ? fallback : agent
    }
}
