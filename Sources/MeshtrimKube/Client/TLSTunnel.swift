import Foundation
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A TLS connection to the API server that meshtrim makes itself — through the context's proxy (HTTP CONNECT or
/// SOCKS5) when one applies — and whose certificate it checks against the *server's* name or IP as Go's crypto/tls
/// (so kubectl) checks it, not against the address the socket happens to be connected to.
///
/// NIOSSL checks an IP server against the socket's peer address: through a proxy that is the proxy's, so a server
/// given as an IP (GKE's kubeconfigs, bastions) failed. It also accepts a certificate whose IP SANs hold the peer
/// address when the server is a name the certificate does not carry; kubectl refuses that. So the contexts used here
/// verify the chain only (`.noHostnameVerification`) and ``PeerIdentity`` checks the name after the handshake, before a
/// byte of the request (credentials included) is sent.
enum TLSTunnel {
    /// A context for ``connect(endpoint:context:verify:connectTimeout:)``: `configuration` with NIOSSL's own name check
    /// off (the chain is still verified against the trust roots); ``PeerIdentity`` does the name check.
    static func context(_ configuration: TLSConfiguration) throws -> NIOSSLContext {
        var configuration = configuration
        if configuration.certificateVerification == .fullVerification { configuration.certificateVerification = .noHostnameVerification }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Whether a configuration verifies certificates at all (insecure-skip-tls-verify turns it off).
    static func verifies(_ configuration: TLSConfiguration) -> Bool { configuration.certificateVerification != .none }

    /// Connects to the server (through its proxy), brings up the tunnel and, when the endpoint is secure, TLS with
    /// the certificate checked against the server's name or IP (``PeerIdentity``) unless `verify` is off; then runs
    /// `install` on the channel's event loop, where the caller puts its own protocol on the pipeline (what it adds
    /// speaks to the server in plaintext), and returns what `install` made. An error the connection had meanwhile (a
    /// TLS 1.3 server refuses the client's certificate only after the client's handshake is done) is thrown instead.
    /// The caller closes the channel.
    ///
    /// - Throws: ``KubeError`` for the proxy's refusals and a certificate that does not name the server; the
    ///   connection's own errors as NIO reports them (the caller maps them to messages).
    static func connect<Stage: Sendable>(
        endpoint: ServerEndpoint, context: NIOSSLContext?, verify: Bool, connectTimeout: Duration,
        then install: @escaping @Sendable (Channel) throws -> Stage
    ) async throws -> Stage {
        let target = endpoint.proxy.map { ($0.host, $0.port) } ?? (endpoint.host, endpoint.port)
        let setupError = SetupError()
        let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(KubeClient.timeAmount(connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FirstError(setupError)) }
            }
            .connect(host: target.0, port: target.1).get()
        do {
            return try await withTaskCancellationHandler {
                if let proxy = endpoint.proxy {
                    if proxy.scheme == "socks5" {
                        try await SOCKS5Handshake.run(on: raw, proxy: proxy, endpoint: endpoint, timeout: connectTimeout)
                    } else {
                        if proxy.scheme == "https" { try await startProxyTLS(on: raw, proxy: proxy) }
                        try await connectThrough(proxy, endpoint: endpoint, on: raw, timeout: connectTimeout)
                    }
                }
                if endpoint.isSecure, let context {
                    try await startTLS(on: raw, endpoint: endpoint, context: context, verify: verify)
                }
                return try await raw.eventLoop.submit {
                    // A closed channel has no handlers left; what the handler kept is in `setupError`.
                    let sync = raw.pipeline.syncOperations
                    if let first = try? sync.handler(type: FirstError.self) { sync.removeHandler(first, promise: nil) }
                    if let error = setupError.first { throw error }
                    guard raw.isActive else {
                        throw KubeError(.unreachable, "\(endpoint.authority) closed the connection as soon as it was set up")
                    }
                    return try install(raw)
                }.get()
            } onCancel: {
                raw.close(promise: nil)
            }
        } catch {
            raw.close(promise: nil)
            throw error
        }
    }

    /// The first error of a connection being set up, kept outside its pipeline (closing a channel empties it).
    private final class SetupError: Sendable {
        private let value = Mutex<(any Error)?>(nil)

        /// The error kept, if any.
        var first: (any Error)? { value.withLock { $0 } }

        func keep(_ error: any Error) { value.withLock { if $0 == nil { $0 = error } } }
    }

    /// Keeps the first error that reaches it while the connection is set up (the stages' own handlers sit before
    /// it), so that one coming between two stages is not lost.
    private final class FirstError: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Any
        let kept: SetupError
        init(_ kept: SetupError) { self.kept = kept }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            kept.keep(error)
            context.fireErrorCaught(error)
        }
    }

    /// Adds TLS to a connected channel (SNI: `tls-server-name`, else the host unless it is an IP), waits for the
    /// handshake, and checks the certificate names the server (``PeerIdentity``) before anything else is written.
    ///
    /// - Throws: ``KubeError`` (`tls`) naming the server and the certificate's names when they do not match.
    static func startTLS(on raw: Channel, endpoint: ServerEndpoint, context: NIOSSLContext, verify: Bool) async throws {
        let serverName = endpoint.tlsServerName ?? (PeerIdentity.isIPAddress(endpoint.host) ? nil : endpoint.host)
        // Completed with the server's certificate, read when NIOSSL reports the handshake done (a server that refuses
        // the client's certificate may close at once, taking the handler out of the pipeline), or failed by an error,
        // the channel closing, or the time limit.
        let handshake = raw.eventLoop.makePromise(of: NIOSSLCertificate?.self)
        let limit = raw.eventLoop.scheduleTask(in: .seconds(10)) {
            handshake.fail(KubeError(.tls, "the TLS handshake with \(endpoint.authority) did not finish within 10 s"))
            raw.close(promise: nil)
        }
        defer { limit.cancel() }
        try await raw.eventLoop.submit {
            do {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                // Inside the TLS to an https:// proxy when there is one (the CONNECT tunnel), else next to the socket.
                let outer = try? raw.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
                try raw.pipeline.syncOperations.addHandler(handler, position: outer.map { .after($0) } ?? .first)
                try raw.pipeline.syncOperations.addHandler(HandshakeWaiter(promise: handshake, handler: handler), position: .after(handler))
            } catch {
                handshake.fail(error)
                throw error
            }
        }.get()
        let certificate = try await handshake.futureResult.get()
        guard verify else { return }
        let expected = endpoint.tlsServerName ?? endpoint.host
        guard let certificate, PeerIdentity.matches(certificate, name: expected) else {
            raw.close(promise: nil)
            let names = certificate.map(PeerIdentity.names) ?? []
            throw KubeError(
                .tls,
                "the certificate of \(endpoint.authority) is not valid for \(expected) (it names \(names.isEmpty ? "nothing" : names.joined(separator: ", "))); "
                    + (endpoint.tlsServerName == nil
                        ? "use a server URL the certificate names, or set tls-server-name in the cluster entry"
                        : "set tls-server-name to a name the certificate carries"))
        }
    }

    /// TLS to an `https://` proxy, before its CONNECT: the proxy's certificate is checked against the system's roots
    /// (or `SSL_CERT_FILE`) and the proxy's own name, as Go's transport does for kubectl; the cluster's CA is not
    /// involved.
    ///
    /// - Throws: ``KubeError`` (`proxy`) naming the proxy when the handshake or the check fails.
    static func startProxyTLS(on raw: Channel, proxy: ServerEndpoint.Proxy) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let file = proxy.trustRootsFile { configuration.trustRoots = .file(file) }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw KubeError(.proxy, "cannot set up TLS to the proxy \(proxy.displayName) (\(proxy.source)): \(error)")
        }
        let handshake = raw.eventLoop.makePromise(of: NIOSSLCertificate?.self)
        let limit = raw.eventLoop.scheduleTask(in: .seconds(10)) {
            handshake.fail(KubeError(.proxy, "the TLS handshake with the proxy \(proxy.displayName) did not finish within 10 s"))
            raw.close(promise: nil)
        }
        defer { limit.cancel() }
        do {
            try await raw.eventLoop.submit {
                do {
                    let handler = try NIOSSLClientHandler(
                        context: context, serverHostname: PeerIdentity.isIPAddress(proxy.host) ? nil : proxy.host)
                    try raw.pipeline.syncOperations.addHandler(handler, position: .first)
                    try raw.pipeline.syncOperations.addHandler(HandshakeWaiter(promise: handshake, handler: handler), position: .after(handler))
                } catch {
                    handshake.fail(error)
                    throw error
                }
            }.get()
            _ = try await handshake.futureResult.get()
        } catch let error as KubeError {
            throw error
        } catch {
            raw.close(promise: nil)
            throw KubeError(
                .proxy,
                "the TLS handshake with the https:// proxy \(proxy.displayName) (\(proxy.source)) failed (\(error)); its certificate is "
                    + "checked against the system's roots (or SSL_CERT_FILE) and the proxy's name, as kubectl does")
        }
    }

    /// `CONNECT host:port` through an HTTP proxy (with `Proxy-Authorization: Basic` when its URL has credentials), by
    /// swift-nio-extras' `NIOHTTP1ProxyConnectHandler` between NIO's HTTP codecs, which all leave the pipeline once
    /// the proxy has answered 2xx.
    ///
    /// - Throws: ``KubeError`` (`proxy`) for a 407, another answer (with its status line), a close or no answer in
    ///   `timeout`.
    static func connectThrough(_ proxy: ServerEndpoint.Proxy, endpoint: ServerEndpoint, on raw: Channel, timeout: Duration) async throws {
        // The handler writes its target as `host:port`; an IPv6 server goes in brackets.
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        let authority = "\(host):\(endpoint.port)"
        var fields = [("Host", authority)]
        if let credentials = proxy.basicCredentials { fields.append(("Proxy-Authorization", "Basic \(credentials)")) }
        let headers = HTTPHeaders(fields)
        let established = raw.eventLoop.makePromise(of: Void.self)
        let answer = ProxyAnswer()
        do {
            try await raw.eventLoop.submit {
                let encoder = HTTPRequestEncoder()
                let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
                let handler = NIOHTTP1ProxyConnectHandler(
                    targetHost: host, targetPort: endpoint.port, headers: headers,
                    deadline: .now() + KubeClient.timeAmount(timeout), promise: established)
                let sync = raw.pipeline.syncOperations
                try sync.addHandlers([encoder, decoder, ProxyAnswerRecorder(answer: answer), handler])
                established.futureResult.assumeIsolated().whenSuccess {
                    // The CONNECT handler has left; the tunnel carries raw bytes from here.
                    sync.removeHandler(encoder, promise: nil)
                    sync.removeHandler(decoder, promise: nil)
                    if let recorder = try? sync.handler(type: ProxyAnswerRecorder.self) { sync.removeHandler(recorder, promise: nil) }
                }
            }.get()
            try await established.futureResult.get()
        } catch let error as NIOHTTP1ProxyConnectHandler.Error {
            if error == .proxyAuthenticationRequired() { throw KubeError(.proxy, proxy.authenticationFailure) }
            if error == .httpProxyHandshakeTimeout() {
                throw KubeError(.proxy, "the proxy \(proxy.displayName) did not answer CONNECT to \(authority) within \(timeout)")
            }
            if let status = answer.statusLine {
                throw KubeError(.proxy, "the proxy \(proxy.displayName) refused the tunnel to \(authority): \(status)")
            }
            throw KubeError(.proxy, "the proxy \(proxy.displayName) closed the connection instead of answering CONNECT")
        } catch let error as KubeError {
            throw error
        } catch {
            established.fail(error)
            throw error
        }
    }

    /// The status line of the proxy's answer to CONNECT, for the message when it refuses (the CONNECT handler's error
    /// does not carry it).
    private final class ProxyAnswer: Sendable {
        let value = Mutex<String?>(nil)
        var statusLine: String? { value.withLock { $0 } }
    }

    /// Notes the head of the proxy's answer and passes every part on to the CONNECT handler.
    private final class ProxyAnswerRecorder: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias InboundOut = HTTPClientResponsePart
        let answer: ProxyAnswer
        init(answer: ProxyAnswer) { self.answer = answer }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(let head) = unwrapInboundIn(data) {
                answer.value.withLock { $0 = "\(head.version) \(head.status.code) \(head.status.reasonPhrase)" }
            }
            context.fireChannelRead(data)
        }
    }

    /// Resolves the handshake promise when NIOSSL reports the handshake done, or fails it with the first error.
    private final class HandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let promise: EventLoopPromise<NIOSSLCertificate?>
        /// The TLS handler whose handshake this waits for (an https:// proxy's TLS may sit before it).
        let handler: NIOSSLClientHandler
        init(promise: EventLoopPromise<NIOSSLCertificate?>, handler: NIOSSLClientHandler) {
            self.promise = promise
            self.handler = handler
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            // NIOSSL's TLSUserEvent.handshakeCompleted(negotiatedProtocol:), matched by name: its module (NIOTLS) is
            // not one of this target's dependencies.
            if "\(event)".hasPrefix("handshakeCompleted") {
                promise.succeed(handler.peerCertificate)
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            promise.fail(error)
            context.fireErrorCaught(error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(KubeError(.tls, "the server closed the connection during the TLS handshake"))
            context.fireChannelInactive()
        }
    }
}

extension ServerEndpoint {
    /// `host:port` of the server (IPv6 in brackets), for messages and `Host` headers.
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
