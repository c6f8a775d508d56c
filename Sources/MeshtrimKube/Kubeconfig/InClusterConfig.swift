import Foundation

/// The configuration of a program running in a pod: the API server from `KUBERNETES_SERVICE_HOST`/`_PORT`, the
/// service account's CA, token (re-read when it rotates) and namespace.
public enum InClusterConfig {
    /// Where Kubernetes mounts the service account.
    public static let defaultRoot = "/var/run/secrets/kubernetes.io/serviceaccount"
    /// The context name used for the in-cluster configuration.
    public static let contextName = "in-cluster"

    /// The in-cluster configuration as a one-context kubeconfig, or `nil` outside a pod.
    ///
    /// - Throws: ``KubeconfigError`` when the variables are set but the token is missing.
    public static func kubeconfig(environment: [String: String], root: String = defaultRoot) throws(KubeconfigError) -> Kubeconfig? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else { return nil }
        let tokenPath = "\(root)/token"
        guard FileManager.default.fileExists(atPath: tokenPath) else {
            throw KubeconfigError(
                "running in a pod (KUBERNETES_SERVICE_HOST is set) but \(tokenPath) does not exist: mount a service account "
                    + "token (automountServiceAccountToken) or pass --kubeconfig")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var cluster = ClusterEntry(server: "https://\(hostPart):\(port)")
        cluster.certificateAuthority = "\(root)/ca.crt"
        var user = UserEntry()
        user.tokenFile = tokenPath
        let namespace = (try? String(contentsOfFile: "\(root)/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let source = "in-cluster service account (\(root))"
        return Kubeconfig(
            clusters: [.init(name: contextName, entry: cluster, file: source)],
            users: [.init(name: "serviceaccount", entry: user, file: source)],
            contexts: [
                .init(name: contextName, entry: ContextEntry(cluster: contextName, user: "serviceaccount", namespace: namespace), file: source)
            ],
            currentContext: contextName, files: [])
    }
}
