import Foundation
import MeshtrimTestSupport
import Testing

@testable import MeshtrimKube

/// The server's certificate is checked against the server, as kubectl checks it (issue #16 items 3 and 8): a server
/// given as an IP through a proxy is verified against its own IP SAN, not the proxy's address, for REST and
/// port-forward; a `tls-server-name` the certificate does not carry fails even when an IP SAN matches the address.
@Suite(.timeLimit(.minutes(3)))
struct ServerIdentityTests {
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func anIPServerThroughAProxyIsCheckedAgainstItsOwnIP() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-ip-proxy")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            // The proxy listens on 127.0.0.2: its address is not the server's 127.0.0.1, the certificate's IP SAN.
            let proxy = try await ConnectProxy.start(host: "127.0.0.2")
            defer { Task { await proxy.stop() } }
            let port = try #require(URLComponents(string: lab.server)?.port)
            let path = try AuthenticationTests.kubeconfig(
                lab, directory: directory, name: "ip", user: "    token: \(lab.adminToken)",
                cluster: "\n    proxy-url: http://127.0.0.2:\(proxy.port)", server: "https://127.0.0.1:\(port)")
            let client = try await AuthenticationTests.listNamespaces(path)
            #expect(proxy.targets.contains("127.0.0.1:\(port)"), "\(proxy.targets)")
            // Port-forward opens its own tunnel and checks the same way (the lab runs no Envoy: the pod refuses the
            // port, which is past TLS).
            let refused = try await AuthenticationTests.portForwardThroughNewTunnel(client, proxy: proxy)
            #expect(refused?.kind == .portForward, "past TLS, the pod refuses the port: \(String(describing: refused))")
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func anIPServerThroughASOCKS5ProxyIsCheckedAgainstItsOwnIP() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-ip-socks")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let proxy = try await ConnectProxy.start(host: "127.0.0.2")
            defer { Task { await proxy.stop() } }
            let port = try #require(URLComponents(string: lab.server)?.port)
            let path = try AuthenticationTests.kubeconfig(
                lab, directory: directory, name: "socks", user: "    token: \(lab.adminToken)",
                cluster: "\n    proxy-url: socks5://127.0.0.2:\(proxy.port)", server: "https://127.0.0.1:\(port)")
            let client = try await AuthenticationTests.listNamespaces(path)
            #expect(proxy.targets.contains("socks5 127.0.0.1:\(port)"), "\(proxy.targets)")
            // Port-forward goes through SOCKS5 too now (it refused socks5 proxy URLs before).
            let refused = try await AuthenticationTests.portForwardThroughNewTunnel(client, proxy: proxy)
            #expect(refused?.kind == .portForward, "past SOCKS5 and TLS, the pod refuses the port: \(String(describing: refused))")
            await client.shutdown()
        }
    }

    @Test(arguments: [
        ("api.example.com", "api.example.com", true), ("API.Example.com", "api.example.com", true), ("*.example.com", "a.example.com", true),
        ("*.example.com", "example.com", false), ("*.example.com", "a.b.example.com", false), ("a*.example.com", "ab.example.com", false),
        ("example.com", "api.example.com", false),
    ])
    func namesMatchAsInGo(pattern: String, host: String, matches: Bool) {
        #expect(PeerIdentity.matches(pattern: pattern.lowercased(), host: host) == matches)
    }

    @Test func ipLiteralsAreAddressesNotNames() {
        #expect(PeerIdentity.addressBytes("127.0.0.1") == [127, 0, 0, 1])
        #expect(PeerIdentity.addressBytes("::1")?.count == 16)
        #expect(PeerIdentity.addressBytes("kubernetes.default.svc") == nil)
        #expect(!PeerIdentity.isIPAddress("10.0.0.1.nip.io"))
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aServerNameNotInTheCertificateFailsAsInKubectl() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-server-name")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try #require(URLComponents(string: lab.server)?.port)
            // The certificate names localhost, kubernetes.default.svc and 127.0.0.1: a tls-server-name it carries works.
            let right = try AuthenticationTests.kubeconfig(
                lab, directory: directory, name: "right", user: "    token: \(lab.adminToken)", cluster: "\n    tls-server-name: kubernetes.default.svc",
                server: "https://127.0.0.1:\(port)")
            let client = try await AuthenticationTests.listNamespaces(right)
            await client.shutdown()
            // One it does not carry fails, though the certificate's IP SAN is the address connected to.
            let wrong = try AuthenticationTests.kubeconfig(
                lab, directory: directory, name: "wrong", user: "    token: \(lab.adminToken)", cluster: "\n    tls-server-name: api.example.com",
                server: "https://127.0.0.1:\(port)")
            do {
                let unexpected = try await AuthenticationTests.listNamespaces(wrong)
                await unexpected.shutdown()
                Issue.record("a tls-server-name the certificate does not carry was accepted")
            } catch let error as KubeError {
                #expect(error.kind == .tls, "\(error)")
                #expect(error.message.contains("not valid for api.example.com"), "\(error.message)")
                #expect(error.message.contains("DNS:localhost") && error.message.contains("IP:127.0.0.1"), "\(error.message)")
            }
            let kubectl = try lab.kubectl(["--kubeconfig", wrong, "get", "ns"])
            #expect(kubectl.exitCode != 0, "kubectl refuses it too")
        }
    }
}
