import Foundation

/// The kubeconfig as kubectl sees it: every file merged with kubectl's rules, relative paths made absolute.
///
/// Load one with ``KubeconfigLoader``; pick a context with ``resolve(context:)``.
public struct Kubeconfig: Sendable, Hashable {
    /// A named stanza and the file that defined it.
    public struct Named<Entry: Sendable & Hashable>: Sendable, Hashable {
        /// The name (any string: EKS uses ARNs, OpenShift `admin/api-x:6443`).
        public var name: String
        /// The stanza.
        public var entry: Entry
        /// The file that defined it (the first one that did wins).
        public var file: String

        /// Makes a named stanza.
        public init(name: String, entry: Entry, file: String) {
            self.name = name
            self.entry = entry
            self.file = file
        }
    }

    /// Clusters, in first-seen order.
    public var clusters: [Named<ClusterEntry>]
    /// Users, in first-seen order.
    public var users: [Named<UserEntry>]
    /// Contexts, in first-seen order.
    public var contexts: [Named<ContextEntry>]
    /// `current-context` of the first file that sets one.
    public var currentContext: String?
    /// The files read, in order (missing `KUBECONFIG` entries are not listed).
    public var files: [String]

    /// Makes a kubeconfig.
    public init(
        clusters: [Named<ClusterEntry>] = [], users: [Named<UserEntry>] = [], contexts: [Named<ContextEntry>] = [],
        currentContext: String? = nil, files: [String] = []
    ) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
        self.files = files
    }

    /// The cluster with this name.
    public func cluster(named name: String) -> Named<ClusterEntry>? { clusters.first { $0.name == name } }
    /// The user with this name.
    public func user(named name: String) -> Named<UserEntry>? { users.first { $0.name == name } }
    /// The context with this name.
    public func context(named name: String) -> Named<ContextEntry>? { contexts.first { $0.name == name } }

    /// The context names, in the order kubectl lists them (`kubectl config get-contexts` sorts by name).
    public var contextNames: [String] { contexts.map(\.name).sorted() }

    /// Everything needed to talk to the cluster of one context.
    ///
    /// - Parameter context: the context's name; `nil` means `current-context`.
    /// - Throws: ``KubeconfigError`` when there is no such context, its cluster is missing or has no server, or the
    ///   user uses a removed auth provider.
    public func resolve(context: String? = nil) throws(KubeconfigError) -> ClusterAccess {
        let where_ = files.isEmpty ? "the kubeconfig" : files.joined(separator: ":")
        guard let contextName = context ?? currentContext.flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw KubeconfigError(
                "no current context in \(where_): pick one with --context (contexts: \(Self.list(contextNames))) "
                    + "or run kubectl config use-context NAME")
        }
        guard let named = self.context(named: contextName) else {
            throw KubeconfigError("context \"\(contextName)\" is not in \(where_) (contexts: \(Self.list(contextNames)))")
        }
        guard let clusterName = named.entry.cluster, !clusterName.isEmpty else {
            throw KubeconfigError("context \"\(contextName)\" in \(named.file) names no cluster")
        }
        guard let cluster = self.cluster(named: clusterName) else {
            throw KubeconfigError("context \"\(contextName)\" uses cluster \"\(clusterName)\", which is not in \(where_)")
        }
        guard let server = cluster.entry.server, !server.isEmpty else {
            throw KubeconfigError("cluster \"\(clusterName)\" in \(cluster.file) has no server")
        }
        let userName = named.entry.user ?? ""
        let user = self.user(named: userName)
        if let provider = user?.entry.authProvider, user?.entry.exec == nil, user?.entry.token == nil {
            try AuthProviderPolicy.check(provider, user: userName, context: contextName)
        }
        if cluster.entry.insecureSkipTLSVerify == true,
            cluster.entry.certificateAuthority != nil || cluster.entry.certificateAuthorityData != nil
        {
            throw KubeconfigError(
                "cluster \"\(clusterName)\" sets insecure-skip-tls-verify together with a certificate authority, which kubectl "
                    + "refuses too; remove one of them")
        }
        let namespace = named.entry.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return ClusterAccess(
            contextName: contextName, clusterName: clusterName, userName: userName, server: server, namespace: namespace,
            cluster: cluster.entry, user: user?.entry ?? UserEntry())
    }

    static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}

/// What meshtrim does with legacy `auth-provider` stanzas.
enum AuthProviderPolicy {
    /// Accepts `oidc` (its `id-token` is the bearer token); rejects the providers kubectl removed, naming the plugin
    /// that replaced each.
    static func check(_ provider: AuthProviderEntry, user: String, context: String) throws(KubeconfigError) {
        switch provider.name {
        case "oidc":
            guard let token = provider.config?["id-token"], !token.isEmpty else {
                throw KubeconfigError(
                    "user \"\(user)\" (context \"\(context)\") uses the oidc auth-provider without an id-token; log in again "
                        + "(e.g. with kubelogin) or switch the user to an exec plugin")
            }
        case "gcp":
            throw KubeconfigError(
                "user \"\(user)\" (context \"\(context)\") uses the gcp auth-provider, which was removed from kubectl 1.26: "
                    + "install gke-gcloud-auth-plugin and run gcloud container clusters get-credentials again")
        case "azure":
            throw KubeconfigError(
                "user \"\(user)\" (context \"\(context)\") uses the azure auth-provider, which was removed from kubectl 1.26: "
                    + "install kubelogin and run kubelogin convert-kubeconfig -l azurecli")
        default:
            throw KubeconfigError(
                "user \"\(user)\" (context \"\(context)\") uses the \"\(provider.name)\" auth-provider, which meshtrim does not "
                    + "support; use a token or an exec credential plugin")
        }
    }
}
