import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A client for Prometheus' HTTP query API (`/api/v1/query`), plain HTTP or HTTPS, with an optional bearer token.
///
/// ```swift
/// let client = try PrometheusClient(url: "http://prometheus.monitoring:9090", token: nil)
/// defer { Task { await client.shutdown() } }
/// let series = try await client.query("up")
/// ```
///
/// The token is sent as `Authorization: Bearer …` and never appears in errors or logs.
public final class PrometheusClient: Sendable {
    /// The base URL as given (a path prefix such as `/prometheus` is kept).
    public let baseURL: String
    /// Time limit per query.
    public let timeout: Duration
    private let token: String?
    private let http: HTTPClient

    /// Makes a client.
    ///
    /// - Parameters:
    ///   - url: `http://host:9090` or `https://host/prefix` (redirects are reported, not followed, so the token
    ///     goes nowhere else).
    ///   - token: a bearer token, or `nil`.
    ///   - timeout: time limit per query.
    /// - Throws: ``PrometheusError`` of kind `configuration` for a URL that is not http(s).
    public init(url: String, token: String?, timeout: Duration = .seconds(60)) throws {
        var trimmed = url.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let parsed = URL(string: trimmed), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            parsed.host?.isEmpty == false
        else {
            throw PrometheusError(.configuration, "--prometheus \"\(url)\" is not an http(s) URL; use e.g. http://prometheus.monitoring:9090")
        }
        baseURL = trimmed
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: nil), decompression: .enabled(limit: .ratio(50)))
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Reads a bearer token: the file's content (trimmed) when `file` is given, else `MESHTRIM_PROMETHEUS_TOKEN`.
    ///
    /// - Throws: ``PrometheusError`` of kind `configuration` when the file cannot be read or is empty.
    public static func token(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PrometheusError(.configuration, "cannot read the Prometheus token file \(file)")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw PrometheusError(.configuration, "the Prometheus token file \(file) is empty") }
            return token
        }
        return environment["MESHTRIM_PROMETHEUS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Closes every connection. The client cannot be used afterwards.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Evaluates an instant query (at `time`, default now on the server).
    ///
    /// - Throws: ``PrometheusError``.
    public func query(_ promql: String, at time: Date? = nil) async throws -> [PrometheusSeries] {
        var parameters = [("query", promql)]
        if let time { parameters.append(("time", String(format: "%.3f", time.timeIntervalSince1970))) }
        let url = baseURL + "/api/v1/query?" + Self.encode(parameters)
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "meshtrim/1")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            body = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw transportError(error)
        }
        let data = Data(body.readableBytesView)
        let status = Int(response.status.code)
        switch status {
        case 200..<300:
            return try PrometheusSeries.decodeVector(data, statusCode: status)
        case 401, 403:
            throw PrometheusError(
                .unauthorized, statusCode: status,
                "Prometheus at \(baseURL) refused the request (\(status)): "
                    + (token == nil
                        ? "it needs a bearer token (--prometheus-token-file FILE or MESHTRIM_PROMETHEUS_TOKEN)"
                        : "the bearer token was rejected; is it expired or missing a permission?"))
        case 300..<400:
            // Not followed: the bearer token must not travel to wherever a redirect points.
            let location = response.headers.first(name: "Location") ?? "elsewhere"
            throw PrometheusError(
                .http, statusCode: status, "Prometheus at \(baseURL) redirects to \(location); give that URL to --prometheus")
        default:
            // Prometheus answers bad queries with 400/422/503 and an error body; keep its message.
            do {
                _ = try PrometheusSeries.decodeVector(data, statusCode: status)
            } catch let error as PrometheusError where error.kind == .query {
                throw error
            } catch {}
            let snippet = String(decoding: data.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            throw PrometheusError(
                .http, statusCode: status,
                "Prometheus at \(baseURL) answered HTTP \(status)\(snippet.isEmpty ? "" : ": \(snippet)")"
                    + (status == 404 ? " (is the URL the server's root, without /graph or /api?)" : ""))
        }
    }

    private func transportError(_ error: Error) -> PrometheusError {
        if let client = error as? HTTPClientError {
            switch client {
            case .readTimeout, .deadlineExceeded:
                return PrometheusError(.timeout, "Prometheus at \(baseURL) did not answer within \(timeout)")
            case .connectTimeout:
                return PrometheusError(.unreachable, "cannot reach Prometheus at \(baseURL): the connection timed out")
            default:
                break
            }
        }
        let text = String(describing: error)
        if text.lowercased().contains("toomanybytes") {
            return PrometheusError(.badResponse, "the Prometheus answer is larger than 256 MiB; use a shorter --window or a workload")
        }
        if error is NIOSSLError || text.contains("SSL") || text.contains("certificate") {
            return PrometheusError(.unreachable, "cannot reach Prometheus at \(baseURL): TLS failed (\(text))")
        }
        return PrometheusError(.unreachable, "cannot reach Prometheus at \(baseURL): \(text) — is the URL right and the server running?")
    }

    /// `name=value&…`, percent-encoded for a query string.
    static func encode(_ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}
