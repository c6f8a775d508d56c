import Foundation
import MeshtrimCore

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
    public var `extension`: JSONValue?

    /// Makes an extension.
    public init(name: String, extension value: JSONValue?) {
        self.name = name
        self.extension = value
    }
}
