import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A plain-HTTP Hummingbird server on 127.0.0.1 and a free port for one test, with the HTTP client its responder
/// forwards with: what the test proxies (``BearerProxy``, ``RBACProxy``) share.
final class LocalServer: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Never>
    private let client: HTTPClient
    /// The server's URL (`http://127.0.0.1:PORT`).
    let url: String

    private init(group: ServiceGroup, task: Task<Void, Never>, client: HTTPClient, url: String) {
        self.group = group
        self.task = task
        self.client = client
        self.url = url
    }

    /// Starts `responder` and returns once it listens; `client` is shut down with the server.
    ///
    /// - Throws: ``KubeTestError`` naming `name` when the server does not come up.
    static func start<Responder: HTTPResponder>(name: String, client: HTTPClient, responder: Responder) async throws -> LocalServer
    where Responder.Context == BasicRequestContext {
        let ports = AsyncStream<Int>.makeStream()
        var logger = Logger(label: name)
        logger.logLevel = .critical
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task<Void, Never> { _ = try? await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            try? await client.shutdown()
            throw KubeTestError("the \(name) did not start")
        }
        return LocalServer(group: group, task: task, client: client, url: "http://127.0.0.1:\(port)")
    }

    /// Stops the server and its client.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.value
        try? await client.shutdown()
    }
}
