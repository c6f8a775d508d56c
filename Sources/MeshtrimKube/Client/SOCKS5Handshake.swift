import NIOCore

/// The SOCKS5 handshake (RFC 1928) as a handler at the front of a new connection's pipeline: no authentication, or
/// user and password (RFC 1929) when the proxy URL carries them, then CONNECT to the server by IP or by name (so the
/// proxy resolves names, as kubectl's does). It leaves the pipeline when the proxy has connected.
///
/// Written here because swift-nio-extras' `SOCKSClientHandler` offers only "no authentication required": a
/// `socks5://user:password@host` proxy URL, which kubectl (Go's `x/net/proxy`) honours, could not be used with it.
final class SOCKS5Handshake: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the proxy's next answer is to.
    private enum Stage {
        case greeting, authentication, connect, done
    }

    private var stage = Stage.greeting
    private var received = ByteBuffer()
    private let proxy: ServerEndpoint.Proxy
    private let endpoint: ServerEndpoint
    private let promise: EventLoopPromise<Void>
    /// The proxy URL's user and password as RFC 1929 sends them (at most 255 bytes each).
    private let credentials: (user: [UInt8], password: [UInt8])?

    private init(proxy: ServerEndpoint.Proxy, endpoint: ServerEndpoint, promise: EventLoopPromise<Void>) {
        self.proxy = proxy
        self.endpoint = endpoint
        self.promise = promise
        credentials = proxy.credentials.map { text in
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            return (Array((parts.first ?? "").utf8.prefix(255)), Array((parts.dropFirst().first ?? "").utf8.prefix(255)))
        }
    }

    /// Runs the handshake on the connected channel `raw` and returns when the proxy has connected to `endpoint`.
    ///
    /// - Throws: ``KubeError`` (`proxy`) saying what the proxy refused or that it did not answer within `timeout`.
    static func run(on raw: Channel, proxy: ServerEndpoint.Proxy, endpoint: ServerEndpoint, timeout: Duration) async throws {
        let connected = raw.eventLoop.makePromise(of: Void.self)
        let limit = raw.eventLoop.scheduleTask(in: KubeClient.timeAmount(timeout)) {
            connected.fail(KubeError(.proxy, "the SOCKS5 proxy \(proxy.displayName) did not finish its handshake within \(timeout)"))
            raw.close(promise: nil)
        }
        defer { limit.cancel() }
        do {
            try await raw.eventLoop.submit {
                try raw.pipeline.syncOperations.addHandler(SOCKS5Handshake(proxy: proxy, endpoint: endpoint, promise: connected))
            }.get()
        } catch {
            connected.fail(error)
            throw error
        }
        try await connected.futureResult.get()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Version 5, then the methods offered: 0 (none), and 2 (user and password) when the URL has them.
        send(credentials == nil ? [5, 1, 0] : [5, 2, 0, 2], context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        while stage != .done, let step = answer(context: context) {
            guard step else { return }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("closed the connection during the SOCKS5 handshake", context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    /// Reads the proxy's answer to the current stage: `nil` when it is not all here yet, `false` when the handshake
    /// failed, `true` when it moved on.
    private func answer(context: ChannelHandlerContext) -> Bool? {
        let view = Array(received.readableBytesView)
        switch stage {
        case .greeting:
            guard view.count >= 2 else { return nil }
            received.moveReaderIndex(forwardBy: 2)
            guard view[0] == 5 else { return fail("did not answer the SOCKS5 greeting", context: context) }
            switch (view[1], credentials) {
            case (0, _):
                sendConnect(context: context)
            case (2, let credentials?):
                // RFC 1929: version 1, the user and the password, each with its length.
                send([1, UInt8(credentials.user.count)] + credentials.user + [UInt8(credentials.password.count)] + credentials.password, context: context)
                stage = .authentication
            case (2, nil), (0xFF, nil):
                return fail(
                    "(\(proxy.source)) accepts no connection without authentication: put a user and password in the proxy URL as "
                        + "socks5://USER:PASSWORD@\(proxy.displayName), percent-encoding reserved characters (@ as %40)", context: context)
            default:
                return fail("accepts none of meshtrim's authentication methods (none, user and password)", context: context)
            }
        case .authentication:
            guard view.count >= 2 else { return nil }
            received.moveReaderIndex(forwardBy: 2)
            guard view[1] == 0 else {
                return fail(
                    "(\(proxy.source)) rejected the user and password of its URL (RFC 1929): check them, percent-encoding reserved "
                        + "characters in the URL (@ as %40, : as %3A)", context: context)
            }
            sendConnect(context: context)
        case .connect:
            guard view.count >= 5 else { return nil }
            guard view[0] == 5 else { return fail("did not answer the CONNECT request", context: context) }
            guard view[1] == 0 else {
                return fail("refused the connection to \(endpoint.authority) (SOCKS5 reply \(view[1]))", context: context)
            }
            // The bound address the proxy reports, then its port: skipped.
            let length: Int
            switch view[3] {
            case 1: length = 4 + 4 + 2
            case 4: length = 4 + 16 + 2
            case 3: length = 4 + 1 + Int(view[4]) + 2
            default: return fail("answered with an unknown address type", context: context)
            }
            guard view.count >= length else { return nil }
            received.moveReaderIndex(forwardBy: length)
            stage = .done
            if received.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(received)) }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            promise.succeed(())
        case .done:
            return nil
        }
        return true
    }

    /// CONNECT (command 1) to the server: an IPv4 or IPv6 address as such, a name for the proxy to resolve.
    private func sendConnect(context: ChannelHandlerContext) {
        var request: [UInt8] = [5, 1, 0]
        if let address = PeerIdentity.addressBytes(endpoint.host) {
            request += (address.count == 4 ? [1] : [4]) + address
        } else {
            let name = Array(endpoint.host.utf8.prefix(255))
            request += [3, UInt8(name.count)] + name
        }
        request += [UInt8(endpoint.port >> 8), UInt8(endpoint.port & 0xff)]
        send(request, context: context)
        stage = .connect
    }

    private func send(_ bytes: [UInt8], context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    @discardableResult
    private func fail(_ what: String, context: ChannelHandlerContext) -> Bool {
        fail(KubeError(.proxy, "the SOCKS5 proxy \(proxy.displayName) \(what)"), context: context)
    }

    private func fail(_ error: KubeError, context: ChannelHandlerContext) -> Bool {
        stage = .done
        promise.fail(error)
        context.close(promise: nil)
        return false
    }
}
