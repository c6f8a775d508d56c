import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import MeshtrimKube

/// The port-forward's WebSocket upgrade is accepted only with the `Sec-WebSocket-Accept` RFC 6455 computes from the
/// request's key: a 101 from something else (a proxy or cache in between) is refused before anything is sent
/// through it.
@Suite("Port-forward: Sec-WebSocket-Accept")
struct WebSocketAcceptTests {
    @Test("the Accept is RFC 6455's for the key (the RFC's own example)")
    func rfcExample() {
        #expect(PortForwarder.expectedAccept(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("a 101 with another Accept, or none, is refused with the reason", arguments: [
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "",
    ])
    func wrongAcceptIsRefused(_ acceptHeader: String) async throws {
        let answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\(acceptHeader)"
            + "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n"
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = try #require(server.channel.localAddress?.port)
        let serving = Task {
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    try await connection.executeThenClose { input, output in
                        var chunks = input.makeAsyncIterator()
                        var request = ""
                        while !request.contains("\r\n\r\n"), let chunk = try await chunks.next() { request += String(buffer: chunk) }
                        try await output.write(ByteBuffer(string: answer))
                        // Hold the connection open: the client must refuse the upgrade, not wait for frames.
                        while try await chunks.next() != nil {}
                    }
                    return
                }
            }
        }
        defer { serving.cancel() }
        let access = ClusterAccess(
            contextName: "fake", clusterName: "fake", userName: "", server: "http://127.0.0.1:\(port)", namespace: "default",
            cluster: ClusterEntry(server: "http://127.0.0.1:\(port)"), user: UserEntry())
        var options = KubeClient.Options()
        options.environment = [:]  // no HTTP_PROXY from the machine running the test
        let client = try await KubeClient.connect(access, options: options)
        let error = await #expect(throws: KubeError.self) {
            _ = try await client.portForwardGET(namespace: "shop", pod: "web-1", port: 15000, path: "/stats", timeout: .seconds(10))
        }
        #expect(error?.kind == .badResponse, "\(String(describing: error))")
        #expect(error?.message.contains("Sec-WebSocket-Accept") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("RFC 6455") == true, "\(error?.message ?? "")")
        await client.shutdown()
    }
}
