import MeshtrimCore

/// The discovery documents: `/api`, `/apis` and one `APIResourceList` per group version.
///
/// The lab serves legacy discovery only (plain `application/json`), which every kubectl version understands: a
/// client that asks for aggregated discovery gets JSON without the aggregated media type and falls back to
/// `/api/v1` and `/apis/GROUP/VERSION` (see docs/kubernetes-and-envoy.md §3.4).
enum Discovery {
    /// `/api`.
    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// The API groups other than core with the versions served, preferred first; `istioVersions` are the
    /// `networking.istio.io` versions (Istio 1.22+ serves `v1`; earlier releases only `v1beta1` and `v1alpha3`).
    static func groups(istioVersions: [String]) -> [(name: String, versions: [String])] {
        [("networking.istio.io", istioVersions), ("metrics.k8s.io", ["v1beta1"]), ("authorization.k8s.io", ["v1"])]
    }

    /// `/apis`.
    static func groupList(istioVersions: [String]) -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups(istioVersions: istioVersions).map(group))]
    }

    /// `/apis/GROUP`.
    static func group(named name: String, istioVersions: [String]) -> JSONValue? {
        groups(istioVersions: istioVersions).first { $0.name == name }.map(group)
    }

    private static func group(_ entry: (name: String, versions: [String])) -> JSONValue {
        let versions: [JSONValue] = entry.versions.map { ["groupVersion": .string("\(entry.name)/\($0)"), "version": .string($0)] }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": .string(entry.name), "versions": .array(versions),
            "preferredVersion": versions.first ?? [:],
        ]
    }

    /// `/api/v1` or `/apis/GROUP/VERSION`; `nil` for a group version the lab does not serve. The lab's Istio kinds
    /// are held as `v1`; `servedAs` is the Istio version the list names (the schema is the same in all three).
    static func resourceList(group: String, version: String, servedAs istioVersion: String? = nil) -> JSONValue? {
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
        let groupVersion = group.isEmpty ? version : "\(group)/\(istioVersion ?? version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(entries)]
    }

    private static func subresource(_ name: String, kind: String, verbs: [String]) -> JSONValue {
        ["name": .string(name), "singularName": "", "namespaced": true, "kind": .string(kind), "verbs": .array(verbs.map(JSONValue.string))]
    }
}
