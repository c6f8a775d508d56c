import Foundation

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
