import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A local Unix socket that carries the REST client's HTTP/1.1 connections to the API server over ``TLSTunnel``
/// connections, because AsyncHTTPClient (NIOSSL) cannot check a server certificate as kubectl does: it checks an IP
/// server through a proxy against the proxy's address, accepts an IP SAN equal to the peer address for a server
/// name the certificate does not carry, and would send a `tls-server-name` as the `Host` header. Every TLS context
/// that verifies certificates goes through it, and so does a SOCKS5 proxy with a user and password (AsyncHTTPClient's
/// SOCKS client offers no authentication). Each accepted connection is one tunnel; bytes are copied both ways as
/// they come.
final class TLSRelay: Sendable {
    /// The socket AsyncHTTPClient connects to (`http+unix://`).
    let socketPath: String
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let task: Task<Void, Never>
    private let failure = FailureBox()

    /// The last failure of a tunnel, shared with the tasks that relay.
    private final class FailureBox: Sendable {
        let value = Mutex<(any Error)?>(nil)
    }

    /// Whether the relay is needed for `endpoint` with `tls`: TLS with verification (`insecure-skip-tls-verify`
    /// checks nothing, so AsyncHTTPClient connects directly), or any TLS through an `https://` proxy (AsyncHTTPClient
    /// speaks plain CONNECT only), or a SOCKS5 proxy with credentials.
    static func isNeeded(for endpoint: ServerEndpoint, tls: TLSConfiguration) -> Bool {
        (endpoint.isSecure && (TLSTunnel.verifies(tls) || endpoint.proxy?.scheme == "https"))
            || (endpoint.proxy?.scheme == "socks5" && endpoint.proxy?.credentials != nil)
    }

    /// Starts listening; each connection is made with the TLS context `context` returns then (the client
    /// certificate of an exec plugin may be rotated while the relay runs; `nil` for a plain `http://` server).
    ///
    /// - Throws: NIO's error when the socket cannot be made.
    init(endpoint: ServerEndpoint, context: @escaping @Sendable () -> NIOSSLContext?, connectTimeout: Duration) async throws {
        let path = NSTemporaryDirectory() + "meshtrim-tls-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8)).sock"
        socketPath = path
        server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { child in
                child.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
            }
        let server = self.server
        let failure = self.failure
        task = Task {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            let context = context()
                            group.addTask {
                                try? await Self.relay(
                                    connection, endpoint: endpoint, context: context, connectTimeout: connectTimeout, failure: failure)
                            }
                        }
                    } catch {}
                }
            }
        }
    }

    /// The `http+unix://` URL of `path` and an encoded query.
    func url(path: String, endpoint: ServerEndpoint, query: String) -> String {
        let socket = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
        return "http+unix://\(socket)\(endpoint.pathPrefix)\(path)\(query.isEmpty ? "" : "?\(query)")"
    }

    /// The last tunnel failure (a certificate that does not name the server, a proxy's refusal, an unreachable
    /// server), taken once: what the REST client reports instead of "connection closed".
    func takeFailure() -> (any Error)? {
        failure.value.withLock { value in
            defer { value = nil }
            return value
        }
    }

    /// Stops listening and removes the socket.
    func shutdown() async {
        try? await server.channel.close()
        task.cancel()
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    private static func relay(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, endpoint: ServerEndpoint, context: NIOSSLContext?, connectTimeout: Duration,
        failure: FailureBox
    ) async throws {
        try await connection.executeThenClose { localIn, localOut in
            // The failure is recorded before the client's connection closes, so the client finds it.
            do {
                try await tunnel(localIn, localOut, endpoint: endpoint, context: context, connectTimeout: connectTimeout)
            } catch {
                failure.value.withLock { $0 = error }
                throw error
            }
        }
    }

    private static func tunnel(
        _ localIn: NIOAsyncChannelInboundStream<ByteBuffer>, _ localOut: NIOAsyncChannelOutboundWriter<ByteBuffer>, endpoint: ServerEndpoint,
        context: NIOSSLContext?, connectTimeout: Duration
    ) async throws {
        let verify = context.map { TLSTunnel.verifies($0.configuration) } ?? false
        let upstream = try await TLSTunnel.connect(endpoint: endpoint, context: context, verify: verify, connectTimeout: connectTimeout) { raw in
            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: raw)
        }
        let raw = upstream.channel
        try await withTaskCancellationHandler {
            try await upstream.executeThenClose { serverIn, serverOut in
                // Client to server in a child task (it closes the tunnel when the client hangs up); server to client here.
                let forward = Task {
                    do {
                        for try await buffer in localIn { try await serverOut.write(buffer) }
                    } catch {}
                    raw.close(promise: nil)
                }
                defer { forward.cancel() }
                for try await buffer in serverIn { try await localOut.write(buffer) }
            }
        } onCancel: {
            raw.close(promise: nil)
        }
    }
}
