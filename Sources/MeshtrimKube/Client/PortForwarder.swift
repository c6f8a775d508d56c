import Crypto
import Foundation
import MeshtrimCore
import NIOCore
import Synchronization

/// One HTTP request to a pod port through the API server's WebSocket port-forward (`v4.channel.k8s.io`).
///
/// Opens `GET /api/v1/namespaces/NS/pods/POD/portforward?ports=PORT` as a WebSocket (through the context's proxy
/// and TLS, with its credentials: ``TLSTunnel``), sends `GET PATH HTTP/1.1` with `Connection: close` on data channel 0, collects
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

    private func exchange(namespace: String, pod: String, port: Int, paths: [String], refreshed: Bool) async throws -> [Answer] {
        let endpoint = client.endpoint
        let apiPath = "/api/v1/namespaces/\(Self.segment(namespace))/pods/\(Self.segment(pod))/portforward"
        let headers = try await client.authenticationHeaders()
        // An exec plugin's client certificate: the one it holds now (run again when the last one expired).
        let identity = try await client.currentIdentity()
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            // The certificate is checked against the server's name or IP, not the proxy's address.
            channel = try await TLSTunnel.connect(
                endpoint: endpoint, context: identity.context, verify: TLSTunnel.verifies(client.tls),
                connectTimeout: client.options.connectTimeout
            ) { raw in
                // One ordered byte stream for the upgrade and the frames: what the server sends with its 101, and
                // the end of its stream, come in the order it sent them.
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: raw)
            }
        } catch {
            throw client.errorMapping.error(transport: error, path: apiPath, afterHead: false)
        }
        let raw = channel.channel
        defer { raw.close(promise: nil) }
        let upgraded = UpgradeFlag()
        do {
            return try await withTaskCancellationHandler {
                try await channel.executeThenClose { inbound, outbound in
                    var reader = ByteStreamReader(inbound)
                    defer { client.countReceived(reader.bytesRead) }
                    try await upgrade(
                        path: apiPath, port: port, headers: headers, endpoint: endpoint, refreshed: refreshed, reader: &reader, outbound: outbound)
                    upgraded.set()
                    let request = paths.enumerated().map { index, path in
                        "GET \(path) HTTP/1.1\r\nHost: localhost:\(port)\r\nUser-Agent: meshtrim\r\nAccept: */*\r\n"
                            + (index == paths.count - 1 ? "Connection: close\r\n" : "") + "\r\n"
                    }.joined()
                    // A kubelet with nothing listening on the port may have written its refusal and closed before the
                    // request goes out: the write then fails, and what it said is still read below.
                    try? await outbound.write(
                        ByteBuffer(bytes: WebSocketFrame(isFinal: true, opcode: .binary, payload: [0] + Array(request.utf8)).encoded(mask: Self.mask())))
                    let channels = try await collect(reader: &reader, outbound: outbound, expecting: paths.count)
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
                    return responses.map { Answer(status: $0.status, body: $0.body, wireBytes: reader.bytesRead) }
                }
            } onCancel: {
                raw.close(promise: nil)
            }
        } catch let error as KubeError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if upgraded.isSet {
                // The pod side went away before answering: the kubelet closes the stream when nothing listens.
                throw KubeError(
                    .portForward,
                    "the port-forward to \(namespace)/\(pod):\(port) closed before the pod answered (nothing listening on port \(port), "
                        + "or the pod went away)")
            }
            throw client.errorMapping.error(transport: error, path: apiPath, afterHead: true)
        }
    }

    private func upgrade(
        path: String, port: Int, headers: [(String, String)], endpoint: ServerEndpoint, refreshed: Bool, reader: inout ByteStreamReader,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        let key = Data(Self.randomBytes(16)).base64EncodedString()
        var request = "GET \(endpoint.pathPrefix)\(path)?ports=\(port) HTTP/1.1\r\n"
        request += "Host: \(endpoint.authority)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(key)\r\n"
        request += "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\nUser-Agent: meshtrim/1 (linux) kubernetes-client\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try await outbound.write(ByteBuffer(string: request))
        guard let head = try await reader.read(through: [13, 10, 13, 10]) else {
            throw KubeError(.badResponse, "the API server closed the port-forward request without an answer")
        }
        guard let response = RawHTTPResponse.parse(head) else {
            throw KubeError(.badResponse, "the API server's answer to the port-forward is not HTTP")
        }
        guard response.status == 101 else {
            var body = Data()
            if let length = response.headers["content-length"].flatMap(Int.init), length > 0,
                let bytes = try await reader.read(count: min(length, 1 << 20))
            {
                body = Data(bytes)
            } else if response.headers["transfer-encoding"]?.lowercased().contains("chunked") == true,
                let bytes = try await reader.read(through: Array("0\r\n\r\n".utf8), limit: 1 << 20),
                let whole = RawHTTPResponse.parse(head + bytes)
            {
                body = whole.body
            }
            if KubeStatus.decode(body) == nil {
                // Some servers refuse an upgrade with an empty body; the plain GET of the same path says why (403).
                do {
                    // A 401 comes back as it is: get(…) refreshes the credential and upgrades again.
                    _ = try await client.send("GET", path, query: [("ports", String(port))], retry: false, credentialsRefreshed: refreshed)
                } catch let error as KubeError where error.statusCode != 400 {
                    throw error
                } catch {}
            }
            throw client.errorMapping.error(status: response.status, body: body, method: "GET", path: path, refreshed: refreshed)
        }
        // RFC 6455 §4.1: a 101 without the Accept computed from this request's key is not this server's upgrade (a
        // proxy or cache in between answered); nothing is sent through it.
        let accept = response.headers["sec-websocket-accept"]?.trimmingCharacters(in: .whitespaces)
        guard accept == Self.expectedAccept(forKey: key) else {
            throw KubeError(
                .badResponse,
                "the API server's answer to the port-forward upgrade carries \(accept.map { "Sec-WebSocket-Accept \"\(InputFile.quote($0, limit: 40))\"" } ?? "no Sec-WebSocket-Accept"), "
                    + "not the one this request's key calls for (RFC 6455): something between meshtrim and the API server answered it")
        }
    }

    /// The `Sec-WebSocket-Accept` a server must answer to `key`: base64 of the SHA-1 of the key and RFC 6455's GUID.
    static func expectedAccept(forKey key: String) -> String {
        Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
    }

    /// Collects the data and error channels until the WebSocket closes, or until `expecting` delimited HTTP answers
    /// are complete on the data channel: then meshtrim closes the WebSocket itself (container runtimes hold the
    /// stream open for up to a second after the pod side has closed, issue #16 item 6).
    private func collect(
        reader: inout ByteStreamReader, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, expecting: Int
    ) async throws -> (data: [UInt8], errors: String) {
        var data: [UInt8] = []
        var errors: [UInt8] = []
        var answers = PipelinedAnswers()
        var seenPort: Set<UInt8> = []
        var message: [UInt8] = []
        while let frame = try await WebSocketFrame.read(from: &reader, maxPayload: 64 << 20) {
            switch frame.opcode {
            case .close:
                try? await outbound.write(ByteBuffer(bytes: WebSocketFrame(isFinal: true, opcode: .close, payload: Array(frame.payload.prefix(2))).encoded(mask: Self.mask())))
                return (data, String(decoding: errors, as: UTF8.self))
            case .ping:
                try await outbound.write(ByteBuffer(bytes: WebSocketFrame(isFinal: true, opcode: .pong, payload: frame.payload).encoded(mask: Self.mask())))
                continue
            case .pong:
                continue
            case .binary, .text, .continuation:
                message += frame.payload
                guard frame.isFinal else { continue }
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
                    let normal: [UInt8] = [0x03, 0xE8]
                    try? await outbound.write(ByteBuffer(bytes: WebSocketFrame(isFinal: true, opcode: .close, payload: normal).encoded(mask: Self.mask())))
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

    static func mask() -> [UInt8] { randomBytes(4) }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
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

/// Set once the WebSocket upgrade has been taken, so that a stream that ends later is the pod side going away.
private final class UpgradeFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .relaxed) }

    var isSet: Bool { value.load(ordering: .relaxed) }
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
