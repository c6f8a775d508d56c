import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Turns HTTP answers and transport failures into ``KubeError``s with actionable messages.
struct KubeErrorMapping: Sendable {
    /// Who is asking (context, user, server).
    var access: ClusterAccess
    /// How the credential was obtained.
    var method: CredentialProvider.Method
    /// The proxy requests tunnel through, to name it in proxy errors.
    var proxy: ServerEndpoint.Proxy? = nil

    /// The error for a non-2xx answer to `method path`.
    func error(status: Int, body: Data, method httpMethod: String, path: String, refreshed: Bool) -> KubeError {
        let decoded = KubeStatus.decode(body)
        let serverMessage = decoded?.message ?? Self.snippet(body)
        let resource = ResourcePath(method: httpMethod, path: path)
        switch status {
        case 401:
            return KubeError(.unauthorized, statusCode: 401, unauthorizedMessage(refreshed: refreshed))
        case 403:
            let what = resource.map { "may not \($0)" } ?? "may not \(httpMethod) \(path)"
            return KubeError(
                .forbidden, statusCode: 403,
                "\(access.who) \(what) (403 Forbidden\(serverMessage.isEmpty ? "" : ": \(serverMessage)"))")
        case 404:
            if let name = decoded?.details?.name, !name.isEmpty {
                return KubeError(.notFound, statusCode: 404, "not found: \(serverMessage)")
            }
            let api = resource.map { $0.qualifiedResource } ?? path
            return KubeError(
                .notFound, statusCode: 404,
                "the API server of context \"\(access.contextName)\" does not serve \(api) (404\(serverMessage.isEmpty ? "" : ": \(serverMessage)"))")
        case 410:
            return KubeError(.expired, statusCode: 410, "the list expired while it was read (410 Gone: \(serverMessage))")
        case 429:
            return KubeError(.server, statusCode: 429, "the API server is overloaded (429 Too Many Requests) and asked to slow down")
        case 500...599:
            let reason = decoded?.reason.map { " \($0)" } ?? ""
            return KubeError(
                .server, statusCode: status,
                "the API server at \(access.server) answered \(status)\(reason)\(serverMessage.isEmpty ? "" : ": \(serverMessage)")")
        default:
            return KubeError(
                .badResponse, statusCode: status,
                "\(httpMethod) \(path) failed with HTTP \(status)\(serverMessage.isEmpty ? "" : ": \(serverMessage)")")
        }
    }

    private func unauthorizedMessage(refreshed: Bool) -> String {
        let base = "the server rejected the credentials of \(access.who)"
        switch method {
        case .token:
            return "\(base) — is the token expired? (401 Unauthorized from \(access.server))"
        case .tokenFile(let file):
            return "\(base) — the token in \(file) was re-read and is still refused; is it expired? (401 Unauthorized)"
        case .exec(let command):
            return "\(base) — the exec plugin \(command) \(refreshed ? "was run again and its new token" : "returned a token that") "
                + "was refused too; log in again with it (401 Unauthorized)"
        case .oidc(let hasRefreshToken):
            return "\(base) — the oidc id-token has probably expired"
                + (hasRefreshToken
                    ? "; meshtrim does not refresh oidc tokens: run any kubectl command to refresh it, then retry"
                    : "; log in again") + " (401 Unauthorized)"
        case .basic:
            return "\(base) — is the password right? (401 Unauthorized)"
        case .clientCertificate:
            return "\(base) — is the client certificate expired or signed by another CA? (401 Unauthorized)"
        case .anonymous:
            return "\(base): the context has no credentials and the server refuses anonymous requests (401 Unauthorized)"
        }
    }

    /// The error for a request that got no (complete) answer.
    func error(transport error: Error, path: String, afterHead: Bool) -> KubeError {
        if error is CancellationError { return KubeError(.cancelled, "cancelled") }
        if let kube = error as? KubeError { return kube }
        let server = access.server
        if let client = error as? HTTPClientError {
            switch client {
            case .cancelled, .requestStreamCancelled:
                return KubeError(.cancelled, "cancelled")
            case .connectTimeout:
                return KubeError(
                    .unreachable, "cannot reach the API server \(server) of context \"\(access.contextName)\": the connection timed out "
                        + "— is the cluster running and reachable from here (VPN, proxy-url)?")
            case .readTimeout, .deadlineExceeded:
                return KubeError(.timeout, "the API server \(server) did not answer GET \(path) in time")
            case .tlsHandshakeTimeout:
                return KubeError(.tls, "the TLS handshake with \(server) timed out")
            case .remoteConnectionClosed, .bodyLengthMismatch, .uncleanShutdown:
                return KubeError(
                    .badResponse,
                    "the answer to \(path) from \(server) was cut off (\(afterHead ? "the connection closed mid-body" : "the connection closed before an answer"))")
            case .proxyAuthenticationRequired:
                return KubeError(
                    .proxy, proxy?.authenticationFailure ?? "the proxy of cluster \"\(access.clusterName)\" requires authentication (407)")
            case .invalidProxyResponse, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return KubeError(.proxy, "the proxy of cluster \"\(access.clusterName)\" refused or failed the tunnel to \(server)")
            case .alreadyShutdown:
                return KubeError(.cancelled, "the connection to \(server) was closed")
            default:
                break
            }
        }
        let text = String(describing: error)
        if let ssl = error as? NIOSSLError {
            return KubeError(.tls, tlsMessage("\(ssl)"))
        }
        if text.contains("BoringSSL") || text.contains("certificate") || text.contains("SSL") || text.contains("handshake") {
            return KubeError(.tls, tlsMessage(text))
        }
        if error is NIOConnectionError || text.contains("connectionRefused") || text.contains("Connection refused")
            || text.contains("ECONNREFUSED") || text.contains("connect(descriptor")
        {
            return KubeError(
                .unreachable,
                "cannot reach the API server \(server) of context \"\(access.contextName)\": connection refused — is the cluster "
                    + "running and the address right?")
        }
        if text.contains("NXDOMAIN") || text.contains("resolution") || text.contains("getaddrinfo") || text.contains("lookup") {
            return KubeError(.unreachable, "cannot resolve the host of \(server) (context \"\(access.contextName)\")")
        }
        if afterHead {
            return KubeError(.badResponse, "the answer to \(path) from \(server) was cut off (\(Self.short(text)))")
        }
        return KubeError(.unreachable, "cannot talk to the API server \(server) of context \"\(access.contextName)\": \(Self.short(text))")
    }

    private func tlsMessage(_ detail: String) -> String {
        var hint = "check certificate-authority(-data) of cluster \"\(access.clusterName)\""
        if access.cluster.tlsServerName == nil { hint += ", or set tls-server-name if the certificate names another host" }
        if detail.contains("CERTIFICATE_VERIFY_FAILED") || detail.contains("certificate verify failed") {
            return "the TLS certificate of \(access.server) is not trusted (\(Self.short(detail))) — \(hint)"
        }
        if detail.contains("nvalidIPAddress") || detail.contains("unableToValidateCertificate") || detail.contains("hostname") {
            return "the TLS certificate of \(access.server) does not name this host — \(hint)"
        }
        return "the TLS handshake with \(access.server) failed (\(Self.short(detail))) — \(hint), and the client certificate of \(access.who)"
    }

    static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.split(separator: "\n").first.map(String.init) ?? ""
    }

    static func short(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
