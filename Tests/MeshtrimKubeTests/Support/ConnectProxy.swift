import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A local HTTP CONNECT proxy (what `proxy-url: http://…` points at) that counts the tunnels it opened and, when
/// given credentials, demands them as a real one does: 407 with `Proxy-Authenticate: Basic` unless the CONNECT
/// carries exactly `Proxy-Authorization: Basic base64(user:password)`. A connection that opens with a SOCKS5
/// greeting (`socks5://` proxy URLs) is served as SOCKS5 (IPv4, IPv6 and name targets): without credentials with no
/// authentication, with them only after RFC 1929's user and password sub-negotiation carries exactly them.
final class ConnectProxy: Sendable {
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let task: Task<Void, Never>
    private let tunnels: TunnelLog

    /// The port it listens on (on the host given to ``start(host:user:password:)``).
    let port: Int

    /// The `host:port` targets of the tunnels opened so far.
    var targets: [String] { tunnels.all }
    /// How many CONNECTs were refused with 407, and SOCKS5 handshakes without the right user and password.
    var refusals: Int { tunnels.refused }

    private init(server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, port: Int, tunnels: TunnelLog, task: Task<Void, Never>) {
        self.server = server
        self.port = port
        self.tunnels = tunnels
        self.task = task
    }

    /// Starts the proxy; with `user` and `password`, only CONNECTs that carry them (Basic) get a tunnel.
    /// `host` is where it listens: another loopback address (127.0.0.2) than the server's makes the proxy's address
    /// differ from the server's, as on a real network. With `tls`, clients speak TLS to the proxy first (an `https://`
    /// proxy).
    static func start(
        host: String = "127.0.0.1", user: String? = nil, password: String = "", tls: TLSConfiguration? = nil
    ) async throws -> ConnectProxy {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let expected = user.map { "Basic " + Data("\($0):\(password)".utf8).base64EncodedString() }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = server.channel.localAddress?.port else { throw KubeTestError("the proxy has no port") }
        let box = TunnelLog()
        let task = Task<Void, Never> {
            _ = try? await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask {
                            do {
                                try await Self.handle(connection, log: box, expected: expected, credentials: user.map { ($0, password) })
                            } catch {}
                        }
                    }
                }
            }
        }
        return ConnectProxy(server: server, port: port, tunnels: box, task: task)
    }

    func stop() async {
        try? await server.channel.close()
        task.cancel()
    }

    private static func handle(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, log: TunnelLog, expected: String?, credentials: (user: String, password: String)?
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var head = ByteBuffer()
            var headEnd: Int?
            guard var first = try await iterator.next() else { return }
            head.writeBuffer(&first)
            if head.readableBytesView.first == 5 {
                func need(_ count: Int) async throws -> Bool {
                    while head.readableBytes < count {
                        guard var next = try await iterator.next() else { return false }
                        head.writeBuffer(&next)
                    }
                    return true
                }
                guard try await need(2), let methods = head.getInteger(at: head.readerIndex + 1, as: UInt8.self),
                    try await need(2 + Int(methods))
                else { return }
                let offered = head.getBytes(at: head.readerIndex + 2, length: Int(methods)) ?? []
                head.moveReaderIndex(forwardBy: 2 + Int(methods))
                if let credentials {
                    guard offered.contains(2) else {
                        log.refuse()
                        try await outbound.write(ByteBuffer(bytes: [5, 0xFF]))
                        return
                    }
                    try await outbound.write(ByteBuffer(bytes: [5, 2]))
                    // RFC 1929: version 1, the user's length and bytes, the password's length and bytes.
                    guard try await need(2), let userLength = head.getInteger(at: head.readerIndex + 1, as: UInt8.self).map(Int.init),
                        try await need(3 + userLength),
                        let passwordLength = head.getInteger(at: head.readerIndex + 2 + userLength, as: UInt8.self).map(Int.init),
                        try await need(3 + userLength + passwordLength),
                        let bytes = head.readBytes(length: 3 + userLength + passwordLength)
                    else { return }
                    let user = String(decoding: bytes[2..<(2 + userLength)], as: UTF8.self)
                    let password = String(decoding: bytes[(3 + userLength)...], as: UTF8.self)
                    guard user == credentials.user, password == credentials.password else {
                        log.refuse()
                        try await outbound.write(ByteBuffer(bytes: [1, 1]))
                        return
                    }
                    try await outbound.write(ByteBuffer(bytes: [1, 0]))
                } else {
                    try await outbound.write(ByteBuffer(bytes: [5, 0]))
                }
                guard try await need(5), let type = head.getInteger(at: head.readerIndex + 3, as: UInt8.self) else { return }
                let addressLength: Int
                switch type {
                case 1: addressLength = 4
                case 4: addressLength = 16
                default: addressLength = 1 + Int(head.getInteger(at: head.readerIndex + 4, as: UInt8.self) ?? 0)
                }
                guard try await need(4 + addressLength + 2), let bytes = head.getBytes(at: head.readerIndex + 4, length: addressLength + 2) else {
                    return
                }
                head.moveReaderIndex(forwardBy: 4 + addressLength + 2)
                let port = Int(bytes[addressLength]) << 8 | Int(bytes[addressLength + 1])
                let host: String
                switch type {
                case 1: host = bytes.prefix(4).map(String.init).joined(separator: ".")
                case 4: host = stride(from: 0, to: 16, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
                default: host = String(decoding: bytes.dropFirst().prefix(addressLength - 1), as: UTF8.self)
                }
                log.append("socks5 \(host):\(port)")
                let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: host == "localhost" ? "127.0.0.1" : host, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
                try await outbound.write(ByteBuffer(bytes: [5, 0, 0, 1, 0, 0, 0, 0, 0, 0]))
                try await pipe(leftover: head, iterator: &iterator, outbound: outbound, upstream: upstream)
                return
            }
            headEnd = head.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)).map { $0.upperBound - head.readableBytesView.startIndex }
            while headEnd == nil {
                guard var next = try await iterator.next() else { return }
                head.writeBuffer(&next)
                headEnd = head.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)).map { $0.upperBound - head.readableBytesView.startIndex }
            }
            let text = head.getString(at: head.readerIndex, length: headEnd ?? 0) ?? ""
            let parts = text.split(separator: " ")
            guard parts.count >= 2, parts[0] == "CONNECT" else {
                try await outbound.write(ByteBuffer(string: "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"))
                return
            }
            let target = String(parts[1])
            if let expected {
                let authorization = text.split(separator: "\r\n").dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
                    .map { $0.dropFirst("proxy-authorization:".count).trimmingCharacters(in: .whitespaces) }
                guard authorization == expected else {
                    log.refuse()
                    try await outbound.write(
                        ByteBuffer(
                            string: "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"meshtrim-test\"\r\n"
                                + "Content-Length: 0\r\nConnection: close\r\n\r\n"))
                    return
                }
            }
            log.append(target)
            let hostPort = target.split(separator: ":")
            guard hostPort.count == 2, let port = Int(hostPort[1]) else { return }
            let host = hostPort[0] == "localhost" ? "127.0.0.1" : String(hostPort[0])
            let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n"))
            head.moveReaderIndex(forwardBy: headEnd ?? 0)
            try await pipe(leftover: head, iterator: &iterator, outbound: outbound, upstream: upstream)
        }
    }

    /// Copies both ways between the client and the upstream until both are done.
    private static func pipe(
        leftover: ByteBuffer, iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, upstream: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    ) async throws {
        try await upstream.executeThenClose { upInbound, upOutbound in
            if leftover.readableBytes > 0 { try await upOutbound.write(leftover) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await buffer in upInbound { try await outbound.write(buffer) }
                    outbound.finish()
                }
                while let buffer = try await iterator.next() { try await upOutbound.write(buffer) }
                upOutbound.finish()
                try await group.next()
            }
        }
    }
}

/// A tunnel log shared with the connection tasks.
private final class TunnelLog: Sendable {
    private let mutex = Mutex<(targets: [String], refused: Int)>(([], 0))
    func append(_ target: String) { mutex.withLock { $0.targets.append(target) } }
    func refuse() { mutex.withLock { $0.refused += 1 } }
    var all: [String] { mutex.withLock { $0.targets } }
    var refused: Int { mutex.withLock { $0.refused } }
}
