import Foundation

/// Where requests go: the server URL split up, the name to verify the certificate against, and the proxy.
struct ServerEndpoint: Sendable, Hashable {
    /// A proxy to tunnel through.
    struct Proxy: Sendable, Hashable {
        /// `http` (CONNECT), `https` (CONNECT inside TLS to the proxy) or `socks5`.
        var scheme: String
        var host: String
        var port: Int
        /// `user:password` from the URL's userinfo, percent-decoded (`p%40ss` is `p@ss`); never shown in a message.
        var credentials: String?
        /// Where the proxy came from (`proxy-url of cluster "c"`, `HTTPS_PROXY`), for messages.
        var source: String = "proxy-url"
        /// For an `https` proxy: the PEM file of the roots its certificate is checked against instead of the system's
        /// (`SSL_CERT_FILE`, which Go's system pool honours on Linux too); `nil` is the system store.
        var trustRootsFile: String? = nil

        /// The credentials of `Proxy-Authorization: Basic`: `base64(user:password)` (RFC 7617), as kubectl sends them.
        var basicCredentials: String? { credentials.map { Data($0.utf8).base64EncodedString() } }

        /// `host:port`, for messages (never the credentials).
        var displayName: String { host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// What to say when the proxy answers 407 Proxy Authentication Required.
        var authenticationFailure: String {
            guard credentials != nil else {
                return "the proxy \(displayName) (\(source)) requires credentials (407 Proxy Authentication Required): "
                    + "put them in the proxy URL as http://USER:PASSWORD@\(displayName), percent-encoding reserved characters (@ as %40)"
            }
            return "the proxy \(displayName) (\(source)) rejected the user and password of its URL (407 Proxy Authentication Required): "
                + "check them, percent-encoding reserved characters in the URL (@ as %40, : as %3A)"
        }
    }

    /// `https` or `http`.
    var scheme: String
    /// The server's host (IPv6 without brackets).
    var host: String
    /// The server's port.
    var port: Int
    /// A path prefix (`/k8s/clusters/c-m-abc`), without a trailing `/`; empty for none.
    var pathPrefix: String
    /// `tls-server-name`: SNI and certificate name instead of ``host``.
    var tlsServerName: String?
    /// The proxy, when one applies.
    var proxy: Proxy?

    /// Whether credentials may be sent (TLS only, as kubectl).
    var isSecure: Bool { scheme == "https" }

    /// The host to put in request URLs: the `tls-server-name` (mapped back to ``host`` by a DNS override) or the host.
    var requestHost: String { tlsServerName ?? host }

    /// Parses `server` and picks the proxy (`proxy-url`, else `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY` or a
    /// loopback host says otherwise).
    ///
    /// - Throws: ``KubeError`` (kind `configuration`) for a server or proxy URL that cannot be used.
    init(access: ClusterAccess, environment: [String: String]) throws {
        guard let components = URLComponents(string: access.server), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let rawHost = components.host, !rawHost.isEmpty
        else {
            throw KubeError(
                .configuration,
                "the server \"\(access.server)\" of cluster \"\(access.clusterName)\" is not an https:// or http:// URL")
        }
        self.scheme = scheme
        host = rawHost.hasPrefix("[") ? String(rawHost.dropFirst().dropLast()) : rawHost
        port = components.port ?? (scheme == "https" ? 443 : 80)
        var prefix = components.percentEncodedPath
        while prefix.hasSuffix("/") { prefix.removeLast() }
        pathPrefix = prefix
        tlsServerName = access.cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 }
        if let proxyURL = access.cluster.proxyURL, !proxyURL.isEmpty {
            proxy = try Self.parseProxy(proxyURL, field: "proxy-url of cluster \"\(access.clusterName)\"")
        } else {
            proxy = try Self.environmentProxy(host: host, secure: scheme == "https", environment: environment)
        }
        if proxy?.scheme == "https" {
            guard scheme == "https" else {
                throw KubeError(
                    .configuration,
                    "the server \(access.server) of cluster \"\(access.clusterName)\" is plain http:// and its proxy is https://; "
                        + "meshtrim tunnels only https:// servers through https:// proxies")
            }
            proxy?.trustRootsFile = environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// The full URL of `path` (which starts with `/`) and an encoded query.
    func url(path: String, query: String) -> String {
        let hostPart = requestHost.contains(":") ? "[\(requestHost)]" : requestHost
        return "\(scheme)://\(hostPart):\(port)\(pathPrefix)\(path)\(query.isEmpty ? "" : "?\(query)")"
    }

    static func parseProxy(_ text: String, field: String) throws -> Proxy {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw KubeError(.configuration, "\(field) \"\(redacted(text))\" is not a URL like http://proxy:3128")
        }
        // `user:password` percent-decoded: Basic credentials for CONNECT, RFC 1929's user and password for SOCKS5.
        let credentials = components.percentEncodedUser.map { user in
            let password = components.percentEncodedPassword ?? ""
            return "\(user.removingPercentEncoding ?? user):\(password.removingPercentEncoding ?? password)"
        }
        switch scheme {
        case "http", "https":
            return Proxy(
                scheme: scheme, host: host, port: components.port ?? (scheme == "https" ? 443 : 80), credentials: credentials, source: field)
        case "socks5", "socks5h":
            return Proxy(scheme: "socks5", host: host, port: components.port ?? 1080, credentials: credentials, source: field)
        default:
            throw KubeError(
                .configuration,
                "\(field) uses \(scheme)://, which meshtrim does not support; use an http:// or https:// (CONNECT) or socks5:// proxy")
        }
    }

    /// `text` with the userinfo of its URL (`user:password@`) replaced by `***@`, so no message shows a password.
    static func redacted(_ text: String) -> String {
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        let authorityEnd = text[start...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? text.endIndex
        guard let at = text[start..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<start]) + "***" + String(text[at...])
    }

    /// Go's `http.ProxyFromEnvironment`: loopback hosts are never proxied; `NO_PROXY` lists hosts, domains
    /// (`.example.com` or `example.com`), `*`, and optional ports.
    static func environmentProxy(host: String, secure: Bool, environment: [String: String]) throws -> Proxy? {
        let variable = secure
            ? (environment["HTTPS_PROXY"] ?? environment["https_proxy"])
            : (environment["HTTP_PROXY"] ?? environment["http_proxy"])
        guard let variable, !variable.isEmpty else { return nil }
        if host == "localhost" || host.hasPrefix("127.") || host == "::1" { return nil }
        let noProxy = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        for rawEntry in noProxy.split(separator: ",") {
            var entry = rawEntry.trimmingCharacters(in: .whitespaces).lowercased()
            if entry == "*" { return nil }
            if let colon = entry.lastIndex(of: ":"), !entry.contains("]"), entry.filter({ $0 == ":" }).count == 1 {
                entry = String(entry[..<colon])
            }
            if entry.hasPrefix(".") { entry.removeFirst() }
            guard !entry.isEmpty else { continue }
            let name = host.lowercased()
            if name == entry || name.hasSuffix(".\(entry)") { return nil }
            if entry.contains("/"), CIDR(entry)?.contains(name) == true { return nil }
        }
        let text = variable.contains("://") ? variable : "http://\(variable)"
        return try parseProxy(text, field: secure ? "HTTPS_PROXY" : "HTTP_PROXY")
    }
}

/// An IPv4 CIDR block from `NO_PROXY` (`10.0.0.0/8`).
struct CIDR {
    var network: UInt32
    var mask: UInt32

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits), let address = Self.ipv4(String(parts[0])) else {
            return nil
        }
        mask = bits == 0 ? 0 : UInt32.max << (32 - UInt32(bits))
        network = address & mask
    }

    func contains(_ host: String) -> Bool {
        guard let address = Self.ipv4(host) else { return false }
        return address & mask == network
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        return octets.reduce(0) { $0 << 8 | $1 }
    }
}
