import MeshtrimCore

/// The discovery documents: `/version`, `/api`, `/apis` and one `APIResourceList` per group version.
///
/// The lab serves legacy discovery only (plain `application/json`), which every kubectl version understands: a
/// client that asks for aggregated discovery gets JSON without the aggregated media type and falls back to
/// `/api/v1` and `/apis/GROUP/VERSION` (see docs/kubernetes-and-envoy.md §3.4).
enum Discovery {
    /// The Kubernetes version the lab claims: minor 32, so the kubectl dispatcher runs kubectl 1.32.
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.4-meshtrim-lab", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.6", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    /// `/api`.
    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// The API groups other than core, each with one version.
    static let groups: [(name: String, version: String)] = [
        ("networking.istio.io", "v1"), ("metrics.k8s.io", "v1beta1"), ("authorization.k8s.io", "v1"),
    ]

    /// `/apis`.
    static var groupList: JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(group))]
    }

    /// `/apis/GROUP`.
    static func group(named name: String) -> JSONValue? {
        groups.first { $0.name == name }.map(group)
    }

    private static func group(_ entry: (name: String, version: String)) -> JSONValue {
        let version: JSONValue = ["groupVersion": .string("\(entry.name)/\(entry.version)"), "version": .string(entry.version)]
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(entry.name), "versions": [version], "preferredVersion": version]
    }

    /// `/api/v1` or `/apis/GROUP/VERSION`; `nil` for a group version the lab does not serve.
    static func resourceList(group: String, version: String) -> JSONValue? {
        let resources = LabResource.all.filter { $0.group == group && $0.version == version }
        guard !resources.isEmpty else { return nil }
        var entries: [JSONValue] = []
        for resource in resources {
            var entry: [String: JSONValue] = [
                "name": .string(resource.plural), "singularName": .string(resource.singular), "namespaced": .bool(resource.namespaced),
                "kind": .string(resource.kind), "verbs": .array(resource.verbs.map(JSONValue.string)),
            ]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map(JSONValue.string)) }
            if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map(JSONValue.string)) }
            if !resource.group.isEmpty && resource.group != "metrics.k8s.io" && resource.group != "authorization.k8s.io" {
                entry["storageVersionHash"] = .string(String(TrafficPlanner.hash(resource.qualifiedName), radix: 36).prefix(11).description)
            }
            entries.append(.object(entry))
            if resource == .pods {
                entries.append(subresource("pods/proxy", kind: "PodProxyOptions", verbs: ["create", "delete", "get", "patch", "update"]))
                entries.append(subresource("pods/portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"]))
                entries.append(subresource("pods/status", kind: "Pod", verbs: ["get", "patch", "update"]))
            }
            if resource == .sidecars {
                entries.append(subresource("sidecars/status", kind: "Sidecar", verbs: ["get", "patch", "update"]))
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(entries)]
    }

    private static func subresource(_ name: String, kind: String, verbs: [String]) -> JSONValue {
        ["name": .string(name), "singularName": "", "namespaced": true, "kind": .string(kind), "verbs": .array(verbs.map(JSONValue.string))]
    }
}
