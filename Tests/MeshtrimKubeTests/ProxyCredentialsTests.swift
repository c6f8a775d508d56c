import Foundation
import MeshtrimTestSupport
@testable import MeshtrimKube
import Testing

/// Proxy credentials from `proxy-url` / `HTTPS_PROXY` (`http://user:p%40ss@proxy:3128`): percent-decoded, sent as
/// `Proxy-Authorization: Basic base64(user:password)` on REST and on the port-forward's own CONNECT, as kubectl
/// does, against a proxy that answers 407 otherwise; in a `socks5://` URL, sent as RFC 1929's user and password, as
/// Go's `x/net/proxy` does; and never shown in a message.
@Suite(.timeLimit(.minutes(3)))
struct ProxyCredentialsTests {
    @Test(arguments: [
        ("http://user:p%40ss@proxy.corp:3128", "user:p@ss"),
        ("http://d%5Calice:a%3Ab%2Fc%25@proxy.corp:3128", "d\\alice:a:b/c%"),
        ("http://token@proxy.corp:3128", "token:"),
    ])
    func credentialsArePercentDecodedAndSentAsBase64(url: String, decoded: String) throws {
        let proxy = try ServerEndpoint.parseProxy(url, field: "proxy-url")
        #expect(proxy.credentials == decoded)
        #expect(proxy.basicCredentials == Data(decoded.utf8).base64EncodedString())
        #expect(proxy.displayName == "proxy.corp:3128")
    }

    @Test func environmentProxyCarriesCredentials() throws {
        let proxy = try #require(
            try ServerEndpoint.environmentProxy(
                host: "cluster.example", secure: true, environment: ["HTTPS_PROXY": "user:p%40ss@proxy.corp:3128"]))
        #expect(proxy.basicCredentials == Data("user:p@ss".utf8).base64EncodedString())
        #expect(proxy.source == "HTTPS_PROXY")
        #expect(!proxy.authenticationFailure.contains("p@ss") && !proxy.authenticationFailure.contains("p%40ss"))
        #expect(proxy.authenticationFailure.contains("proxy.corp:3128") && proxy.authenticationFailure.contains("HTTPS_PROXY"))
    }

    @Test func unusableProxyURLsAreReportedWithoutTheirPassword() {
        let error = #expect(throws: KubeError.self) { try ServerEndpoint.parseProxy("http://user:s3cret@:3128", field: "proxy-url") }
        #expect(error?.message.contains("s3cret") == false, "\(String(describing: error))")
        #expect(error?.message.contains("***@:3128") == true, "\(String(describing: error))")
        #expect(ServerEndpoint.redacted("http://u:p@h:1/x@y") == "http://***@h:1/x@y")
        #expect(ServerEndpoint.redacted("http://h:1") == "http://h:1")
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func proxyThatDemandsCredentialsGetsThemOnRESTAndPortForward() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-proxy-auth")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let proxy = try await ConnectProxy.start(user: "user", password: "p@ss")
            let port = try #require(URLComponents(string: lab.server)?.port)
            func kubeconfig(_ name: String, userinfo: String?) throws -> String {
                try AuthenticationTests.kubeconfig(
                    lab, directory: directory, name: name, user: "    token: \(lab.adminToken)",
                    cluster: "\n    proxy-url: http://\(userinfo.map { "\($0)@" } ?? "")127.0.0.1:\(proxy.port)", server: "https://localhost:\(port)")
            }
            // The right credentials: REST lists through the tunnel, and the port-forward WebSocket opens its own
            // tunnel and reaches the pod (the lab runs no Envoy, so the pod refuses the port: past the proxy).
            let client = try await AuthenticationTests.listNamespaces(try kubeconfig("right", userinfo: "user:p%40ss"))
            #expect(proxy.targets.contains("localhost:\(port)"))
            #expect(proxy.refusals == 0)
            let tunnels = proxy.targets.count
            let pod = try await AuthenticationTests.firstSidecarPod(client)
            let refused = await #expect(throws: KubeError.self) {
                _ = try await client.portForwardGET(namespace: pod.namespace, pod: pod.name, port: 15000, path: "/memory", timeout: .seconds(10))
            }
            #expect(refused?.kind == .portForward, "\(String(describing: refused))")
            #expect(proxy.targets.count > tunnels)
            #expect(proxy.refusals == 0)
            await client.shutdown()

            // A wrong password: both paths say which proxy refused, and neither shows the password.
            let wrong = try kubeconfig("wrong", userinfo: "user:n0t-th1s%21")
            let restError = try #require(await AuthenticationTests.failure(wrong))
            let wrongClient = try await KubeClient.connect(try KubeconfigLoader.load(explicitPath: wrong).resolve())
            let forwardError = await #expect(throws: KubeError.self) {
                _ = try await wrongClient.portForwardGET(namespace: pod.namespace, pod: pod.name, port: 15000, path: "/memory", timeout: .seconds(10))
            }
            await wrongClient.shutdown()
            for error in [restError, try #require(forwardError)] {
                #expect(error.kind == .proxy, "\(error)")
                #expect(error.message.contains("127.0.0.1:\(proxy.port)") && error.message.contains("407"), "\(error.message)")
                #expect(error.message.contains("rejected the user and password"), "\(error.message)")
                #expect(!error.message.contains("n0t-th1s") && !"\(error)".contains("n0t-th1s"), "\(error.message)")
            }
            #expect(proxy.refusals >= 2)

            // No credentials at all: the proxy's demand is named as such.
            let none = try #require(await AuthenticationTests.failure(try kubeconfig("none", userinfo: nil)))
            #expect(none.kind == .proxy && none.message.contains("requires credentials"), "\(none)")
            await proxy.stop()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func socks5ProxyThatDemandsCredentialsGetsThemOnRESTAndPortForward() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-socks-auth")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let proxy = try await ConnectProxy.start(host: "127.0.0.2", user: "user", password: "p@ss")
            let port = try #require(URLComponents(string: lab.server)?.port)
            func kubeconfig(_ name: String, userinfo: String?) throws -> String {
                try AuthenticationTests.kubeconfig(
                    lab, directory: directory, name: name, user: "    token: \(lab.adminToken)",
                    cluster: "\n    proxy-url: socks5://\(userinfo.map { "\($0)@" } ?? "")127.0.0.2:\(proxy.port)", server: "https://127.0.0.1:\(port)")
            }
            // The right user and password (RFC 1929): REST lists through the proxy, and the port-forward gets past it
            // and TLS to the pod (the lab runs no Envoy, so the pod refuses the port).
            let client = try await AuthenticationTests.listNamespaces(try kubeconfig("right", userinfo: "user:p%40ss"))
            #expect(proxy.targets.contains("socks5 127.0.0.1:\(port)"), "\(proxy.targets)")
            let refused = try await AuthenticationTests.portForwardThroughNewTunnel(client, proxy: proxy)
            #expect(refused?.kind == .portForward, "past SOCKS5 and TLS, the pod refuses the port: \(String(describing: refused))")
            #expect(proxy.refusals == 0)
            await client.shutdown()

            // A wrong password, and none: REST says which proxy refused and why, and never shows the password.
            let wrong = try #require(await AuthenticationTests.failure(try kubeconfig("wrong", userinfo: "user:n0t-th1s%21")))
            #expect(wrong.kind == .proxy, "\(wrong)")
            #expect(wrong.message.contains("127.0.0.2:\(proxy.port)") && wrong.message.contains("rejected the user and password"), "\(wrong.message)")
            #expect(!wrong.message.contains("n0t-th1s") && !"\(wrong)".contains("n0t-th1s"), "\(wrong.message)")
            let none = try #require(await AuthenticationTests.failure(try kubeconfig("none", userinfo: nil)))
            #expect(none.kind == .proxy && none.message.contains("without authentication"), "\(none)")
            #expect(proxy.refusals >= 2)
            await proxy.stop()
        }
    }
}
