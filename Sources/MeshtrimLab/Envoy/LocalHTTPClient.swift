import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 GET client for loopback endpoints: the lab's Envoy admin and Prometheus ports.
///
/// One connection per request (`Connection: close`), as pilot-agent and the API server's proxy do; chunked
/// responses are reassembled by NIO's decoder.
enum LocalHTTPClient {
    /// A response: status, headers and the whole body.
    struct Response: Sendable {
        /// The status code.
        var status: Int
        /// The `Content-Type` header, when present.
        var contentType: String?
        /// The body.
        var body: ByteBuffer
        /// The body as UTF-8 text.
        var text: String { String(buffer: body) }
    }

    /// GETs `path` (with its query) from `127.0.0.1:port`.
    ///
    /// - Throws: ``LabError`` when the connection is refused or the answer is not HTTP, or the time runs out.
    static func get(port: Int, path: String, timeout: Duration = .seconds(30)) async throws -> Response {
        do {
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await fetch(port: port, path: path) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw LabError("GET 127.0.0.1:\(port)\(path) did not answer within \(timeout)")
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw LabError("GET 127.0.0.1:\(port)\(path): no answer") }
                return first
            }
        } catch let error as LabError {
            throw error
        } catch {
            throw LabError("GET 127.0.0.1:\(port)\(path) failed: \(error)")
        }
    }

    private static func fetch(port: Int, path: String) async throws -> Response {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "127.0.0.1:\(port)")
            headers.add(name: "Connection", value: "close")
            headers.add(name: "User-Agent", value: "meshtrim-lab")
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)))
            try await outbound.write(.end(nil))
            var status = 0
            var contentType: String?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let head):
                    status = Int(head.status.code)
                    contentType = head.headers.first(name: "Content-Type")
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    return Response(status: status, contentType: contentType, body: body)
                }
            }
            throw LabError("GET 127.0.0.1:\(port)\(path): the connection closed before the response ended")
        }
    }
}
