/// The Sidecars of a manifest text exactly as written, for ``Sidecar/original``.
///
/// The inventory's typed ``Sidecar`` keeps only what scoping needs; these keep the whole object (in member order) so
/// that an edit can write back every field meshtrim does not change.
enum SidecarOriginals {
    /// Every Sidecar of `text` by `namespace/name` (a Sidecar without a namespace is in `defaultNamespace`); empty
    /// when the text has none or is not YAML (the loader reports that).
    static func read(_ text: String, defaultNamespace: String) -> [String: OrderedJSON] {
        guard text.contains("Sidecar"), let set = try? SidecarDocumentReader.read(text) else { return [:] }
        var result: [String: OrderedJSON] = [:]
        for document in set.sidecars {
            let namespace = document.sidecar.meta.namespace.isEmpty ? defaultNamespace : document.sidecar.meta.namespace
            result["\(namespace)/\(document.sidecar.meta.name)"] = document.original
        }
        return result
    }

    /// Sets ``Sidecar/original`` of each Sidecar of `inventory` found in `originals`.
    static func attach(_ originals: [String: OrderedJSON], to inventory: inout MeshInventory) {
        guard !originals.isEmpty else { return }
        for index in inventory.sidecars.indices {
            let meta = inventory.sidecars[index].meta
            if let original = originals["\(meta.namespace)/\(meta.name)"] { inventory.sidecars[index].original = original }
        }
    }
}
