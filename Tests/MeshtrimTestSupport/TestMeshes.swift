// Test meshes the lab reads with `--manifests`.

/// `shop` with one sidecar pod (`checkout-7c9d5b6f8-q4x2p`) and its Service, plus `namespaces` namespaces
/// (`catalog-N`) of `servicesPerNamespace` two-port Services each: a mesh whose Envoys hold ~2 clusters per Service
/// until a Sidecar trims them (the apply and trim proofs of MeshtrimKubeTests and MeshtrimLabTests).
public func shopWithCatalogs(namespaces: Int, servicesPerNamespace: Int) -> String {
    var documents = [
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}",
        "apiVersion: v1\nkind: Service\nmetadata: {name: checkout, namespace: shop}\nspec:\n  selector: {app: checkout}\n  ports: [{name: http, port: 8080}]",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: checkout-7c9d5b6f8-q4x2p, namespace: shop, labels: {app: checkout, version: v1}}
        spec:
          containers:
          - {name: checkout, image: shop/checkout:1.0, ports: [{name: http, containerPort: 8080}]}
          - {name: istio-proxy, image: docker.io/istio/proxyv2:1.31.0}
        status: {phase: Running, podIP: 10.244.9.9, containerStatuses: [{name: checkout, ready: true}, {name: istio-proxy, ready: true}]}
        """,
    ]
    for namespace in 0..<namespaces {
        documents.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: catalog-\(namespace)}")
        for service in 0..<servicesPerNamespace {
            documents.append(
                "apiVersion: v1\nkind: Service\nmetadata: {name: item-\(service), namespace: catalog-\(namespace)}\n"
                    + "spec:\n  selector: {app: item-\(service)}\n  ports: [{name: http, port: 8080}, {name: grpc, port: 9090}]")
        }
    }
    return documents.joined(separator: "\n---\n") + "\n"
}
