import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOPosix

/// One WebSocket port-forward: the kubelet's side of `pods/NAME/portforward?ports=…`, tunnelling to the pod's Envoy.
///
/// Each requested port gets one TCP connection, opened when the WebSocket opens: 15000 goes to the Envoy's admin
/// port; 15090 is answered by the lab itself, as the pod's Prometheus listener (the Envoy's stats plus the Istio
/// request metrics, as through the pod proxy); any other port gets an error on its error channel, as the kubelet
/// reports a refused connection. The WebSocket closes when every connection has closed (one HTTP request with
/// `Connection: close` per WebSocket, as docs/kubernetes-and-envoy.md §4.3 describes) or when the client closes it.
struct PortForwardSession: Sendable {
    /// One requested port and where it goes in the lab (`nil`: nothing listens).
    struct Target: Sendable {
        /// The pod port the client asked for.
        var port: Int
        /// The loopback port behind it.
        var localPort: Int?
        /// Answers HTTP requests on this port in the lab (request target → answer) instead of a connection.
        var serve: (@Sendable (String) async -> Answer)?

        /// A target tunnelled to `localPort` (`nil`: refused).
        init(port: Int, localPort: Int?) {
            self.port = port
            self.localPort = localPort
        }

        /// A target the lab answers itself.
        init(port: Int, serve: @escaping @Sendable (String) async -> Answer) {
            self.port = port
            self.serve = serve
        }
    }

    /// An HTTP answer the lab gives on a served port.
    struct Answer: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
    }

    /// The requested ports, in request order.
    var targets: [Target]
    /// The framing.
    var encoding: PortForwardFrame.Encoding
    /// The pod, for error messages.
    var podName: String
    /// Delay before tunnelling (the `slow-envoy` fault).
    var delay: Duration
    /// How long the stream stays open after every pod-side connection closed, unless the client closes it first
    /// (the `port-forward=linger` fault: container runtimes hold the stream up to a second).
    var linger: Duration = .zero
    /// Told who ended the session (the lab's record for tests of the client's close).
    var onEnd: (@Sendable (End) -> Void)?

    /// Who ended a session.
    enum End: Sendable { case client, lab }

    init(targets: [Target], encoding: PortForwardFrame.Encoding, podName: String, delay: Duration) {
        self.targets = targets
        self.encoding = encoding
        self.podName = podName
        self.delay = delay
    }

    /// Runs the session until both sides are done.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        if delay > .zero { try? await Task.sleep(for: delay) }
        do {
            for (index, target) in targets.enumerated() {
                try await send(channel: UInt8(index * 2), PortForwardFrame.portPrefix(target.port), outbound)
                try await send(channel: UInt8(index * 2 + 1), PortForwardFrame.portPrefix(target.port), outbound)
            }
            var end = End.lab
            try await withConnections(from: 0, opened: []) { connections in
                end = try await pump(connections: connections, inbound: inbound, outbound: outbound)
            }
            onEnd?(end)
            try await outbound.close(.normalClosure, reason: nil)
        } catch {
            try? await outbound.close(.unexpectedServerError, reason: "port-forward failed")
        }
    }

    /// Opens the connection of target `index` and recurses, so every channel is closed by `executeThenClose`.
    private func withConnections(
        from index: Int, opened: [NIOAsyncChannel<ByteBuffer, ByteBuffer>?],
        body: ([NIOAsyncChannel<ByteBuffer, ByteBuffer>?]) async throws -> Void
    ) async throws {
        guard index < targets.count else { return try await body(opened) }
        guard targets[index].serve == nil, let localPort = targets[index].localPort,
            let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(host: "127.0.0.1", port: localPort, channelInitializer: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                })
        else {
            return try await withConnections(from: index + 1, opened: opened + [nil], body: body)
        }
        try await channel.executeThenClose { _, _ in
            try await withConnections(from: index + 1, opened: opened + [channel], body: body)
        }
    }

    /// Tunnels until the client leaves or every pod-side connection has closed (and the linger passed); says who
    /// ended it.
    private func pump(
        connections: [NIOAsyncChannel<ByteBuffer, ByteBuffer>?], inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws -> End {
        for (index, connection) in connections.enumerated() where connection == nil && targets[index].serve == nil {
            let port = targets[index].port
            let message = "error forwarding port \(port) to pod \(podName), uid : failed to connect to localhost:\(port) inside namespace: "
                + "dial tcp4 127.0.0.1:\(port): connect: connection refused"
            try await send(channel: UInt8(index * 2 + 1), Array(message.utf8), outbound)
        }
        enum Finished { case reader, writer, linger }
        let readers = connections.compactMap { $0 }.count + targets.filter { $0.serve != nil }.count
        guard readers > 0 else { return .lab }
        let linger = self.linger
        var served: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
        return try await withThrowingTaskGroup(of: Finished.self) { group in
            // Served ports: requests in, answers out, until a request with `Connection: close`.
            for (index, target) in targets.enumerated() {
                guard let serve = target.serve else { continue }
                let (requests, continuation) = AsyncStream.makeStream(of: [UInt8].self)
                served[index] = continuation
                group.addTask {
                    var buffer: [UInt8] = []
                    for await chunk in requests {
                        buffer += chunk
                        while let request = Self.takeRequest(from: &buffer) {
                            let answer = await serve(request.target)
                            var head = "HTTP/1.1 \(answer.status) \(answer.status == 200 ? "OK" : "Error")\r\nContent-Type: \(answer.contentType)\r\n"
                            head += "Content-Length: \(answer.body.count)\r\n" + (request.closes ? "Connection: close\r\n" : "") + "\r\n"
                            let bytes = Array(head.utf8) + answer.body
                            for start in stride(from: 0, to: bytes.count, by: 16_000) {
                                try await send(channel: UInt8(index * 2), bytes[start..<min(start + 16_000, bytes.count)], outbound)
                            }
                            if request.closes { return .reader }
                        }
                    }
                    return .reader
                }
            }
            // Pod → client: one task per open connection.
            for (index, connection) in connections.enumerated() {
                guard let connection else { continue }
                group.addTask {
                    for try await buffer in connection.inbound {
                        // One message per 16 KiB, within every client's default maximum frame size.
                        let bytes = Array(buffer.readableBytesView)
                        for start in stride(from: 0, to: bytes.count, by: 16_000) {
                            try await send(channel: UInt8(index * 2), bytes[start..<min(start + 16_000, bytes.count)], outbound)
                        }
                    }
                    return .reader
                }
            }
            // Client → pod, until the client closes the WebSocket.
            let served = served
            group.addTask {
                for try await message in inbound.messages(maxSize: 16 * 1024 * 1024) {
                    let decoded: PortForwardFrame.Message?
                    switch message {
                    case .binary(let buffer): decoded = PortForwardFrame.decode(binary: buffer)
                    case .text(let text): decoded = PortForwardFrame.decode(text: text)
                    }
                    guard let decoded, decoded.channel % 2 == 0 else { continue }
                    let index = Int(decoded.channel / 2)
                    if let requests = served[index] {
                        requests.yield(Array(decoded.payload))
                        continue
                    }
                    guard index < connections.count, let connection = connections[index], !decoded.payload.isEmpty else { continue }
                    try await connection.outbound.write(ByteBuffer(bytes: decoded.payload))
                }
                for requests in served.values { requests.finish() }
                return .writer
            }
            // Done when the client leaves or every pod-side connection has closed.
            var finishedReaders = 0
            var end = End.lab
            while let finished = try await group.next() {
                if finished == .writer {
                    end = .client
                    break
                }
                if finished == .linger { break }
                finishedReaders += 1
                if finishedReaders == readers {
                    guard linger > .zero else { break }
                    // Hold the stream open, as a runtime does, until the client closes it or the linger passes.
                    group.addTask {
                        try await Task.sleep(for: linger)
                        return .linger
                    }
                }
            }
            group.cancelAll()
            return end
        }
    }

    /// Takes one complete request head (a GET: no body) off the front of `buffer`.
    static func takeRequest(from buffer: inout [UInt8]) -> (target: String, closes: Bool)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<($0 + 4)]) == separator }) else {
            return nil
        }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(end + 4)
        let parts = (lines.first ?? "").split(separator: " ")
        let closes = lines.dropFirst().contains { $0.lowercased().hasPrefix("connection:") && $0.lowercased().contains("close") }
        return (parts.count > 1 ? String(parts[1]) : "/", closes)
    }

    private func send(channel: UInt8, _ payload: some Collection<UInt8>, _ outbound: WebSocketOutboundWriter) async throws {
        switch encoding {
        case .binary: try await outbound.write(.binary(PortForwardFrame.binary(channel: channel, payload: payload)))
        case .base64: try await outbound.write(.text(PortForwardFrame.base64(channel: channel, payload: payload)))
        }
    }
}
