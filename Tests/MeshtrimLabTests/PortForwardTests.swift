import Foundation
import MeshtrimTestSupport
import HTTPTypes
import HummingbirdWSClient
import Logging
import MeshtrimLab
import NIOCore
import NIOSSL
import Testing

/// WebSocket port-forward (`v4.channel.k8s.io` and the base64 variant) to a lab pod's real Envoy admin port.
///
/// kubectl 1.32 itself speaks SPDY (`SPDY/3.1+portforward.k8s.io` inside a WebSocket, then a plain SPDY upgrade),
/// which the lab does not serve; these tests use the channel protocol that non-Go clients (and meshtrim) use.
@Suite(.enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(3)))
struct PortForwardTests {
    @Test(arguments: PortForwardFrame.Encoding.allCases)
    func tunnelsAnHTTPRequestToTheEnvoyAdminPort(encoding: PortForwardFrame.Encoding) async throws {
        try await withLab(["--manifests", KubectlAgainstLabTests.fixture], needsEnvoy: true) { lab in
            let reply = try await forward(
                lab: lab, pod: "web-5c6b8d7f9-x2x7q", port: 15000, encoding: encoding,
                request: "GET /server_info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(reply.ports == [0: 15000, 1: 15000])
            #expect(reply.data.hasPrefix("HTTP/1.1 200 OK"), "\(reply.data.prefix(200))")
            #expect(reply.data.contains("\"state\": \"LIVE\""))
            #expect(reply.data.contains("1.40.0") || reply.data.contains("\"version\""))
            #expect(reply.errors.isEmpty)
        }
    }

    @Test func reportsARefusedPortOnTheErrorChannel() async throws {
        try await withLab(["--manifests", KubectlAgainstLabTests.fixture], needsEnvoy: true) { lab in
            let reply = try await forward(lab: lab, pod: "web-5c6b8d7f9-x2x7q", port: 8080, encoding: .binary, request: nil)
            #expect(reply.data.isEmpty)
            #expect(reply.errors.contains("connection refused"), "\(reply.errors)")
        }
    }

    struct Reply {
        var ports: [UInt8: Int] = [:]
        var data = ""
        var errors = ""
    }

    /// Opens a port-forward WebSocket, sends `request` on the data channel and collects everything until close.
    private func forward(lab: LabProcess, pod: String, port: Int, encoding: PortForwardFrame.Encoding, request: String?) async throws -> Reply {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(lab.caCertificate.utf8)))
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(lab.adminToken)"
        headers[.secWebSocketProtocol] = encoding.rawValue
        let url = lab.server.replacingOccurrences(of: "https://", with: "wss://")
            + "/api/v1/namespaces/shop/pods/\(pod)/portforward?ports=\(port)"
        let collected = Collector()
        let clientTLS = tls
        let requestHeaders = headers
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                throw LabTestError("the port-forward did not finish within 30 s; got \(await collected.reply); lab log:\n\(lab.log)")
            }
            group.addTask {
                try await Self.session(url: url, headers: requestHeaders, tls: clientTLS, encoding: encoding, request: request, collected: collected)
            }
            try await group.next()
            group.cancelAll()
        }
        return await collected.reply
    }

    private static func session(
        url: String, headers: HTTPFields, tls: TLSConfiguration, encoding: PortForwardFrame.Encoding, request: String?,
        collected: Collector
    ) async throws {
        try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers, sniHostname: "localhost"), tlsConfiguration: tls,
            logger: Logger(label: "port-forward-test")
        ) { inbound, outbound, _ in
            if let request {
                let bytes = Array(request.utf8)
                switch encoding {
                case .binary: try await outbound.write(.binary(PortForwardFrame.binary(channel: 0, payload: bytes)))
                case .base64: try await outbound.write(.text(PortForwardFrame.base64(channel: 0, payload: bytes)))
                }
            }
            for try await message in inbound.messages(maxSize: 1 << 24) {
                switch message {
                case .binary(let buffer): if let decoded = PortForwardFrame.decode(binary: buffer) { await collected.add(decoded) }
                case .text(let text): if let decoded = PortForwardFrame.decode(text: text) { await collected.add(decoded) }
                }
            }
        }
    }

    /// Gathers channel messages: the first one per channel is the port, the rest are payload.
    actor Collector {
        var reply = Reply()
        func add(_ message: PortForwardFrame.Message) {
            if reply.ports[message.channel] == nil, message.payload.count == 2 {
                reply.ports[message.channel] = Int(message.payload[0]) | Int(message.payload[1]) << 8
                return
            }
            let text = String(decoding: message.payload, as: UTF8.self)
            if message.channel % 2 == 0 { reply.data += text } else { reply.errors += text }
        }
    }
}
