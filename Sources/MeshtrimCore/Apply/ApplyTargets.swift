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

    /// An inventory of one namespace from the API server's list answers (`PodList` and `SidecarList` JSON), enough to
    /// select Sidecars.
    ///
    /// The answers are read by the manifest decoder, like the live inventory's pages: the items of a typed list carry
    /// no `kind`, and take the list's (`PodList` items are `Pod`s of the list's `apiVersion`).
    ///
    /// - Throws: ``ManifestError`` when an answer is not JSON or not a list of that kind.
    public static func inventory(podList: String, sidecarList: String?) throws -> MeshInventory {
        var builder = InventoryBuilder()
        for (text, kind) in [(podList, "PodList"), (sidecarList ?? "", "SidecarList")] where !text.isEmpty {
            let objects = try ManifestLoader.decode(text, file: kind)
            guard objects.count == 1, case .list(let items) = objects[0].0 else {
                throw ManifestError(file: kind, message: "the API server's answer is not a list (expected kind: \(kind) with items)")
            }
            for item in items { builder.add(item, source: kind) }
        }
        return builder.finish()
    }
}
