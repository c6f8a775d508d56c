import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A plain-HTTP front that admits only `Authorization: Bearer <token>` and forwards to `upstream`, as
/// kube-rbac-proxy or an OAuth proxy sits in front of a Prometheus; anything else gets 401 (403 for a wrong token).
final class BearerProxy: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Never>
    private let client: HTTPClient
    /// The proxy's URL (`http://127.0.0.1:PORT`).
    let url: String

    private init(group: ServiceGroup, task: Task<Void, Never>, client: HTTPClient, url: String) {
        self.group = group
        self.task = task
        self.client = client
        self.url = url
    }

    /// Starts a proxy for `upstream` that wants `token`.
    static func start(upstream: String, token: String) async throws -> BearerProxy {
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let ports = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "bearer-proxy")
        logger.logLevel = .critical
        let app = Application(
            responder: Forwarder(upstream: upstream, token: token, client: client),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task<Void, Never> { _ = try? await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            try? await client.shutdown()
            throw KubeTestError("the bearer proxy did not start")
        }
        return BearerProxy(group: group, task: task, client: client, url: "http://127.0.0.1:\(port)")
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.value
        try? await client.shutdown()
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
