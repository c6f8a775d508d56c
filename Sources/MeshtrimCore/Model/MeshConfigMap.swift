/// A mesh config ConfigMap as written (`istio`, or `istio-<rev>` of a revisioned install, with key `mesh`).
///
/// Kept as read so that a lab serves the very ConfigMaps of its manifests, and a live cluster's ConfigMaps go
/// through the same revision rule (``ManifestSet/meshConfigMaps``) as manifests do.
public struct MeshConfigMap: Hashable, Sendable {
    /// The ConfigMap's metadata (name, namespace, labels).
    public var meta: ObjectMeta
    /// Its `data` as written (`mesh`, `meshNetworks`).
    public var data: [String: String]

    /// Makes a mesh config ConfigMap.
    public init(meta: ObjectMeta, data: [String: String]) {
        self.meta = meta
        self.data = data
    }
}
