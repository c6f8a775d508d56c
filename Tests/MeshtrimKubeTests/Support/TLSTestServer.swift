import Foundation
import MeshtrimTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import MeshtrimLab
import NIOCore
import NIOSSL
import ServiceLifecycle

/// An HTTPS server that requires a client certificate signed by its own CA and answers `/version` like an API
/// server: the lab accepts only the EC certificate it issued, this one proves RSA (PKCS#1) client keys work.
final class TLSTestServer: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Never>
    /// `https://127.0.0.1:PORT`.
    let url: String

    private init(group: ServiceGroup, task: Task<Void, Never>, url: String) {
        self.group = group
        self.task = task
        self.url = url
    }

    /// Starts a server with `certificate`/`key` (PEM) that trusts client certificates signed by `clientCA`.
    static func start(certificate: String, key: String, clientCA: String) async throws -> TLSTestServer {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCA.utf8)))
        tls.certificateVerification = .noHostnameVerification
        let router = Router()
        router.get("version") { _, _ in #"{"major":"1","minor":"32","gitVersion":"v1.32.0"}"# }
        var logger = Logger(label: "tls-test-server")
        logger.logLevel = .critical
        let ports = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task<Void, Never> { _ = try? await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw KubeTestError("the TLS test server did not start") }
        return TLSTestServer(group: group, task: task, url: "https://127.0.0.1:\(port)")
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.value
    }
}

/// Certificates for tests, made in process by the lab's ``LabCertificateAuthority`` (no openssl command).
enum TestPKI {
    /// An RSA CA, a server certificate for `meshtrim-test.local` (no IP SAN) and an RSA client certificate (PKCS#1 key)
    /// signed by the CA, also written to `directory` as `ca.crt`, `server.crt`, `server.key`, `client.crt`, `client.key`.
    static func rsa(in directory: String) throws -> (ca: String, serverCertificate: String, serverKey: String, clientCertificate: String, clientKey: String) {
        let authority = try LabCertificateAuthority(commonName: "rsa-test-ca", keyType: .rsa2048)
        // DNS only: NIOSSL accepts an IP SAN matching the peer address whatever name is expected, so only a
        // certificate without one shows that tls-server-name is what gets verified.
        let server = try authority.issue(commonName: "server", alternativeNames: [.dnsName("meshtrim-test.local")], usage: .server)
        let client = try authority.issue(commonName: "rsa-client", usage: .client)
        let files = [
            ("ca.crt", authority.certificate), ("server.crt", server.certificate), ("server.key", server.key),
            ("client.crt", client.certificate), ("client.key", client.key),
        ]
        for (name, text) in files { try write(text, to: "\(directory)/\(name)") }
        return (authority.certificate, server.certificate, server.key, client.certificate, client.key)
    }
}
