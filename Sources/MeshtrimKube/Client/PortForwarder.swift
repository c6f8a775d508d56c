import Foundation
import MeshtrimCore
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Synchronization

/// One HTTP request to a pod port through the API server's WebSocket port-forward (`v4.channel.k8s.io`).
///
/// Opens `GET /api/v1/namespaces/NS/pods/POD/portforward?ports=PORT` as a WebSocket (through the context's proxy
/// and TLS, with its credentials: ``TLSTunnel``; NIO's HTTP client upgrade and WebSocket codec on top), sends `GET PATH HTTP/1.1` with `Connection: close` on data channel 0, collects
/// channel 0 until every answer is complete (then closes the WebSocket itself) or the WebSocket closes, and parses
/// the HTTP answers. Text on error channel 1 (nothing listening)
/// becomes a ``KubeError`` of kind `portForward`; a refused upgrade carries the API server's Status (403 when
/// `pods/portforward` is not permitted).
struct PortForwarder: Sendable {
    let client: KubeClient

    /// What the pod answered.
    struct Answer: Sendable {
        var status: Int
        var body: Data
        /// Bytes that crossed the WebSocket (frames included).
        var wireBytes: Int
    }

    func get(namespace: String, pod: String, port: Int, path: String, timeout: Duration) async throws -> Answer {
        let answers = try await get(namespace: namespace, pod: pod, port: port, paths: [path], timeout: timeout)
        guard let first = answers.first else {
            throw KubeError(.badResponse, "the port-forward to \(namespace)/\(pod):\(port) returned no answer")
        }
        return first
    }

    /// Several GETs on one tunnelled connection (HTTP/1.1 pipelining, the last with `Connection: close`).
    ///
    /// A 401 on the upgrade discards a credential that can be fetched again (exec plugin token or certificate, token
    /// file) and tries once more with the new one, as REST does.
    func get(namespace: String, pod: String, port: Int, paths: [String], timeout: Duration) async throws -> [Answer] {
        do {
            return try await get(namespace: namespace, pod: pod, port: port, paths: paths, timeout: timeout, refreshed: false)
        } catch let error as KubeError where error.statusCode == 401 && client.credentials.canRefresh {
            await client.invalidateCredentials()
            return try await get(namespace: namespace, pod: pod, port: port, paths: paths, timeout: timeout, refreshed: true)
        }
    }

    private func get(
        namespace: String, pod: String, port: Int, paths: [String], timeout: Duration, refreshed: Bool
    ) async throws -> [Answer] {
        // The whole exchange (connection, proxy, TLS, upgrade, answers) races the time limit; the loser is cancelled,
        // which closes the connection.
        do {
            return try await withThrowingTaskGroup(of: [Answer].self) { group in
                group.addTask {
                    try await exchange(namespace: namespace, pod: pod, port: port, paths: paths, refreshed: refreshed)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw KubeError(.timeout, "the port-forward to \(namespace)/\(pod):\(port) got no complete answer within \(timeout)")
                }
                defer { group.cancelAll() }
                guard let answers = try await group.next() else { throw CancellationError() }
                return answers
            }
        } catch {
            if Task.isCancelled { throw KubeError(.cancelled, "cancelled") }
            throw error
        }
    }

    /// What NIO's HTTP client upgrade ends in: the WebSocket, or the API server's plain HTTP answer refusing it.
    private enum Upgrade: Sendable {
        case upgraded(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused(NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>)
    }

    private func exchange(namespace: String, pod: String, port: Int, paths: [String], refreshed: Bool) async throws -> [Answer] {
        let endpoint = client.endpoint
        let apiPath = "/api/v1/namespaces/\(Self.segment(namespace))/pods/\(Self.segment(pod))/portforward"
        let headers = try await client.authenticationHeaders()
        // An exec plugin's client certificate: the one it holds now (run again when the last one expired).
        let identity = try await client.currentIdentity()
        let received = ReceivedBytes()
        defer { client.countReceived(received.count) }
        let configuration = upgradeConfiguration(path: apiPath, port: port, headers: headers, endpoint: endpoint)
        let (raw, upgraded): (Channel, EventLoopFuture<Upgrade>)
        do {
            // The certificate is checked against the server's name or IP, not the proxy's address.
            (raw, upgraded) = try await TLSTunnel.connect(
                endpoint: endpoint, context: identity.context, verify: TLSTunnel.verifies(client.tls),
                connectTimeout: client.options.connectTimeout
            ) { raw in
                // Plaintext bytes (after TLS), HTTP and WebSocket framing included.
                try raw.pipeline.syncOperations.addHandler(ReceivedBytesCounter(received))
                return (raw, try raw.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration))
            }
        } catch {
            throw client.errorMapping.error(transport: error, path: apiPath, afterHead: false)
        }
        defer { raw.close(promise: nil) }
        return try await withTaskCancellationHandler {
            let upgrade: Upgrade
            do {
                upgrade = try await upgraded.get()
            } catch let error as NIOHTTPClientUpgradeError {
                throw KubeError(
                    .badResponse,
                    error == .upgraderDeniedUpgrade
                        ? "the API server's answer to the port-forward upgrade does not carry the Sec-WebSocket-Accept this request's key "
                            + "calls for (RFC 6455): something between meshtrim and the API server answered it"
                        : "the API server's answer to the port-forward upgrade is not a WebSocket upgrade (RFC 6455): \(error)")
            } catch {
                throw client.errorMapping.error(transport: error, path: apiPath, afterHead: false)
            }
            switch upgrade {
            case .refused(let answer):
                throw try await refusal(answer, path: apiPath, port: port, refreshed: refreshed)
            case .upgraded(let socket):
                do {
                    return try await socket.executeThenClose { inbound, outbound in
                        try await request(paths: paths, port: port, namespace: namespace, pod: pod, inbound: inbound, outbound: outbound, received: received)
                    }
                } catch let error as KubeError {
                    throw error
                } catch {
                    if Task.isCancelled { throw CancellationError() }
                    // The pod side went away before answering: the kubelet closes the stream when nothing listens.
                    throw KubeError(
                        .portForward,
                        "the port-forward to \(namespace)/\(pod):\(port) closed before the pod answered (nothing listening on port \(port), "
                            + "or the pod went away)")
                }
            }
        } onCancel: {
            raw.close(promise: nil)
        }
    }

    /// How NIO's HTTP client upgrade asks the API server to make `GET …/portforward?ports=PORT` a WebSocket
    /// (`v4.channel.k8s.io`): its WebSocket client upgrader sends the key and takes only the 101 whose
    /// `Sec-WebSocket-Accept` RFC 6455 computes from it; any other answer is read as plain HTTP.
    private func upgradeConfiguration(
        path: String, port: Int, headers: [(String, String)], endpoint: ServerEndpoint
    ) -> NIOUpgradableHTTPClientPipelineConfiguration<Upgrade> {
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 64 << 20) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                .upgraded(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
            }
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "\(endpoint.pathPrefix)\(path)?ports=\(port)")
        head.headers.add(name: "Host", value: endpoint.authority)
        head.headers.add(name: "Sec-WebSocket-Protocol", value: "v4.channel.k8s.io")
        head.headers.add(name: "User-Agent", value: "meshtrim/1 (linux) kubernetes-client")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        var configuration = NIOUpgradableHTTPClientPipelineConfiguration<Upgrade>(
            upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                upgradeRequestHead: head, upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        .refused(try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel))
                    }
                }))
        // The first frames (the port numbers) may come in the same read as the 101.
        configuration.leftOverBytesStrategy = .forwardBytes
        return configuration
    }

    /// The error for an upgrade the API server refused: its Status (403 when `pods/portforward` is not permitted).
    private func refusal(
        _ answer: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, path: String, port: Int, refreshed: Bool
    ) async throws -> KubeError {
        let (status, body) = try await answer.executeThenClose { inbound, _ in
            var status = 0
            var body = Data()
            for try await part in inbound {
                switch part {
                case .head(let head): status = Int(head.status.code)
                case .body(let bytes): if body.count < 1 << 20 { body.append(contentsOf: bytes.readableBytesView.prefix((1 << 20) - body.count)) }
                case .end: return (status, body)
                }
            }
            return (status, body)
        }
        if KubeStatus.decode(body) == nil {
            // Some servers refuse an upgrade with an empty body; the plain GET of the same path says why (403).
            do {
                // A 401 comes back as it is: get(…) refreshes the credential and upgrades again.
                _ = try await client.send("GET", path, query: [("ports", String(port))], retry: false, credentialsRefreshed: refreshed)
            } catch let error as KubeError where error.statusCode != 400 {
                return error
            } catch {}
        }
        return client.errorMapping.error(status: status, body: body, method: "GET", path: path, refreshed: refreshed)
    }

    /// Sends the GETs (`Connection: close` on the last) on data channel 0 and reads the answers.
    private func request(
        paths: [String], port: Int, namespace: String, pod: String, inbound: NIOAsyncChannelInboundStream<WebSocketFrame>,
        outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, received: ReceivedBytes
    ) async throws -> [Answer] {
        let request = paths.enumerated().map { index, path in
            "GET \(path) HTTP/1.1\r\nHost: localhost:\(port)\r\nUser-Agent: meshtrim\r\nAccept: */*\r\n"
                + (index == paths.count - 1 ? "Connection: close\r\n" : "") + "\r\n"
        }.joined()
        var payload = ByteBuffer(bytes: [0])
        payload.writeString(request)
        try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: payload))
        let channels = try await collect(inbound: inbound, outbound: outbound, expecting: paths.count)
        if channels.data.isEmpty, !channels.errors.isEmpty {
            throw KubeError(
                .portForward,
                "pod \(namespace)/\(pod) refused the port-forward to port \(port): \(channels.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let responses = RawHTTPResponse.parseAll(channels.data)
        guard responses.count == paths.count else {
            throw KubeError(
                .badResponse,
                "the port-forward to \(namespace)/\(pod):\(port) closed before a complete HTTP answer (\(channels.data.count) bytes)"
                    + (channels.errors.isEmpty ? "" : ": \(channels.errors)"))
        }
        return responses.map { Answer(status: $0.status, body: $0.body, wireBytes: received.count) }
    }

    /// Collects the data and error channels until the WebSocket closes, or until `expecting` delimited HTTP answers
    /// are complete on the data channel: then meshtrim closes the WebSocket itself (container runtimes hold the
    /// stream open for up to a second after the pod side has closed, issue #16 item 6).
    private func collect(
        inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, expecting: Int
    ) async throws -> (data: [UInt8], errors: String) {
        var data: [UInt8] = []
        var errors: [UInt8] = []
        var answers = PipelinedAnswers()
        var seenPort: Set<UInt8> = []
        var message: [UInt8] = []
        func close(_ code: ByteBuffer) async {
            try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code))
        }
        for try await frame in inbound {
            let bytes = frame.unmaskedData
            switch frame.opcode {
            case .connectionClose:
                await close(bytes.getSlice(at: bytes.readerIndex, length: min(2, bytes.readableBytes)) ?? ByteBuffer())
                return (data, String(decoding: errors, as: UTF8.self))
            case .ping:
                try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: bytes))
                continue
            case .binary, .text, .continuation:
                message += bytes.readableBytesView
                guard frame.fin else { continue }
            default:
                continue
            }
            defer { message = [] }
            guard let channel = message.first else { continue }
            let payload = message.dropFirst()
            // The first message on each channel is the port number (uint16, little-endian).
            if !seenPort.contains(channel) {
                seenPort.insert(channel)
                if payload.count == 2 { continue }
            }
            if channel % 2 == 0 {
                data += payload
                if answers.advance(over: data) >= expecting {
                    // Every answer is here: close now instead of waiting for the runtime to close the stream.
                    await close(ByteBuffer(bytes: [0x03, 0xE8]))
                    return (data, String(decoding: errors, as: UTF8.self))
                }
            } else {
                errors += payload
            }
        }
        return (data, String(decoding: errors, as: UTF8.self))
    }

    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Counts the pipelined HTTP answers that are complete in the bytes read so far, without parsing a body again on
/// every frame: an answer counts once its `Content-Length` bytes are there, or (chunked) once its last chunk is.
/// An answer delimited only by the connection closing is never complete before the close.
struct PipelinedAnswers: Sendable {
    /// Where the first incomplete answer starts.
    private(set) var start = 0
    /// Complete answers so far.
    private(set) var count = 0
    /// Where to look for the last chunk next (the bytes before were searched).
    private var scanned = 0
    private static let lastChunk: [UInt8] = Array("\r\n0\r\n\r\n".utf8)

    /// Advances over the answers `bytes` (everything read so far) now completes; returns the count.
    mutating func advance(over bytes: [UInt8]) -> Int {
        let separator: [UInt8] = [13, 10, 13, 10]
        while start < bytes.count, let headEnd = RawHTTPResponse.index(of: separator, in: bytes, from: start) {
            let head = String(decoding: bytes[start..<headEnd], as: UTF8.self).lowercased()
            let fields = head.components(separatedBy: "\r\n").dropFirst()
            func value(_ name: String) -> String? {
                fields.first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
            }
            let bodyStart = headEnd + separator.count
            if value("transfer-encoding")?.contains("chunked") == true {
                // Dechunk only where the last chunk may end (a marker inside a chunk's data fails and is skipped).
                var from = max(bodyStart - 2, scanned)
                var end: Int?
                while end == nil, let mark = RawHTTPResponse.index(of: Self.lastChunk, in: bytes, from: from) {
                    end = RawHTTPResponse.parse(bytes, from: start)?.end
                    from = mark + 1
                }
                guard let end else {
                    scanned = max(bodyStart - 2, bytes.count - Self.lastChunk.count + 1)
                    break
                }
                start = end
                scanned = start
            } else if let length = value("content-length").flatMap(Int.init), length >= 0 {
                guard bytes.count - bodyStart >= length else { break }
                start = bodyStart + length
                scanned = start
            } else {
                break
            }
            count += 1
        }
        return count
    }
}

/// Plaintext bytes received on a port-forward's connection (HTTP and WebSocket framing included), for
/// ``PortForwarder/Answer/wireBytes`` and the client's received total.
final class ReceivedBytes: Sendable {
    private let value = Atomic<Int>(0)

    /// Bytes so far.
    var count: Int { value.load(ordering: .relaxed) }

    func add(_ bytes: Int) { value.add(bytes, ordering: .relaxed) }
}

/// Counts what passes into ``ReceivedBytes`` and hands it on unchanged.
private final class ReceivedBytesCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let received: ReceivedBytes
    init(_ received: ReceivedBytes) { self.received = received }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.add(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}

extension KubeClient {
    /// One HTTP GET to a pod's port through a WebSocket port-forward (`pods/portforward`), as istioctl reaches Envoy
    /// admin on 15000.
    ///
    /// - Returns: the pod's HTTP status and body.
    /// - Throws: ``KubeError``: `forbidden` without `pods/portforward`, `portForward` when nothing listens on the
    ///   port, `timeout`, `badResponse` for a cut-off answer.
    public func portForwardGET(
        namespace: String, pod: String, port: Int, path: String, timeout: Duration = .seconds(30)
    ) async throws -> (status: Int, body: Data) {
        let answer = try await PortForwarder(client: self).get(namespace: namespace, pod: pod, port: port, path: path, timeout: timeout)
        return (answer.status, answer.body)
    }
}
