import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// A plain-HTTP front that admits only `Authorization: Bearer <token>` and forwards to `upstream`, as
/// kube-rbac-proxy or an OAuth proxy sits in front of a Prometheus; anything else gets 401 (403 for a wrong token).
final class BearerProxy: Sendable {
    private let server: LocalServer
    /// The proxy's URL (`http://127.0.0.1:PORT`).
    var url: String { server.url }

    private init(server: LocalServer) {
        self.server = server
    }

    /// Starts a proxy for `upstream` that wants `token`.
    static func start(upstream: String, token: String) async throws -> BearerProxy {
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let responder = Forwarder(upstream: upstream, token: token, client: client)
        return BearerProxy(server: try await LocalServer.start(name: "bearer proxy", client: client, responder: responder))
    }

    /// Stops the proxy.
    func stop() async {
        await server.stop()
    }

    private struct Forwarder: HTTPResponder {
        typealias Context = BasicRequestContext
        let upstream: String
        let token: String
        let client: HTTPClient

        func respond(to request: Request, context: Context) async throws -> Response {
            guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") else {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "Unauthorized\n")))
            }
            guard authorization == "Bearer \(token)" else {
                return Response(status: .forbidden, body: .init(byteBuffer: ByteBuffer(string: "Forbidden\n")))
            }
            let forwarded = HTTPClientRequest(url: upstream + request.uri.string)
            let response = try await client.execute(forwarded, timeout: .seconds(60))
            let data = try await response.body.collect(upTo: 256 << 20)
            var headers = HTTPFields()
            if let type = response.headers.first(name: "Content-Type") { headers[.contentType] = type }
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: .init(byteBuffer: data))
        }
    }
}
