import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The request context of the lab's server: Hummingbird's core context plus the connection, for the TLS peer.
struct LabRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Request bodies up to 16 MiB (a Sidecar with many hosts is far smaller).
    var maxUploadSize: Int { 16 * 1024 * 1024 }
}

/// Reads the verified client certificate of a TLS connection, if the client presented one.
func peerCertificate(of channel: any Channel) async -> NIOSSLCertificate? {
    try? await channel.eventLoop.submit {
        try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
    }.get()
}

/// The lab's HTTPS front: authentication, faults and the ``KubernetesAPI`` behind them.
struct LabResponder: HTTPResponder {
    typealias Context = LabRequestContext

    let api: KubernetesAPI
    let authenticator: LabAuthenticator
    let faults: LabFaults
    let log: @Sendable (String) -> Void

    func respond(to request: Request, context: LabRequestContext) async throws -> Response {
        if faults.latency > .zero { try await Task.sleep(for: faults.latency) }
        let path = request.uri.path
        var random = SystemRandomNumberGenerator()
        let injected = faults.injection(
            method: request.method.rawValue, path: path, isDryRun: APIRequest.parseQuery(request.uri.query)["dryRun"]?.first == "All")
        if injected == .fail {
            return response(.status(KubernetesStatus(code: 503, reason: "ServiceUnavailable", message: "the lab injected a fault (fail-first)", retryAfterSeconds: 1)))
        }
        if faults.errorRate > 0, Double.random(in: 0..<1, using: &random) < faults.errorRate {
            let status = Bool.random(using: &random)
                ? KubernetesStatus(code: 503, reason: "ServiceUnavailable", message: "the lab injected a fault (error-rate)", retryAfterSeconds: 1)
                : KubernetesStatus(code: 500, reason: "InternalError", message: "Internal error occurred: the lab injected a fault (error-rate)")
            return response(.status(status))
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let certificate = await peerCertificate(of: context.channel)
        guard var user = authenticator.user(authorization: headers["authorization"], peerCertificate: certificate) else {
            return response(.status(.unauthorized))
        }
        user.forbidden = faults.forbidden
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let apiRequest = APIRequest(
            method: request.method.rawValue, path: path, query: APIRequest.parseQuery(request.uri.query), headers: headers,
            body: Data(buffer: body), user: user)
        if let network = faults.podNetwork, let target = Self.podProxyTarget(path), user.may("get", resource: "pods", subresource: "proxy") {
            // As a real API server: authorised, then the dial to the pod IP fails (the kubelet is never involved).
            try await Task.sleep(for: network.delay)
            let ip = api.scenario.inventory.pod(named: target.pod, in: target.namespace)?.podIP ?? "10.244.0.1"
            return response(.status(network.status(ip: ip, port: target.port)))
        }
        if faults.slowEnvoy > .zero, path.contains("/proxy/") { try await Task.sleep(for: faults.slowEnvoy) }
        let answer = await api.handle(apiRequest)
        if injected == .truncate, answer.body.count > 1 { return truncated(answer) }
        if injected == .garble {
            return response(APIResponse(status: answer.status, contentType: answer.contentType, body: answer.body.prefix(answer.body.count / 2)))
        }
        if faults.truncateRate > 0, Double.random(in: 0..<1, using: &random) < faults.truncateRate, answer.body.count > 1 {
            return truncated(answer)
        }
        return response(answer)
    }

    /// The pod and port of a pod-proxy path (`/api/v1/namespaces/NS/pods/[http:]NAME[:PORT]/proxy/…`), else `nil`.
    static func podProxyTarget(_ path: String) -> (namespace: String, pod: String, port: Int)? {
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard segments.count >= 7, segments[0] == "api", segments[2] == "namespaces", segments[4] == "pods", segments[6] == "proxy" else {
            return nil
        }
        var parts = segments[5].split(separator: ":").map(String.init)
        if parts.first == "http" || parts.first == "https" { parts.removeFirst() }
        guard let pod = parts.first else { return nil }
        return (segments[3], pod, parts.count > 1 ? Int(parts[1]) ?? 80 : 80)
    }

    private func response(_ answer: APIResponse) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: answer.body)))
    }

    /// Announces the full length, sends half, then fails the connection.
    private func truncated(_ answer: APIResponse) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        let half = ByteBuffer(data: answer.body.prefix(answer.body.count / 2))
        return Response(
            status: .init(code: answer.status), headers: fields,
            body: .init(contentLength: answer.body.count) { writer in
                try await writer.write(half)
                throw LabError("the lab injected a fault (truncate-rate)")
            })
    }
}

/// Builds and runs the lab's HTTPS server with the WebSocket port-forward upgrade.
struct LabServer {
    /// The address to bind (`127.0.0.1`).
    var host: String
    /// The port (0 picks one).
    var port: Int
    /// The API.
    var api: KubernetesAPI
    /// Credentials.
    var authenticator: LabAuthenticator
    /// The PKI.
    var certificates: LabCertificates
    /// Faults.
    var faults: LabFaults
    /// Log lines.
    var log: @Sendable (String) -> Void

    /// The Hummingbird application, with `services` run alongside and `onRunning` told the bound port.
    func application(services: [any Service], onRunning: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        let tls = try tlsConfiguration()
        let responder = LabResponder(api: api, authenticator: authenticator, faults: faults, log: log)
        let api = self.api
        let authenticator = self.authenticator
        let faults = self.faults
        let log = self.log
        var logger = Logger(label: "meshtrim-lab")
        logger.logLevel = .warning
        return Application(
            responder: responder,
            server: try .tls(
                .http1WebSocketUpgrade { head, channel, _ in
                    try await Self.upgrade(head: head, channel: channel, api: api, authenticator: authenticator, faults: faults, log: log)
                },
                tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    private func tlsConfiguration() throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificates.serverCertificate.utf8)).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(bytes: Array(certificates.serverKey.utf8), format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificates.caCertificate.utf8)))
            configuration.certificateVerification = .optionalVerification
            return configuration
        } catch {
            throw LabError("cannot load the lab's TLS certificates: \(error)")
        }
    }

    /// Decides whether a request with `Upgrade: websocket` becomes a port-forward session.
    ///
    /// Anything that is not an authorised `pods/NAME/portforward` with a supported subprotocol is not upgraded and
    /// goes to the responder, which answers with the right Status (401, 403, 400 "Upgrade request required").
    static func upgrade(
        head: HTTPRequest, channel: any Channel, api: KubernetesAPI, authenticator: LabAuthenticator, faults: LabFaults,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let target = head.path ?? ""
        let pathPart = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let query = APIRequest.parseQuery(target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init))
        let segments = pathPart.split(separator: "/").map(String.init)
        guard segments.count == 7, segments[0] == "api", segments[1] == "v1", segments[2] == "namespaces", segments[4] == "pods",
            segments[6] == "portforward"
        else { return .dontUpgrade }
        let namespace = segments[3]
        let podName = segments[5]
        guard let protocolHeader = head.headerFields[.secWebSocketProtocol],
            let encoding = PortForwardFrame.Encoding.negotiate(protocolHeader)
        else { return .dontUpgrade }
        var user = authenticator.user(
            authorization: head.headerFields[.authorization], peerCertificate: await peerCertificate(of: channel))
        user?.forbidden = faults.forbidden
        // As the claimed version authorises a WebSocket port-forward (get; get and create from 1.35).
        guard let user, api.kubernetesVersion.portForwardVerbs(webSocket: true).allSatisfy({ user.may($0, resource: "pods", subresource: "portforward") })
        else { return .dontUpgrade }
        guard let pod = api.scenario.inventory.pod(named: podName, in: namespace) else { return .dontUpgrade }
        let ports = (query["ports"] ?? []).flatMap { $0.split(separator: ",") }.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !ports.isEmpty else { return .dontUpgrade }
        let endpoint = pod.hasSidecar ? await api.fleet?.endpoint(namespace: namespace, pod: podName) : nil
        // The pod's Prometheus listener: Envoy's stats plus the Istio request metrics, as through the pod proxy.
        let prometheusListener = PortForwardSession.Target(port: 15090) { target in
            let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
            let request = APIRequest(
                method: "GET", path: "/api/v1/namespaces/\(namespace)/pods/\(podName):15090/proxy\(parts.first ?? "/")",
                query: APIRequest.parseQuery(parts.count > 1 ? parts[1] : nil),
                user: LabUser(name: "system:kubelet", groups: ["system:nodes"], isReadOnly: false))
            let answer = await api.handle(request)
            return .init(status: answer.status, contentType: answer.contentType, body: Array(answer.body))
        }
        let targets = ports.map { port -> PortForwardSession.Target in
            if let synthetic = api.synthetic, synthetic.figures(namespace: namespace, pod: podName) != nil {
                // A synthetic Envoy: its admin and Prometheus listener are answered by the lab.
                switch port {
                case 15000:
                    return .init(port: port) { target in
                        let answer = synthetic.admin(namespace: namespace, pod: podName, target: target)
                            ?? (404, "text/plain", Data("no Envoy\n".utf8))
                        return .init(status: answer.status, contentType: answer.contentType, body: Array(answer.body))
                    }
                case 15090: return prometheusListener
                default: return .init(port: port, localPort: nil)
                }
            }
            guard let endpoint, endpoint.isRunning else { return .init(port: port, localPort: nil) }
            switch port {
            case 15000: return .init(port: port, localPort: endpoint.adminPort)
            case 15090: return prometheusListener
            default: return .init(port: port, localPort: nil)
            }
        }
        var session = PortForwardSession(targets: targets, encoding: encoding, podName: podName, delay: faults.slowEnvoy)
        if faults.portForwardLinger > .zero {
            session.linger = faults.portForwardLinger
            session.onEnd = { end in log("lab: port-forward \(namespace)/\(podName) closed by the \(end == .client ? "client" : "lab") (linger \(faults.portForwardLinger))") }
        }
        var headers = HTTPFields()
        headers[.secWebSocketProtocol] = encoding.rawValue
        let prepared = session
        return .upgrade(headers) { inbound, outbound, _ in
            await prepared.run(inbound: inbound, outbound: outbound)
        }
    }
}
