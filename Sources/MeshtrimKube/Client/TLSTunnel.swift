import Foundation
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#endif

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
    /// A context for ``open(endpoint:context:connectTimeout:body:)``: `configuration` with NIOSSL's own name check off
    /// (the chain is still verified against the trust roots); ``PeerIdentity`` does the name check.
    static func context(_ configuration: TLSConfiguration) throws -> NIOSSLContext {
        var configuration = configuration
        if configuration.certificateVerification == .fullVerification { configuration.certificateVerification = .noHostnameVerification }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Whether a configuration verifies certificates at all (insecure-skip-tls-verify turns it off).
    static func verifies(_ configuration: TLSConfiguration) -> Bool { configuration.certificateVerification != .none }

    /// Connects to the server (through its proxy), runs `body` with the plaintext streams; TLS when the endpoint is
    /// secure, with the certificate checked against the server's name or IP (``PeerIdentity``) unless `verify` is off.
    ///
    /// - Throws: ``KubeError`` for the proxy's refusals and a certificate that does not name the server; transport
    ///   errors as NIO reports them.
    static func open<Result: Sendable>(
        endpoint: ServerEndpoint, context: NIOSSLContext?, verify: Bool, connectTimeout: Duration,
        body: (inout ByteStreamReader, NIOAsyncChannelOutboundWriter<ByteBuffer>, Channel) async throws -> Result
    ) async throws -> Result {
        let target = endpoint.proxy.map { ($0.host, $0.port) } ?? (endpoint.host, endpoint.port)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(KubeClient.timeAmount(connectTimeout))
            .connect(host: target.0, port: target.1) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let raw = channel.channel
        return try await withTaskCancellationHandler {
            try await channel.executeThenClose { inbound, outbound in
                var reader = ByteStreamReader(inbound)
                if let proxy = endpoint.proxy {
                    if proxy.scheme == "socks5" {
                        try await socks5(proxy, endpoint: endpoint, reader: &reader, outbound: outbound)
                    } else {
                        if proxy.scheme == "https" { try await startProxyTLS(on: raw, proxy: proxy) }
                        try await connect(proxy, endpoint: endpoint, reader: &reader, outbound: outbound)
                    }
                }
                if endpoint.isSecure, let context {
                    try await startTLS(on: raw, endpoint: endpoint, context: context, verify: verify)
                }
                return try await body(&reader, outbound, raw)
            }
        } onCancel: {
            raw.close(promise: nil)
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

    /// `CONNECT host:port` through an HTTP proxy (with `Proxy-Authorization: Basic` when its URL has credentials).
    static func connect(
        _ proxy: ServerEndpoint.Proxy, endpoint: ServerEndpoint, reader: inout ByteStreamReader, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        let authority = endpoint.host.contains(":") ? "[\(endpoint.host)]:\(endpoint.port)" : "\(endpoint.host):\(endpoint.port)"
        var request = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n"
        if let credentials = proxy.basicCredentials { request += "Proxy-Authorization: Basic \(credentials)\r\n" }
        request += "\r\n"
        try await outbound.write(ByteBuffer(string: request))
        guard let head = try await reader.read(through: [13, 10, 13, 10]) else {
            throw KubeError(.proxy, "the proxy \(proxy.displayName) closed the connection instead of answering CONNECT")
        }
        let statusLine = String(decoding: head, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        if parts.count >= 2, parts[1] == "407" { throw KubeError(.proxy, proxy.authenticationFailure) }
        guard parts.count >= 2, parts[1] == "200" else {
            throw KubeError(.proxy, "the proxy \(proxy.displayName) refused the tunnel to \(authority): \(statusLine)")
        }
    }

    /// The SOCKS5 handshake (RFC 1928; no authentication, or user and password per RFC 1929 when the URL has them),
    /// asking for the server's IP or name so the proxy resolves names.
    static func socks5(
        _ proxy: ServerEndpoint.Proxy, endpoint: ServerEndpoint, reader: inout ByteStreamReader, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        let refused = { (what: String) in KubeError(.proxy, "the SOCKS5 proxy \(proxy.displayName) \(what)") }
        let credentials = proxy.credentials.map { $0.split(separator: ":", maxSplits: 1).map(String.init) }
        try await outbound.write(ByteBuffer(bytes: credentials == nil ? [5, 1, 0] : [5, 2, 0, 2]))
        guard let choice = try await reader.read(count: 2), choice[0] == 5 else { throw refused("did not answer the SOCKS5 greeting") }
        switch choice[1] {
        case 0:
            break
        case 2:
            let user = Array((credentials?.first ?? "").utf8.prefix(255))
            let password = Array((credentials?.dropFirst().first ?? "").utf8.prefix(255))
            try await outbound.write(ByteBuffer(bytes: [1, UInt8(user.count)] + user + [UInt8(password.count)] + password))
            guard let status = try await reader.read(count: 2), status[1] == 0 else { throw KubeError(.proxy, proxy.authenticationFailure) }
        default:
            throw refused("accepts none of meshtrim's authentication methods (none, user and password)")
        }
        var request: [UInt8] = [5, 1, 0]
        if let address = PeerIdentity.addressBytes(endpoint.host) {
            request += (address.count == 4 ? [1] : [4]) + address
        } else {
            let name = Array(endpoint.host.utf8.prefix(255))
            request += [3, UInt8(name.count)] + name
        }
        request += [UInt8(endpoint.port >> 8), UInt8(endpoint.port & 0xff)]
        try await outbound.write(ByteBuffer(bytes: request))
        guard let reply = try await reader.read(count: 4), reply[0] == 5 else { throw refused("did not answer the CONNECT request") }
        guard reply[1] == 0 else { throw refused("refused the connection to \(endpoint.authority) (SOCKS5 reply \(reply[1]))") }
        let rest: Int
        switch reply[3] {
        case 1: rest = 4 + 2
        case 4: rest = 16 + 2
        case 3:
            guard let length = try await reader.read(count: 1) else { throw refused("cut its answer short") }
            rest = Int(length[0]) + 2
        default: throw refused("answered with an unknown address type")
        }
        guard try await reader.read(count: rest) != nil else { throw refused("cut its answer short") }
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

/// The name check of a server certificate as Go's crypto/tls does it for kubectl: an IP server must be among the
/// certificate's IP SANs; a name must match one of its DNS SANs (a `*.` wildcard covers one leftmost label), never an
/// IP SAN and never the common name.
enum PeerIdentity {
    /// Whether `certificate` is valid for `name` (a host name or an IP address).
    static func matches(_ certificate: NIOSSLCertificate, name: String) -> Bool {
        let sans = certificate._subjectAlternativeNames()
        if let address = addressBytes(name) {
            return sans.contains { $0.nameType == .ipAddress && Array($0.contents) == address }
        }
        let wanted = name.lowercased().hasSuffix(".") ? String(name.lowercased().dropLast()) : name.lowercased()
        return sans.contains { san in
            guard san.nameType == .dnsName else { return false }
            let pattern = String(decoding: Array(san.contents), as: UTF8.self).lowercased()
            return matches(pattern: pattern, host: wanted)
        }
    }

    /// `*.example.com` matches `a.example.com`, not `example.com` or `a.b.example.com`.
    static func matches(pattern: String, host: String) -> Bool {
        guard pattern.hasPrefix("*.") else { return pattern == host }
        guard let dot = host.firstIndex(of: "."), host.startIndex != dot else { return false }
        return host[dot...] == pattern.dropFirst()
    }

    /// The certificate's SANs, for messages (`DNS:localhost`, `IP:127.0.0.1`).
    static func names(_ certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { san in
            let bytes = Array(san.contents)
            if san.nameType == .dnsName { return "DNS:" + String(decoding: bytes, as: UTF8.self) }
            if san.nameType == .ipAddress { return "IP:" + (text(ofAddress: bytes) ?? "?") }
            return nil
        }
    }

    /// Whether `host` is an IPv4 or IPv6 literal.
    static func isIPAddress(_ host: String) -> Bool { addressBytes(host) != nil }

    /// The 4 or 16 bytes of an IP literal; `nil` for a name.
    static func addressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func text(ofAddress bytes: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        return ok ? String(cString: buffer) : nil
    }
}

extension ServerEndpoint {
    /// `host:port` of the server (IPv6 in brackets), for messages and `Host` headers.
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
