import MeshtrimCore

/// The OpenAPI v3 documents `kubectl apply --server-side` reads before it patches.
///
/// kubectl looks for a PATCH operation whose `x-kubernetes-group-version-kind` is the object's and that declares the
/// `fieldValidation` parameter; without it kubectl falls back to protobuf OpenAPI v2, which the lab does not serve
/// (docs/kubernetes-and-envoy.md §3.3). One document per group version keeps this working for every stored kind.
enum OpenAPIDocument {
    /// A stable hash for the `serverRelativeURL`s (kubectl caches documents by it).
    static let hash = "4D2E5B0C1A9F7E3D"

    /// `/openapi/v3`: the index; `istioVersions` are the `networking.istio.io` versions served.
    static func index(istioVersions: [String] = ["v1"]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        let istio = LabResource.sidecars.group
        let groupVersions = Set(LabResource.stored.filter { $0.group != istio }.map(\.groupVersion)).union(istioVersions.map { "\(istio)/\($0)" })
        for groupVersion in groupVersions {
            let path = groupVersion.contains("/") ? "apis/\(groupVersion)" : "api/\(groupVersion)"
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/GROUP/VERSION`; `nil` for others. `servedAs` names the version the
    /// document describes when it is not the one the lab holds the kinds as (Istio's v1beta1 for v1).
    static func document(group: String, version: String, servedAs: String? = nil) -> JSONValue? {
        let resources = LabResource.stored.filter { $0.group == group && $0.version == version }
        let version = servedAs ?? version
        guard !resources.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        let parameters: JSONValue = [
            ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "force", "in": "query", "schema": ["type": "boolean", "uniqueItems": true]],
        ]
        for resource in resources {
            let gvk: JSONValue = ["group": .string(resource.group), "version": .string(version), "kind": .string(resource.kind)]
            let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            let path = resource.namespaced
                ? "\(prefix)/namespaces/{namespace}/\(resource.plural)/{name}" : "\(prefix)/\(resource.plural)/{name}"
            let schemaName = schemaName(resource, version: version)
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(schemaName)")]
            paths[path] = [
                "get": [
                    "operationId": .string("read\(resource.kind)"), "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk,
                    "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": reference]]]],
                ],
                "patch": [
                    "operationId": .string("patch\(resource.kind)"), "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
                    "parameters": parameters,
                    "responses": [
                        "200": ["description": "OK", "content": ["application/json": ["schema": reference]]],
                        "201": ["description": "Created", "content": ["application/json": ["schema": reference]]],
                    ],
                ],
            ]
            schemas[schemaName] = [
                "type": "object", "x-kubernetes-group-version-kind": [gvk],
                "properties": [
                    "apiVersion": ["type": "string"], "kind": ["type": "string"],
                    "metadata": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "data": ["type": "object", "additionalProperties": ["type": "string"]],
                ],
            ]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.4"], "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    private static func schemaName(_ resource: LabResource, version: String) -> String {
        if resource.group.isEmpty { return "io.k8s.api.core.v1.\(resource.kind)" }
        let reversed = resource.group.split(separator: ".").reversed().joined(separator: ".")
        return "\(reversed).\(version).\(resource.kind)"
    }
}
