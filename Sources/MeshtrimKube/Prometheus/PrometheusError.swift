import Foundation

/// Why a Prometheus query failed, with a message that says what to do. Never contains the bearer token.
public struct PrometheusError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers that branch.
    public enum Kind: String, Hashable, Sendable {
        /// The URL, window or token file cannot work.
        case configuration
        /// No connection (refused, DNS, TLS).
        case unreachable
        /// No answer in time.
        case timeout
        /// 401 or 403: the token is missing, wrong or not allowed.
        case unauthorized
        /// Another non-2xx answer without a Prometheus error body (a proxy, the wrong URL).
        case http
        /// Prometheus answered `"status":"error"` (a bad query, a timeout inside Prometheus, …).
        case query
        /// The answer is not Prometheus' query API JSON.
        case badResponse
    }

    /// What went wrong.
    public var kind: Kind
    /// The HTTP status, when there was an answer.
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
}
