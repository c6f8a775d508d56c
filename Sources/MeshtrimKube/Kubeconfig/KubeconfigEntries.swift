import Foundation

/// A `clusters[].cluster` stanza: where the API server is and how to trust it.
public struct ClusterEntry: Codable, Hashable, Sendable {
    /// `server`: `https://host:port`, possibly with a path prefix (Rancher).
    public var server: String?
    /// `certificate-authority-data`: base64 of a PEM bundle; wins over ``certificateAuthority``.
    public var certificateAuthorityData: String?
    /// `certificate-authority`: a PEM file (absolute after loading).
    public var certificateAuthority: String?
    /// `insecure-skip-tls-verify`.
    public var insecureSkipTLSVerify: Bool?
    /// `tls-server-name`: the name used for SNI and certificate checks instead of the server's host.
    public var tlsServerName: String?
    /// `proxy-url`: `http://`, `https://` or `socks5://` proxy for every connection.
    public var proxyURL: String?
    /// `disable-compression`.
    public var disableCompression: Bool?
    /// `extensions`: named free-form values (`client.authentication.k8s.io/exec` goes to exec plugins).
    public var extensions: [NamedExtension]?

    /// Makes a stanza.
    public init(server: String? = nil) { self.server = server }

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthorityData = "certificate-authority-data"
        case certificateAuthority = "certificate-authority"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
        case disableCompression = "disable-compression"
        case extensions
    }
}

/// One entry of a cluster's `extensions` list.
public struct NamedExtension: Codable, Hashable, Sendable {
    /// The extension's name.
    public var name: String
    /// Its value.
    public var `extension`: KubeconfigValue?

    /// Makes an extension.
    public init(name: String, extension value: KubeconfigValue?) {
        self.name = name
        self.extension = value
    }
}

/// A `users[].user` stanza: the credentials.
public struct UserEntry: Codable, Hashable, Sendable {
    /// `client-certificate-data`: base64 PEM; wins over ``clientCertificate``.
    public var clientCertificateData: String?
    /// `client-certificate`: a PEM file.
    public var clientCertificate: String?
    /// `client-key-data`: base64 PEM (PKCS#1 RSA, SEC1 EC or PKCS#8).
    public var clientKeyData: String?
    /// `client-key`: a PEM file.
    public var clientKey: String?
    /// `token`: a bearer token.
    public var token: String?
    /// `tokenFile`: a file holding the bearer token; wins over ``token`` when readable and is re-read when it changes.
    public var tokenFile: String?
    /// `username` (basic auth).
    public var username: String?
    /// `password` (basic auth).
    public var password: String?
    /// `as`: the user to impersonate.
    public var impersonate: String?
    /// `as-uid`.
    public var impersonateUID: String?
    /// `as-groups`.
    public var impersonateGroups: [String]?
    /// `exec`: a credential plugin.
    public var exec: ExecEntry?
    /// `auth-provider`: the legacy providers (`oidc`; `gcp` and `azure` were removed from kubectl).
    public var authProvider: AuthProviderEntry?

    /// Makes an empty stanza (anonymous).
    public init() {}

    enum CodingKeys: String, CodingKey {
        case clientCertificateData = "client-certificate-data"
        case clientCertificate = "client-certificate"
        case clientKeyData = "client-key-data"
        case clientKey = "client-key"
        case token, tokenFile, username, password
        case impersonate = "as"
        case impersonateUID = "as-uid"
        case impersonateGroups = "as-groups"
        case exec
        case authProvider = "auth-provider"
    }
}

/// A `users[].user.exec` stanza: a command that prints an `ExecCredential`.
public struct ExecEntry: Codable, Hashable, Sendable {
    /// `client.authentication.k8s.io/v1` or `…/v1beta1`.
    public var apiVersion: String?
    /// The command: looked up on `PATH` unless it contains a `/` (then absolute after loading).
    public var command: String
    /// Its arguments.
    public var args: [String]?
    /// Variables added to the plugin's environment.
    public var env: [ExecEnvironmentVariable]?
    /// `Never`, `IfAvailable` or `Always` (required by v1).
    public var interactiveMode: String?
    /// Whether `KUBERNETES_EXEC_INFO` carries the cluster.
    public var provideClusterInfo: Bool?
    /// What to tell the user when the command is missing.
    public var installHint: String?

    /// Makes a stanza.
    public init(apiVersion: String?, command: String, args: [String]? = nil) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
    }
}

/// One `exec.env` entry.
public struct ExecEnvironmentVariable: Codable, Hashable, Sendable {
    /// The variable's name.
    public var name: String
    /// Its value.
    public var value: String

    /// Makes a variable.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A legacy `auth-provider` stanza.
public struct AuthProviderEntry: Codable, Hashable, Sendable {
    /// `oidc`, `gcp`, `azure`, …
    public var name: String
    /// Provider settings (`id-token`, `refresh-token`, …).
    public var config: [String: String]?

    /// Makes a stanza.
    public init(name: String, config: [String: String]?) {
        self.name = name
        self.config = config
    }
}

/// A `contexts[].context` stanza.
public struct ContextEntry: Codable, Hashable, Sendable {
    /// The cluster's name.
    public var cluster: String?
    /// The user's name.
    public var user: String?
    /// The default namespace (empty means `default`).
    public var namespace: String?

    /// Makes a stanza.
    public init(cluster: String?, user: String?, namespace: String? = nil) {
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
    }
}

/// One kubeconfig file as written (unknown fields ignored).
struct KubeconfigDocument: Decodable {
    struct Named<Value: Decodable>: Decodable {
        var name: String?
        var value: Value?

        enum CodingKeys: String, CodingKey { case name, cluster, user, context }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            for key in [CodingKeys.cluster, .user, .context] where container.contains(key) {
                value = try container.decodeIfPresent(Value.self, forKey: key)
            }
        }
    }

    var currentContext: String?
    var clusters: [Named<ClusterEntry>]?
    var users: [Named<UserEntry>]?
    var contexts: [Named<ContextEntry>]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, users, contexts
    }
}
