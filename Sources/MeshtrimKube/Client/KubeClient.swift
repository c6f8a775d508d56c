import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An answer from the API server.
public struct KubeResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The body.
    public var body: Data
    /// The `Content-Type`.
    public var contentType: String?
    /// The `Content-Encoding` it came in (`gzip` for a list the server compressed; the body is decompressed).
    public var contentEncoding: String? = nil
}

/// A Kubernetes REST client for one kubeconfig context, over AsyncHTTPClient + NIOSSL.
///
/// Sends the context's credentials (``CredentialProvider``), retries what is safe to retry a bounded number of times
/// with backoff (429 and 503 with `Retry-After`, 500/502/504, cut-off and garbled answers; only for requests that
/// change nothing: GETs, server-side dry-runs, access reviews, and 429s, which the server did not process),
/// re-fetches a rejected exec or token-file credential once on 401, and maps every failure to a ``KubeError`` with
/// an actionable message. A real write is never repeated here: its caller re-reads the object and decides
/// (``SidecarApplier/apply(_:forceConflicts:)``). Call ``shutdown()`` when done.
public final class KubeClient: Sendable {
    /// How the client behaves.
    public struct Options: Sendable {
        /// Per-request time limit.
        public var requestTimeout: Duration = .seconds(60)
        /// TCP connect time limit.
        public var connectTimeout: Duration = .seconds(10)
        /// Tries per request for transient failures (1 = no retry).
        public var maxAttempts = 3
        /// Longest `Retry-After` honoured.
        public var maxRetryDelay: Duration = .seconds(3)
        /// Connections to the API server kept at once.
        public var maxConnections = 16
        /// Whether an exec plugin may use the terminal.
        public var interactiveTerminal = false
        /// The environment (exec plugins, `HTTPS_PROXY`).
        public var environment: [String: String] = ProcessInfo.processInfo.environment
        /// Waits between tries (tests inject one that does not sleep).
        public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

        /// Defaults.
        public init() {}
    }

    /// The context this client talks to.
    public let access: ClusterAccess
    /// The options.
    public let options: Options
    let endpoint: ServerEndpoint
    let credentials: CredentialProvider
    /// The TLS configuration the client was made with (what it verifies; the client certificate may since have
    /// been replaced: ``identity``).
    let tls: TLSConfiguration
    /// The client certificate presented now, rotated when an exec plugin hands out a new one.
    let identity: ClientIdentity
    /// The TLS context for new connections (port-forward), with the current client certificate.
    var sslContext: NIOSSLContext? { identity.current.context }
    /// The relay REST goes through when AsyncHTTPClient cannot check the certificate right (``TLSRelay``).
    let relay: TLSRelay?
    private let http: HTTPClient
    private let mapping: KubeErrorMapping
    private let received = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)
    private let isShutDown = Atomic<Bool>(false)

    private init(
        access: ClusterAccess, options: Options, endpoint: ServerEndpoint, credentials: CredentialProvider, tls: TLSConfiguration,
        identity: ClientIdentity, relay: TLSRelay?, http: HTTPClient
    ) {
        self.relay = relay
        self.access = access
        self.options = options
        self.endpoint = endpoint
        self.credentials = credentials
        self.tls = tls
        self.identity = identity
        self.http = http
        mapping = KubeErrorMapping(access: access, method: credentials.method, proxy: endpoint.proxy)
    }

    /// Makes a client for `access`: reads certificates and keys, and runs an exec plugin first when it may return a
    /// client certificate (so the TLS identity is known before connecting).
    ///
    /// - Throws: ``KubeError`` (kind `configuration` or `credentials`).
    public static func connect(_ access: ClusterAccess, options: Options = Options()) async throws -> KubeClient {
        let endpoint = try ServerEndpoint(access: access, environment: options.environment)
        let credentials = CredentialProvider(
            access: access, interactiveTerminal: options.interactiveTerminal, environment: options.environment)
        let execIdentity = endpoint.isSecure ? try await credentials.execIdentity() : nil
        let tls = try TLSSettings.make(for: access, execIdentity: execIdentity)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(options.connectTimeout.components.seconds) * 1_000_000_000), read: nil),
            proxy: nil, ignoreUncleanSSLShutdown: false, decompression: .enabled(limit: .size(512 << 20)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.maxConnections
        // A refused connection or a failed handshake is reported at once (AsyncHTTPClient would retry it until the
        // request's deadline); send() retries what is worth retrying.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        let sslContext: NIOSSLContext?
        do {
            // Port-forward's own connections check the server's name after the handshake (TLSTunnel.startTLS).
            sslContext = endpoint.isSecure ? try TLSTunnel.context(tls) : nil
        } catch {
            throw KubeError(.configuration, "cannot set up TLS for context \"\(access.contextName)\": \(error)")
        }
        let identity = ClientIdentity(.init(certificate: execIdentity?.certificate, tls: tls, context: sslContext))
        // An IP server through a proxy, or a tls-server-name: meshtrim's own tunnels check the certificate against the
        // server (as kubectl does) and keep the Host header the server's; AsyncHTTPClient talks to them over a socket.
        // They also carry a SOCKS5 proxy's user and password, which AsyncHTTPClient cannot send.
        var relay: TLSRelay?
        if TLSRelay.isNeeded(for: endpoint, tls: tls) {
            let initial = sslContext
            do {
                relay = try await TLSRelay(
                    endpoint: endpoint, context: { identity.current.context ?? initial }, connectTimeout: options.connectTimeout)
            } catch {
                throw KubeError(.configuration, "cannot set up TLS for context \"\(access.contextName)\": \(error)")
            }
        }
        if relay == nil, let proxy = endpoint.proxy {
            switch proxy.scheme {
            case "socks5":
                configuration.proxy = .socksServer(host: proxy.host, port: proxy.port)
            default:
                configuration.proxy = .server(
                    host: proxy.host, port: proxy.port, authorization: proxy.basicCredentials.map { .basic(credentials: $0) })
            }
        }
        if relay == nil, let name = endpoint.tlsServerName { configuration.dnsOverride = [name: endpoint.host] }
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        return KubeClient(
            access: access, options: options, endpoint: endpoint, credentials: credentials, tls: tls, identity: identity, relay: relay,
            http: http)
    }

    /// Closes every connection. The client cannot be used afterwards.
    public func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .relaxed) else { return }
        try? await http.shutdown()
        await relay?.shutdown()
    }

    deinit {
        // A client dropped without shutdown() (an error path) must not take the process down.
        if !isShutDown.exchange(true, ordering: .relaxed) {
            http.shutdown { _ in }
            if let relay { try? FileManager.default.removeItem(atPath: relay.socketPath) }
        }
    }

    /// Bytes of response bodies received so far.
    public var bytesReceived: Int { received.load(ordering: .relaxed) }
    /// Requests sent so far (retries included).
    public var requestCount: Int { requests.load(ordering: .relaxed) }
    /// How many times an exec plugin ran.
    public var execRuns: Int { get async { await credentials.execRuns } }

    /// Sends a request and returns the 2xx answer.
    ///
    /// - Parameters:
    ///   - path: the API path (`/api/v1/pods`), appended to the server's path prefix.
    ///   - query: parameters, percent-encoded here.
    ///   - maxBytes: answers larger than this fail.
    ///   - retry: whether transient failures are retried (`options.maxAttempts`).
    ///   - changesNothing: the request is not a GET but changes nothing either (an access review), so it is retried
    ///     like one; requests with `dryRun=All` are, too.
    ///   - compressed: ask for gzip (`Accept-Encoding: gzip`, as kubectl does for lists: 5–10× fewer bytes on a slow
    ///     link); every other request asks for `identity` (Envoy's 15090 answers are small, and Istio 1.29+ may compress
    ///     them itself). A gzip answer is decompressed on arrival.
    ///   - credentialsRefreshed: `nil` (the default) fetches a rejected exec or token-file credential again once on 401;
    ///     set, a 401 is thrown at once and its message says whether the caller already refreshed them (port-forward
    ///     does the refresh around its own upgrade).
    /// - Throws: ``KubeError``.
    public func send(
        _ method: String = "GET", _ path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil,
        accept: String = "application/json", timeout: Duration? = nil, maxBytes: Int = 512 << 20, retry: Bool = true,
        changesNothing: Bool = false, compressed: Bool = false, credentialsRefreshed: Bool? = nil
    ) async throws -> KubeResponse {
        let repeatable = method == "GET" || changesNothing || query.contains { $0.0 == "dryRun" && $0.1 == "All" }
        let encodedQuery = Self.encode(query)
        let url = relay?.url(path: path, endpoint: endpoint, query: encodedQuery) ?? endpoint.url(path: path, query: encodedQuery)
        var refreshed = credentialsRefreshed ?? false
        var attempt = 0
        while true {
            attempt += 1
            try checkCancellation()
            let failure: KubeError
            let retryable: Bool
            var retryAfter: Duration?
            do {
                var request = HTTPClientRequest(url: url)
                request.method = HTTPMethod(rawValue: method)
                request.headers.add(name: "Accept", value: accept)
                request.headers.add(name: "Accept-Encoding", value: compressed ? "gzip" : "identity")
                if relay != nil { request.headers.add(name: "Host", value: endpoint.authority) }
                request.headers.add(name: "User-Agent", value: "meshtrim/1 (linux) kubernetes-client")
                for (name, value) in try await credentials.headers(secure: endpoint.isSecure) { request.headers.add(name: name, value: value) }
                // An exec plugin's certificate: new connections present the current one (AsyncHTTPClient pools
                // connections per TLS configuration, so one made with an expired certificate is not reused).
                let current = try await currentIdentity()
                if current.fromPlugin { request.tlsConfiguration = current.tls }
                if let body {
                    request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
                    request.body = .bytes(ByteBuffer(bytes: body))
                }
                requests.add(1, ordering: .relaxed)
                let response: HTTPClientResponse
                do {
                    response = try await http.execute(request, timeout: Self.timeAmount(timeout ?? options.requestTimeout))
                } catch {
                    if let failure = relay?.takeFailure() {
                        throw failure as? KubeError ?? mapping.error(transport: failure, path: path, afterHead: false)
                    }
                    throw mapping.error(transport: error, path: path, afterHead: false)
                }
                let buffer: ByteBuffer
                do {
                    buffer = try await response.body.collect(upTo: maxBytes)
                } catch {
                    if "\(error)".lowercased().contains("toomanybytes") {
                        throw KubeError(.badResponse, "the answer to \(path) is larger than \(maxBytes) bytes")
                    }
                    throw mapping.error(transport: error, path: path, afterHead: true)
                }
                received.add(buffer.readableBytes, ordering: .relaxed)
                let data = Data(buffer.readableBytesView)
                let status = Int(response.status.code)
                if (200..<300).contains(status) {
                    return KubeResponse(
                        status: status, body: data, contentType: response.headers.first(name: "Content-Type"),
                        contentEncoding: response.headers.first(name: "Content-Encoding"))
                }
                if status == 401, !refreshed, credentialsRefreshed == nil, credentials.canRefresh {
                    refreshed = true
                    await credentials.invalidate()
                    attempt -= 1
                    continue
                }
                if let header = response.headers.first(name: "Retry-After"), let seconds = Int(header) {
                    retryAfter = .seconds(seconds)
                }
                failure = mapping.error(status: status, body: data, method: method, path: path, refreshed: refreshed)
                retryable = [429, 500, 502, 504].contains(status) || (status == 503 && retryAfter != nil)
            } catch let error as KubeError {
                failure = error
                // A pod that is slow through the proxy is the pod's problem: waiting again would only triple it.
                retryable = error.kind == .badResponse || (error.kind == .timeout && !path.contains("/proxy/"))
            }
            guard retry, retryable, attempt < options.maxAttempts, repeatable || failure.statusCode == 429 else { throw failure }
            try await backOff(attempt: attempt, retryAfter: retryAfter)
        }
    }

    /// Waits before try `attempt + 1`: the server's `Retry-After`, else 200 ms doubling, at most `maxRetryDelay`.
    func backOff(attempt: Int, retryAfter: Duration? = nil) async throws {
        let delay = min(retryAfter ?? .milliseconds(200 * (1 << min(attempt - 1, 10))), options.maxRetryDelay)
        do { try await options.sleep(delay) } catch { throw KubeError(.cancelled, "cancelled") }
    }

    /// Sends a request that changes nothing and decodes its JSON answer, retrying (``send(_:_:query:body:contentType:accept:timeout:maxBytes:retry:changesNothing:)``'s
    /// rules) and also retrying a 2xx answer whose body is not the JSON expected (a garbled answer), up to
    /// `options.maxAttempts` tries in all.
    ///
    /// - Throws: ``KubeError``; kind `badResponse` when the body is still not the expected JSON.
    public func fetch<Value: Decodable>(
        _ type: Value.Type, _ method: String = "GET", _ path: String, query: [(String, String)] = [], body: Data? = nil,
        contentType: String? = nil, compressed: Bool = false
    ) async throws -> (value: Value, response: KubeResponse) {
        try await fetch(method, path, query: query, body: body, contentType: contentType, compressed: compressed) { body in
            try JSONDecoder().decode(type, from: body)
        }
    }

    /// Sends a request that changes nothing and reads the answer with `read` (its error is a garbled answer:
    /// fetched again, as ``fetch(_:_:_:query:body:contentType:compressed:)`` does).
    func fetch<Value>(
        _ method: String, _ path: String, query: [(String, String)], body: Data? = nil, contentType: String? = nil, compressed: Bool,
        read: (Data) throws -> Value
    ) async throws -> (value: Value, response: KubeResponse) {
        var attempt = 0
        while true {
            attempt += 1
            let response = try await send(
                method, path, query: query, body: body, contentType: contentType, changesNothing: true, compressed: compressed)
            do {
                return (try read(response.body), response)
            } catch {
                guard attempt < options.maxAttempts else {
                    throw KubeError(.badResponse, "the answer to \(method) \(path) is not the expected JSON (\(error))")
                }
            }
            try await backOff(attempt: attempt)
        }
    }

    /// GETs `path` and decodes the JSON answer (a garbled answer is retried).
    ///
    /// - Throws: ``KubeError``; kind `badResponse` when the body is not the expected JSON.
    public func get<Value: Decodable>(_ type: Value.Type, _ path: String, query: [(String, String)] = []) async throws -> Value {
        try await fetch(type, "GET", path, query: query).value
    }

    /// The headers (credentials, impersonation) a request needs now; for the port-forward's WebSocket.
    func authenticationHeaders() async throws -> [(String, String)] {
        try await credentials.headers(secure: endpoint.isSecure)
    }

    /// The client identity for a new connection: when the exec plugin returns a client certificate, the one it holds
    /// now (the plugin runs again once the last one expired or was rejected with a 401), as client-go rotates it.
    ///
    /// - Throws: ``KubeError`` (kind `credentials` when the plugin fails, `configuration` when its certificate or key
    ///   does not parse).
    func currentIdentity() async throws -> ClientIdentity.State {
        guard endpoint.isSecure, case .exec = credentials.method, let fresh = try await credentials.execIdentity() else {
            return identity.current
        }
        let access = self.access
        try identity.update(certificate: fresh.certificate) {
            do {
                let tls = try TLSSettings.make(for: access, execIdentity: fresh)
                return .init(certificate: fresh.certificate, tls: tls, context: try TLSTunnel.context(tls))
            } catch let error as KubeError {
                throw error
            } catch {
                throw KubeError(.configuration, "cannot use the client certificate of \(access.who)'s exec plugin: \(error)")
            }
        }
        return identity.current
    }

    /// Forgets a rejected credential (exec, token file) so the next request fetches it again.
    func invalidateCredentials() async { await credentials.invalidate() }

    /// Accounts bytes received outside AsyncHTTPClient (port-forward).
    func countReceived(_ bytes: Int) { received.add(bytes, ordering: .relaxed) }

    /// The message maker, for other transports.
    var errorMapping: KubeErrorMapping { mapping }

    private func checkCancellation() throws {
        if Task.isCancelled { throw KubeError(.cancelled, "cancelled") }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// `a=1&b=x%2Fy`: names and values percent-encoded (RFC 3986 unreserved characters kept).
    static func encode(_ query: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return query.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}
