/// The Sidecars of a manifest text exactly as written, for ``Sidecar/original``.
///
/// The inventory's typed ``Sidecar`` keeps only what scoping needs; these keep the whole object (in member order) so
/// that an edit can write back every field meshtrim does not change.
enum SidecarOriginals {
    /// One Sidecar as written, with the namespace its metadata names (`nil` when it names none: the loader that adds
    /// it puts it in its default namespace, as it does the typed Sidecar).
    struct Original: Sendable {
        var namespace: String?
        var name: String
        var object: OrderedJSON

        /// `namespace/name`, a Sidecar without a namespace in `defaultNamespace`.
        func key(defaultNamespace: String) -> String { "\(namespace ?? defaultNamespace)/\(name)" }
    }

    /// Every Sidecar of `text`, in document order; empty when the text has none or is not YAML (the loader reports
    /// that).
    static func read(_ text: String) -> [Original] {
        guard text.contains("Sidecar"), let set = try? SidecarDocumentReader.read(text) else { return [] }
        return set.sidecars.map { document in
            let namespace = document.sidecar.meta.namespace
            return Original(namespace: namespace.isEmpty ? nil : namespace, name: document.sidecar.meta.name, object: document.original)
        }
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
