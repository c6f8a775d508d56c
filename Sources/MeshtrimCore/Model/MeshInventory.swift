/// Everything meshtrim knows about a mesh's configuration: the input of the scope engine.
///
/// An inventory is a plain value. Sources (manifests, snapshots, a live cluster) build one; the engine and the
/// UI only read it.
public struct MeshInventory: Codable, Hashable, Sendable {
    /// Namespaces, in name order.
    public var namespaces: [MeshNamespace]
    /// Pods, in (namespace, name) order.
    public var pods: [Pod]
    /// Services and ServiceEntry hosts.
    public var services: [MeshService]
    /// VirtualServices.
    public var virtualServices: [VirtualService]
    /// DestinationRules.
    public var destinationRules: [DestinationRule]
    /// Sidecars.
    public var sidecars: [Sidecar]
    /// The mesh config (defaults when the `istio` ConfigMap was not seen).
    public var meshConfig: MeshConfig
    /// The Istio version the mesh runs, when known.
    public var istioVersion: IstioVersion?
    /// The namespace istiod runs in (usually `istio-system`).
    public var istiodNamespace: String
    /// The `networking.istio.io` version a live cluster serves Sidecars in when it does not serve `v1` (Istio before
    /// 1.22: `networking.istio.io/v1beta1`), from the API server's discovery; `nil` when it serves `v1` or the source
    /// cannot tell (manifests, the demo). The Sidecars meshtrim writes for this mesh use it, so a file written from
    /// such a cluster applies there as it is.
    public var servedSidecarAPIVersion: String?

    /// Makes an inventory.
    public init(
        namespaces: [MeshNamespace] = [], pods: [Pod] = [], services: [MeshService] = [],
        virtualServices: [VirtualService] = [], destinationRules: [DestinationRule] = [], sidecars: [Sidecar] = [],
        meshConfig: MeshConfig = MeshConfig(), istioVersion: IstioVersion? = nil, istiodNamespace: String = "istio-system",
        servedSidecarAPIVersion: String? = nil
    ) {
        self.namespaces = namespaces
        self.pods = pods
        self.services = services
        self.virtualServices = virtualServices
        self.destinationRules = destinationRules
        self.sidecars = sidecars
        self.meshConfig = meshConfig
        self.istioVersion = istioVersion
        self.istiodNamespace = istiodNamespace
        self.servedSidecarAPIVersion = servedSidecarAPIVersion
    }

    /// The names of every namespace that holds anything, known namespaces first.
    public var allNamespaceNames: [String] {
        var names = Set(namespaces.map(\.name))
        for pod in pods { names.insert(pod.namespace) }
        for service in services { names.insert(service.namespace) }
        for sidecar in sidecars { names.insert(sidecar.meta.namespace) }
        return names.sorted()
    }

    /// The pod with this name in this namespace.
    public func pod(named name: String, in namespace: String) -> Pod? {
        pods.first { $0.name == name && $0.namespace == namespace }
    }
}
