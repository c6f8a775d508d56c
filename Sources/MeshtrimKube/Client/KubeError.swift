import Foundation

/// Why a request to a cluster failed, with a message that says what to do. Never contains a credential.
public struct KubeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers that branch (show "not permitted" instead of an error, retry, …).
    public enum Kind: String, Hashable, Sendable {
        /// 401: the credentials were rejected.
        case unauthorized
        /// 403: RBAC says no.
        case forbidden
        /// 404: the object, or the whole API (CRD not installed, metrics-server missing).
        case notFound
        /// 410: a list's continue token expired.
        case expired
        /// 429 or 5xx after retries.
        case server
        /// No TCP connection (refused, no route, DNS).
        case unreachable
        /// The TLS handshake failed (unknown CA, wrong name, client certificate refused).
        case tls
        /// No answer in time.
        case timeout
        /// The answer was cut off or could not be read.
        case badResponse
        /// The credentials could not be obtained (exec plugin failed, token file unreadable).
        case credentials
        /// The kubeconfig or options describe something that cannot work.
        case configuration
        /// The proxy refused the tunnel.
        case proxy
        /// The pod refused the port-forward (nothing listens on the port).
        case portForward
        /// The caller cancelled.
        case cancelled
    }

    /// What went wrong.
    public var kind: Kind
    /// The HTTP status, when the server answered.
    public var statusCode: Int?
    /// The message.
    public var message: String

    /// Makes an error.
    public init(_ kind: Kind, statusCode: Int? = nil, _ message: String) {
        self.kind = kind
        self.statusCode = statusCode
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Whether retrying the same request may succeed (server overload, a cut-off answer, a timeout).
    public var isTransient: Bool {
        switch kind {
        case .server, .badResponse, .timeout: return true
        default: return false
        }
    }
}
