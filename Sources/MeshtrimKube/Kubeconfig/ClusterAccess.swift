import Foundation
import MeshtrimCore

/// One kubeconfig context resolved: which server, which credentials, which default namespace.
public struct ClusterAccess: Sendable, Hashable {
    /// The context's name.
    public var contextName: String
    /// The cluster's name.
    public var clusterName: String
    /// The user's name (empty for an anonymous context).
    public var userName: String
    /// The server URL, path prefix included.
    public var server: String
    /// The context's namespace (`default` when it sets none).
    public var namespace: String
    /// The cluster stanza.
    public var cluster: ClusterEntry
    /// The user stanza.
    public var user: UserEntry

    /// Makes an access description.
    public init(
        contextName: String, clusterName: String, userName: String, server: String, namespace: String, cluster: ClusterEntry,
        user: UserEntry
    ) {
        self.contextName = contextName
        self.clusterName = clusterName
        self.userName = userName
        self.server = server
        self.namespace = namespace
        self.cluster = cluster
        self.user = user
    }

    /// `user X in context Y`, for messages.
    public var who: String {
        userName.isEmpty ? "the anonymous user of context \"\(contextName)\"" : "user \"\(userName)\" in context \"\(contextName)\""
    }

    /// The exec plugin's `spec.cluster.config`: the cluster extension named `client.authentication.k8s.io/exec`.
    var execExtension: JSONValue? {
        cluster.extensions?.first { $0.name == "client.authentication.k8s.io/exec" }?.extension
    }
}
