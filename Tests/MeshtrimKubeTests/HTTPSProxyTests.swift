import Foundation
import MeshtrimLab
import MeshtrimTestSupport
import NIOSSL
import Testing

@testable import MeshtrimKube

/// `https://` proxies (`proxy-url: https://…`, `HTTPS_PROXY=https://…`; issue #16 item 8): TLS to the proxy, its
/// certificate checked against the system's roots (or `SSL_CERT_FILE`) and its name as Go does for kubectl, then
/// CONNECT inside it and the server's own TLS inside that, for REST and port-forward alike.
@Suite(.timeLimit(.minutes(3)))
struct HTTPSProxyTests {
    @Test func httpsProxyURLsParseWithTheirDefaultPort() throws {
        let proxy = try ServerEndpoint.parseProxy("https://user:p%40ss@proxy.corp", field: "proxy-url")
        #expect(proxy.scheme == "https")
        #expect(proxy.port == 443)
        #expect(proxy.credentials == "user:p@ss")
        let environment = try #require(
            try ServerEndpoint.environmentProxy(host: "cluster.example", secure: true, environment: ["HTTPS_PROXY": "https://proxy.corp:8443"]))
        #expect(environment.scheme == "https" && environment.port == 8443)
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func restAndPortForwardGoThroughTLSToTheProxy() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-https-proxy")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            // The proxy's certificate comes from its own CA, not the cluster's: only SSL_CERT_FILE makes it trusted.
            let authority = try LabCertificateAuthority(commonName: "corp-proxy-ca")
            let issued = try authority.issue(commonName: "proxy", alternativeNames: [.dnsName("localhost")], usage: .server)
            let rootsFile = "\(directory)/proxy-ca.pem"
            try write(authority.certificate, to: rootsFile)
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(issued.certificate.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(issued.key.utf8), format: .pem)))
            let proxy = try await ConnectProxy.start(user: "user", password: "p@ss", tls: tls)
            let port = try #require(URLComponents(string: lab.server)?.port)
            let path = try AuthenticationTests.kubeconfig(
                lab, directory: directory, name: "https-proxy", user: "    token: \(lab.adminToken)",
                cluster: "\n    proxy-url: https://user:p%40ss@localhost:\(proxy.port)", server: "https://localhost:\(port)")
            var environment = ProcessInfo.processInfo.environment
            environment["SSL_CERT_FILE"] = rootsFile

            let client = try await AuthenticationTests.listNamespaces(path, environment: environment)
            #expect(proxy.targets.contains("localhost:\(port)"), "\(proxy.targets)")
            #expect(proxy.refusals == 0)
            let tunnels = proxy.targets.count
            // The port-forward opens its own tunnel and reaches the pod (no Envoy in this lab: the pod refuses the
            // port, past the proxy and the server's TLS).
            let pod = try await AuthenticationTests.firstSidecarPod(client)
            let refused = await #expect(throws: KubeError.self) {
                _ = try await client.portForwardGET(namespace: pod.namespace, pod: pod.name, port: 15000, path: "/memory", timeout: .seconds(10))
            }
            #expect(refused?.kind == .portForward, "\(String(describing: refused))")
            #expect(proxy.targets.count > tunnels)
            await client.shutdown()

            // Without SSL_CERT_FILE the proxy's certificate is checked against the system's roots, which do not hold
            // its CA: the proxy is named, and no tunnel is opened.
            environment["SSL_CERT_FILE"] = nil
            let before = proxy.targets.count
            let untrusted = try #require(await #expect(throws: KubeError.self) {
                let client = try await AuthenticationTests.listNamespaces(path, environment: environment)
                await client.shutdown()
            })
            #expect(untrusted.kind == .proxy, "\(untrusted)")
            #expect(untrusted.message.contains("localhost:\(proxy.port)") && untrusted.message.contains("system's roots"), "\(untrusted.message)")
            #expect(!untrusted.message.contains("p@ss") && !untrusted.message.contains("p%40ss"), "\(untrusted.message)")
            #expect(proxy.targets.count == before)
            await proxy.stop()
        }
    }
}
