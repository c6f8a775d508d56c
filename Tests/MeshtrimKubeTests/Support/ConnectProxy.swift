import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A local HTTP CONNECT proxy (what `proxy-url: http://…` points at) that counts the tunnels it opened.
final class ConnectProxy: Sendable {
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let task: Task<Void, Never>
    private let tunnels: TunnelLog

    /// The port it listens on (127.0.0.1).
    let port: Int

    /// The `host:port` targets of the tunnels opened so far.
    var targets: [String] { tunnels.all }

    private init(server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, port: Int, tunnels: TunnelLog, task: Task<Void, Never>) {
        self.server = server
        self.port = port
        self.tunnels = tunnels
        self.task = task
    }

    static func start() async throws -> ConnectProxy {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        guard let port = server.channel.localAddress?.port else { throw KubeTestError("the proxy has no port") }
        let box = TunnelLog()
        let task = Task<Void, Never> {
            _ = try? await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask {
                            do { try await Self.handle(connection, log: box) } catch {}
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

    private static func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, log: TunnelLog) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var head = ByteBuffer()
            var headEnd: Int?
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
            let leftover = head
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
}

/// A tunnel log shared with the connection tasks.
private final class TunnelLog: Sendable {
    private let mutex = Mutex<[String]>([])
    func append(_ target: String) { mutex.withLock { $0.append(target) } }
    var all: [String] { mutex.withLock { $0 } }
}
