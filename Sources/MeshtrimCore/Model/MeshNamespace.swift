/// A Kubernetes namespace with the labels that decide how Istio treats it.
public struct MeshNamespace: Codable, Hashable, Sendable {
    /// The namespace's metadata.
    public var meta: ObjectMeta

    /// Makes a namespace.
    public init(meta: ObjectMeta) { self.meta = meta }

    /// The namespace's name.
    public var name: String { meta.name }

    /// Whether sidecar injection is switched on (`istio-injection=enabled` or an `istio.io/rev` label).
    public var isInjectionEnabled: Bool {
        meta.labels["istio-injection"] == "enabled" || meta.labels["istio.io/rev"] != nil
    }

    /// Whether the namespace is in ambient mode, where Sidecar resources have no effect.
    public var isAmbient: Bool { meta.labels["istio.io/dataplane-mode"] == "ambient" }
}
