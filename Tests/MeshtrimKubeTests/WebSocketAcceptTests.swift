import Crypto
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import MeshtrimKube

/// The port-forward's WebSocket upgrade: taken only with the `Sec-WebSocket-Accept` RFC 6455 computes from the
/// request's key (a 101 from something else, a proxy or cache in between, is refused before
/// anything is sent through it), and with the right one the pod's answer comes back through masked client frames.
@Suite("Port-forward: the WebSocket upgrade")
struct WebSocketAcceptTests {
    /// What the fake API server does after reading the upgrade request.
    enum Answer: Sendable {
        /// 101 with this `Sec-WebSocket-Accept` header line (empty for none), then waits.
        case switching(acceptHeader: String)
        /// 101 with the right Accept, the port frames and `body` as the pod's HTTP answer, all in one write.
        case upgradeAndAnswer(body: String)
        /// 101 with the right Accept, the port frames, `message` on the error channel and a close frame, in one write,
        /// then the connection closes (what a kubelet does when nothing listens on the port).
        case upgradeAndRefuse(message: String)
    }

    /// What the fake server saw of the client's first WebSocket frame.
    struct SeenFrame: Sendable {
        var masked: Bool
        var payload: [UInt8]
    }

    /// Where the fake server puts what it saw (shared with the test).
    final class Seen: Sendable {
        let frame = Mutex<SeenFrame?>(nil)
    }

    /// A server on 127.0.0.1 that answers one port-forward as `answer` says; `seen` gets the client's first frame before
    /// the answer is sent.
    static func serve(_ answer: Answer, seen: Seen) async throws -> (port: Int, task: Task<Void, Error>) {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = try #require(server.channel.localAddress?.port)
        let task = Task {
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    try await connection.executeThenClose { input, output in
                        var chunks = input.makeAsyncIterator()
                        var received: [UInt8] = []
                        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n"), let chunk = try await chunks.next() {
                            received += chunk.readableBytesView
                        }
                        let request = String(decoding: received, as: UTF8.self)
                        let headEnd = request.range(of: "\r\n\r\n").map { request.utf8.distance(from: request.startIndex, to: $0.upperBound) } ?? 0
                        let key = request.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
                            .map { String($0.dropFirst("sec-websocket-key:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
                        let accept = Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
                        let head = { (acceptLine: String) in
                            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\(acceptLine)"
                                + "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n"
                        }
                        switch answer {
                        case .switching(let acceptHeader):
                            try await output.write(ByteBuffer(string: head(acceptHeader)))
                        case .upgradeAndRefuse(let message):
                            var bytes = Array(head("Sec-WebSocket-Accept: \(accept)\r\n").utf8)
                            bytes += [0x82, 3, 0, 0x98, 0x3A, 0x82, 3, 1, 0x98, 0x3A]
                            let text = Array(message.utf8)
                            bytes += [0x82, UInt8(1 + text.count), 1] + text
                            bytes += [0x88, 2, 0x03, 0xE8]
                            try await output.write(ByteBuffer(bytes: bytes))
                            return
                        case .upgradeAndAnswer(let body):
                            var bytes = Array(head("Sec-WebSocket-Accept: \(accept)\r\n").utf8)
                            // Server frames are not masked: the port number on data channel 0 and error channel 1, in
                            // the same write as the 101.
                            bytes += [0x82, 3, 0, 0x98, 0x3A, 0x82, 3, 1, 0x98, 0x3A]
                            try await output.write(ByteBuffer(bytes: bytes))
                            // The client's request frame: FIN + binary, the mask bit and a 7-bit length, the key, the payload.
                            var frame = Array(received[headEnd...])
                            while frame.count < 2 || frame.count < 6 + Int(frame[1] & 0x7F), let chunk = try await chunks.next() {
                                frame += chunk.readableBytesView
                            }
                            let length = Int(frame[1] & 0x7F)
                            let mask = Array(frame[2..<6])
                            let payload = frame[6..<(6 + length)].enumerated().map { $0.element ^ mask[$0.offset & 3] }
                            seen.frame.withLock { $0 = SeenFrame(masked: frame[1] & 0x80 != 0, payload: payload) }
                            let http = Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
                            try await output.write(ByteBuffer(bytes: [0x82, UInt8(1 + http.count), 0] + http))
                        }
                        // Hold the connection open: the client decides when it is done.
                        while try await chunks.next() != nil {}
                    }
                    if case .upgradeAndRefuse = answer { continue }
                    return
                }
            }
        }
        return (port, task)
    }

    static func client(port: Int) async throws -> KubeClient {
        let access = ClusterAccess(
            contextName: "fake", clusterName: "fake", userName: "", server: "http://127.0.0.1:\(port)", namespace: "default",
            cluster: ClusterEntry(server: "http://127.0.0.1:\(port)"), user: UserEntry())
        var options = KubeClient.Options()
        options.environment = [:]  // no HTTP_PROXY from the machine running the test
        return try await KubeClient.connect(access, options: options)
    }

    @Test("the Accept is RFC 6455's for the key (the RFC's own example)")
    func rfcExample() {
        #expect(PortForwarder.expectedAccept(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("a 101 with another Accept, or none, is refused with the reason", arguments: [
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "",
    ])
    func wrongAcceptIsRefused(_ acceptHeader: String) async throws {
        let (port, serving) = try await Self.serve(.switching(acceptHeader: acceptHeader), seen: Seen())
        defer { serving.cancel() }
        let client = try await Self.client(port: port)
        let error = await #expect(throws: KubeError.self) {
            _ = try await client.portForwardGET(namespace: "shop", pod: "web-1", port: 15000, path: "/stats", timeout: .seconds(10))
        }
        #expect(error?.kind == .badResponse, "\(String(describing: error))")
        #expect(error?.message.contains("Sec-WebSocket-Accept") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("RFC 6455") == true, "\(error?.message ?? "")")
        await client.shutdown()
    }

    @Test("with the right Accept the request goes out in a masked frame on channel 0 and the pod's answer comes back")
    func rightAcceptCarriesTheAnswer() async throws {
        let seen = Seen()
        let (port, serving) = try await Self.serve(.upgradeAndAnswer(body: "hello"), seen: seen)
        defer { serving.cancel() }
        let client = try await Self.client(port: port)
        let answer = try await client.portForwardGET(namespace: "shop", pod: "web-1", port: 15000, path: "/stats", timeout: .seconds(10))
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == "hello")
        let frame = try #require(seen.frame.withLock { $0 })
        #expect(frame.masked)
        #expect(frame.payload.first == 0)
        #expect(String(decoding: frame.payload.dropFirst(), as: UTF8.self).hasPrefix("GET /stats HTTP/1.1\r\nHost: localhost:15000\r\n"))
        await client.shutdown()
    }

    @Test("a refusal sent with the 101 and the close right after is read, every time")
    func refusalWithTheUpgradeIsRead() async throws {
        let (port, serving) = try await Self.serve(.upgradeAndRefuse(message: "connection refused on port 15000"), seen: Seen())
        defer { serving.cancel() }
        let client = try await Self.client(port: port)
        for attempt in 1...50 {
            let error = await #expect(throws: KubeError.self) {
                _ = try await client.portForwardGET(namespace: "shop", pod: "web-1", port: 15000, path: "/stats", timeout: .seconds(10))
            }
            #expect(error?.kind == .portForward && error?.message.contains("connection refused on port 15000") == true, "attempt \(attempt): \(String(describing: error))")
        }
        await client.shutdown()
    }
}
