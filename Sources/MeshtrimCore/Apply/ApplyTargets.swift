import Foundation

/// Which pods a Sidecar will apply to, by Istio's selection rules (``ScopeEngine/selectSidecar(namespace:labels:candidate:)``).
public enum ApplyTargets {
    /// The pods with a sidecar in the document's namespace whose Sidecar would be this one once applied, in order,
    /// and warnings (another Sidecar wins for some or all of them).
    public static func pods(for document: ApplyDocument, inventory: MeshInventory) -> (pods: [PodKey], warnings: [String]) {
        let engine = ScopeEngine(inventory: inventory)
        var pods: [PodKey] = []
        var warnings: [String] = []
        var shadowed = 0
        for pod in inventory.pods where pod.namespace == document.namespace && pod.hasSidecar {
            let selection = engine.selectSidecar(namespace: pod.namespace, labels: pod.labels, candidate: document.sidecar)
            for warning in selection.warnings where !warnings.contains(warning) { warnings.append(warning) }
            if selection.sidecar?.meta.name == document.name, selection.sidecar?.meta.namespace == document.namespace {
                pods.append(PodKey(namespace: pod.namespace, name: pod.name))
            } else if document.sidecar.workloadSelector?.matches(pod.labels) ?? true {
                shadowed += 1
            }
        }
        if shadowed > 0, warnings.isEmpty {
            warnings.append("\(shadowed) pod\(shadowed == 1 ? "" : "s") in \(document.namespace) keep another Sidecar that selects them")
        }
        return (pods.sorted(), warnings)
    }

    /// An inventory of one namespace from the API server's list answers (`PodList` and `SidecarList` JSON, whose
    /// items carry no `kind`), enough to select Sidecars.
    ///
    /// - Throws: ``ManifestError`` when an answer is not a readable list.
    public static func inventory(podList: String, sidecarList: String?) throws -> MeshInventory {
        var builder = InventoryBuilder()
        for (text, kind, apiVersion) in [(podList, "Pod", "v1"), (sidecarList ?? "", "Sidecar", "networking.istio.io/v1")] where !text.isEmpty {
            guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let items = list["items"] as? [[String: Any]]
            else { throw ManifestError(file: kind + "List", message: "the API server's answer is not a list") }
            let typed = items.map { item -> [String: Any] in
                var item = item
                item["kind"] = kind
                item["apiVersion"] = apiVersion
                return item
            }
            let data = try JSONSerialization.data(withJSONObject: typed)
            for (object, _) in try ManifestLoader.decode(String(decoding: data, as: UTF8.self), file: kind + "List") {
                builder.add(object, source: kind + "List")
            }
        }
        return builder.finish()
    }
}
