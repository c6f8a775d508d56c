import Foundation
import MeshtrimTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
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

/// Certificates made with the openssl command for tests.
enum TestPKI {
    /// Runs openssl in `directory`.
    static func openssl(_ arguments: [String], in directory: String) throws {
        let result = try runProcess(["openssl"] + arguments.map { $0.hasPrefix("@") ? "\(directory)/\($0.dropFirst())" : $0 })
        guard result.exitCode == 0 else { throw KubeTestError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    /// An RSA CA, a server certificate for `meshtrim-test.local` (no IP SAN) and an RSA client certificate (PKCS#1 key) signed by the CA.
    static func rsa(in directory: String) throws -> (ca: String, serverCertificate: String, serverKey: String, clientCertificate: String, clientKey: String) {
        try openssl(["genrsa", "-traditional", "-out", "@ca.key", "2048"], in: directory)
        try openssl(["req", "-x509", "-new", "-key", "@ca.key", "-subj", "/CN=rsa-test-ca", "-days", "2", "-out", "@ca.crt"], in: directory)
        // DNS only: NIOSSL accepts an IP SAN matching the peer address whatever name is expected, so only a
        // certificate without one shows that tls-server-name is what gets verified.
        try write("subjectAltName=DNS:meshtrim-test.local\n", to: "\(directory)/san.ext")
        try sign("server", subject: "/CN=server", extensions: "@san.ext", in: directory)
        try sign("client", subject: "/CN=rsa-client", extensions: nil, in: directory)
        func read(_ name: String) throws -> String { try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8) }
        return (try read("ca.crt"), try read("server.crt"), try read("server.key"), try read("client.crt"), try read("client.key"))
    }

    /// A key (`genrsa -traditional`: `RSA PRIVATE KEY`) and a certificate for it signed by `ca.crt`/`ca.key`.
    static func sign(_ name: String, subject: String, extensions: String?, in directory: String, caName: String = "ca") throws {
        try openssl(["genrsa", "-traditional", "-out", "@\(name).key", "2048"], in: directory)
        try openssl(["req", "-new", "-key", "@\(name).key", "-subj", subject, "-out", "@\(name).csr"], in: directory)
        var arguments = [
            "x509", "-req", "-in", "@\(name).csr", "-CA", "@\(caName).crt", "-CAkey", "@\(caName).key", "-CAcreateserial", "-days", "2",
            "-out", "@\(name).crt",
        ]
        if let extensions { arguments += ["-extfile", extensions] }
        try openssl(arguments, in: directory)
    }
}
