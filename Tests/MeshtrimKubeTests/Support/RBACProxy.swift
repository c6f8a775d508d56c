import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import NIOSSL

/// A plain-HTTP front for a lab that plays a stricter RBAC: requests that `isForbidden` are answered with the
/// API server's 403 Status, everything else is forwarded to the lab with the admin's token.
///
/// The lab's users are all-or-read-only; this proxy gives tests a user who may list pods per namespace but not
/// cluster-wide, as namespace-scoped RoleBindings do.
final class RBACProxy: Sendable {
    private let server: LocalServer
    /// The proxy's URL (`http://127.0.0.1:PORT`).
    var url: String { server.url }

    private init(server: LocalServer) {
        self.server = server
    }

    /// Starts a proxy in front of `lab`.
    static func start(lab: LabRun, isForbidden: @escaping @Sendable (_ method: String, _ path: String) -> Bool) async throws -> RBACProxy {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(lab.caPEM.utf8)))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(tlsConfiguration: tls))
        let responder = Forwarder(upstream: lab.server, token: lab.adminToken, client: client, isForbidden: isForbidden)
        return RBACProxy(server: try await LocalServer.start(name: "RBAC proxy", client: client, responder: responder))
    }

    /// Stops the proxy.
    func stop() async {
        await server.stop()
    }

    /// A kubeconfig with one context (`proxied`, namespace `default`) pointing at the proxy, without credentials.
    func kubeconfig(in directory: String) throws -> String {
        let path = "\(directory)/proxied.kubeconfig"
        try write(
            """
            apiVersion: v1
            kind: Config
            current-context: proxied
            clusters:
            - name: proxied
              cluster: {server: "\(url)"}
            contexts:
            - name: proxied
              context: {cluster: proxied, user: nobody, namespace: default}
            users:
            - name: nobody
              user: {}
            """, to: path)
        return path
    }

    private struct Forwarder: HTTPResponder {
        typealias Context = BasicRequestContext
        let upstream: String
        let token: String
        let client: HTTPClient
        let isForbidden: @Sendable (String, String) -> Bool

        func respond(to request: Request, context: Context) async throws -> Response {
            let path = request.uri.path
            if isForbidden(request.method.rawValue, path) {
                let resource = path.split(separator: "/").last.map(String.init) ?? path
                let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(resource) is forbidden: User \"proxied\" cannot list resource \"\#(resource)\" at the cluster scope","reason":"Forbidden","details":{"kind":"\#(resource)"},"code":403}"#
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                return Response(status: .forbidden, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            var forwarded = HTTPClientRequest(url: upstream + (request.uri.string.hasPrefix("/") ? request.uri.string : "/" + request.uri.string))
            forwarded.method = .init(rawValue: request.method.rawValue)
            forwarded.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let type = request.headers[.contentType] { forwarded.headers.add(name: "Content-Type", value: type) }
            if let accept = request.headers[.accept] { forwarded.headers.add(name: "Accept", value: accept) }
            let body = try await request.body.collect(upTo: 16 << 20)
            if body.readableBytes > 0 { forwarded.body = .bytes(body) }
            let response = try await client.execute(forwarded, timeout: .seconds(60))
            let data = try await response.body.collect(upTo: 256 << 20)
            var headers = HTTPFields()
            if let type = response.headers.first(name: "Content-Type") { headers[.contentType] = type }
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: .init(byteBuffer: data))
        }
    }
}
