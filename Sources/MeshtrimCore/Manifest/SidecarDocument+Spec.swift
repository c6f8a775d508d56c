import Yams

extension SidecarDocumentReader {
    /// The `spec` of every Sidecar in `text`, as written, in the order of ``read(_:)``'s `sidecars` (same
    /// flattening of `kind: List`, same filter on `kind` and `apiVersion`); `.null` for a Sidecar without `spec`.
    ///
    /// ``SidecarValidator/validate(_:details:spec:)`` runs the rules for what the ``Sidecar`` model does not keep
    /// (ingress `tls`, `defaultEndpoint`, connection pools, the egress proxy) on these.
    ///
    /// - Returns: `nil` when the text cannot be read as YAML (``read(_:)`` reports where) or holds a value JSON
    ///   cannot represent.
    public static func specs(_ text: String) -> [JSONValue]? {
        guard let documents = try? Yams.load_all(yaml: text) else { return nil }
        var specs: [JSONValue] = []
        do {
            for document in documents { try collectSpecs(try JSONValue.from(any: document), into: &specs) }
        } catch {
            return nil
        }
        return specs
    }

    private static func collectSpecs(_ object: JSONValue, into specs: inout [JSONValue]) throws {
        guard case .object = object else { return }
        let kind = object["kind"]?.stringValue ?? ""
        if kind == "List" || kind.hasSuffix("List"), let items = object["items"]?.arrayValue {
            for item in items { try collectSpecs(item, into: &specs) }
            return
        }
        guard kind == "Sidecar", (object["apiVersion"]?.stringValue ?? "").hasPrefix("networking.istio.io/") else { return }
        specs.append(object["spec"] ?? .null)
    }
}
