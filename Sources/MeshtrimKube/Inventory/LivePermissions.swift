/// What the current user may read and do on a live cluster, checked up front with SelfSubjectAccessReviews, and
/// how each data path is shown when it is not permitted.
public struct LivePermissions: Sendable, Hashable {
    /// `list pods` in all namespaces.
    public var listPods: AccessAnswer
    /// `list namespaces`.
    public var listNamespaces: AccessAnswer
    /// `get pods/proxy` (Envoy stats on :15090) in all namespaces.
    public var podProxy: AccessAnswer
    /// `create pods/portforward` (Envoy admin on :15000 for cluster names) in all namespaces.
    public var portForward: AccessAnswer
    /// `list pods.metrics.k8s.io` (working sets).
    public var podMetrics: AccessAnswer
    /// `patch sidecars.networking.istio.io` (applying a Sidecar).
    public var patchSidecars: AccessAnswer

    /// Everything allowed (tests, snapshots).
    public static let everything = LivePermissions(
        listPods: .allowed, listNamespaces: .allowed, podProxy: .allowed, portForward: .allowed, podMetrics: .allowed,
        patchSidecars: .allowed)

    /// The reviews, in the order of the fields.
    static let reviews: [ResourcePath] = [
        ResourcePath(verb: "list", resource: "pods"),
        ResourcePath(verb: "list", resource: "namespaces"),
        ResourcePath(verb: "get", resource: "pods", subresource: "proxy"),
        ResourcePath(verb: "create", resource: "pods", subresource: "portforward"),
        ResourcePath(verb: "list", group: "metrics.k8s.io", resource: "pods"),
        ResourcePath(verb: "patch", group: "networking.istio.io", resource: "sidecars"),
    ]

    /// Asks every review at once.
    public static func check(with checker: AccessChecker) async -> LivePermissions {
        let answers = await checker.check(reviews)
        return LivePermissions(
            listPods: answers[0], listNamespaces: answers[1], podProxy: answers[2], portForward: answers[3], podMetrics: answers[4],
            patchSidecars: answers[5])
    }

    /// One line per data path for the UI and `meshtrim snapshot`: where it comes from, or why it is not shown.
    public var lines: [String] {
        [
            podProxy == .denied
                ? "memory and cluster counts: not observed — pods/proxy not permitted (predictions only)"
                : "memory and cluster counts: pod proxy :15090/stats/prometheus",
            portForward == .denied
                ? "cluster names: predicted — pods/portforward not permitted"
                : "cluster names: port-forward :15000 config_dump (on demand)",
            podMetrics == .denied
                ? "working set: not shown — pods.metrics.k8s.io not permitted"
                : "working set: metrics.k8s.io",
            patchSidecars == .denied
                ? "Sidecar apply: not permitted (patch sidecars.networking.istio.io); write YAML files instead"
                : "Sidecar apply: permitted",
        ]
    }
}
