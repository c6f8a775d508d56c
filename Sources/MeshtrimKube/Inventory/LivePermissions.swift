/// What the current user may read and do on a live cluster, checked up front with SelfSubjectAccessReviews, and
/// how each data path is shown when it is not permitted.
public struct LivePermissions: Sendable, Hashable {
    /// `list pods` in all namespaces.
    public var listPods: AccessAnswer
    /// `list namespaces`.
    public var listNamespaces: AccessAnswer
    /// `get pods/proxy` (Envoy stats on :15090) in all namespaces.
    public var podProxy: AccessAnswer
    /// `pods/portforward` with every verb of ``portForwardVerbs`` (Envoy admin on :15000 for cluster names, stats
    /// on :15090 when the pod network is closed) in all namespaces: denied when one verb is.
    public var portForward: AccessAnswer
    /// `list pods.metrics.k8s.io` (working sets).
    public var podMetrics: AccessAnswer
    /// `patch sidecars.networking.istio.io` (applying a Sidecar).
    public var patchSidecars: AccessAnswer
    /// The verbs the server authorises a WebSocket port-forward as (``portForwardVerbs(serverVersion:)``).
    public var portForwardVerbs: [String] = ["get"]
    /// The server's version (`v1.32.4`), when known, for the wording of the notes.
    public var serverVersion: String?

    /// Equal when the same paths are permitted (the version and verbs only word the notes).
    public static func == (left: LivePermissions, right: LivePermissions) -> Bool {
        left.listPods == right.listPods && left.listNamespaces == right.listNamespaces && left.podProxy == right.podProxy
            && left.portForward == right.portForward && left.podMetrics == right.podMetrics && left.patchSidecars == right.patchSidecars
    }

    /// Hashes what ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        for answer in [listPods, listNamespaces, podProxy, portForward, podMetrics, patchSidecars] { hasher.combine(answer) }
    }

    /// Everything allowed (tests, snapshots).
    public static let everything = LivePermissions(
        listPods: .allowed, listNamespaces: .allowed, podProxy: .allowed, portForward: .allowed, podMetrics: .allowed,
        patchSidecars: .allowed)

    /// The reviews before the port-forward ones, in the order of the fields.
    static let reviews: [ResourcePath] = [
        ResourcePath(verb: "list", resource: "pods"),
        ResourcePath(verb: "list", resource: "namespaces"),
        ResourcePath(verb: "get", resource: "pods", subresource: "proxy"),
        ResourcePath(verb: "list", group: "metrics.k8s.io", resource: "pods"),
        ResourcePath(verb: "patch", group: "networking.istio.io", resource: "sidecars"),
    ]

    /// The verbs a WebSocket port-forward (a GET upgrade) is authorised as: `get` on Kubernetes 1.28–1.34, `get` and
    /// `create` from 1.35 (kubernetes/kubernetes PR #134577); `get` when the version is unknown (a refusal then still
    /// shows as the server's 403).
    public static func portForwardVerbs(serverVersion: String?) -> [String] {
        guard let minor = minorVersion(serverVersion) else { return ["get"] }
        return minor >= 35 ? ["get", "create"] : ["get"]
    }

    /// The minor version of a `1.x` server version (`v1.35.0-gke.100` → 35).
    static func minorVersion(_ version: String?) -> Int? {
        guard var text = version else { return nil }
        if text.hasPrefix("v") { text.removeFirst() }
        let parts = text.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "1" else { return nil }
        return Int(parts[1].prefix { $0.isNumber })
    }

    /// Asks every review at once; the port-forward with the verbs the server's version authorises it as.
    public static func check(with checker: AccessChecker, serverVersion: String? = nil) async -> LivePermissions {
        let verbs = portForwardVerbs(serverVersion: serverVersion)
        let forward = verbs.map { ResourcePath(verb: $0, resource: "pods", subresource: "portforward") }
        let answers = await checker.check(reviews + forward)
        var permissions = LivePermissions(
            listPods: answers[0], listNamespaces: answers[1], podProxy: answers[2],
            portForward: combined(Array(answers[reviews.count...])), podMetrics: answers[3], patchSidecars: answers[4])
        permissions.portForwardVerbs = verbs
        permissions.serverVersion = serverVersion
        return permissions
    }

    /// One answer for several verbs: denied when one is, allowed when all are, else unknown.
    static func combined(_ answers: [AccessAnswer]) -> AccessAnswer {
        if answers.contains(.denied) { return .denied }
        if answers.allSatisfy({ $0 == .allowed }) { return .allowed }
        return answers.first { $0 != .allowed } ?? .allowed
    }

    /// What a WebSocket port-forward needs on this server, for the notes.
    public var portForwardNeed: String {
        let verbs = portForwardVerbs.joined(separator: " and ")
        guard let serverVersion, Self.minorVersion(serverVersion) != nil else {
            return "a WebSocket port-forward needs get on pods/portforward (get and create from Kubernetes 1.35)"
        }
        return "Kubernetes \(serverVersion) authorises a WebSocket port-forward as \(verbs) on pods/portforward"
    }

    /// Where Envoy stats come from: the pod proxy, a port-forward when only that is permitted, or nowhere.
    public var statsLine: String {
        guard podProxy == .denied else { return "memory and cluster counts: pod proxy :15090/stats/prometheus" }
        return portForward == .denied
            ? "memory and cluster counts: not observed — pods/proxy not permitted (predictions only)"
            : "memory and cluster counts: by port-forward :15090 — pods/proxy not permitted"
    }

    /// The note when the port-forward is not permitted.
    public var portForwardDeniedLine: String { "cluster names: predicted — pods/portforward not permitted (\(portForwardNeed))" }

    /// One line per data path for the UI and `meshtrim snapshot`: where it comes from, or why it is not shown.
    public var lines: [String] {
        [
            statsLine,
            portForward == .denied
                ? portForwardDeniedLine
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
