import Crypto
import Foundation
import MeshtrimTestSupport
import MeshtrimKube
import Testing

/// Every way a kubeconfig can authenticate, against the lab's HTTPS API: token, tokenFile (re-read when it
/// changes), client certificates (EC from the lab, PKCS#8 files, RSA against a server that requires them), exec
/// plugins v1 and v1beta1 (expiry, re-run on 401, failures), oidc id-token, tls-server-name, insecure mode, the
/// CA file, proxy-url through a local CONNECT proxy. No error message may contain a token.
@Suite(.timeLimit(.minutes(3)))
struct AuthenticationTests {
    /// Writes a kubeconfig with one context `t` for the lab's cluster and `userYAML` (indented for `user:`).
    static func kubeconfig(
        _ lab: LabRun, directory: String, name: String, user userYAML: String, cluster extra: String = "", server: String? = nil,
        withCA: Bool = true
    ) throws -> String {
        let ca = withCA ? "\n    certificate-authority-data: \(Data(lab.caPEM.utf8).base64EncodedString())" : ""
        let path = "\(directory)/\(name).kubeconfig"
        try write(
            """
            apiVersion: v1
            kind: Config
            current-context: t
            clusters:
            - name: lab
              cluster:
                server: \(server ?? lab.server)\(ca)\(extra)
            contexts:
            - name: t
              context: {cluster: lab, user: someone, namespace: default}
            users:
            - name: someone
              user:
            \(userYAML)
            """, to: path)
        return path
    }

    /// Opens the kubeconfig's current context and lists namespaces.
    static func listNamespaces(_ path: String, environment: [String: String]? = nil) async throws -> KubeClient {
        var options = KubeClient.Options()
        if let environment { options.environment = environment }
        let access = try KubeconfigLoader.load(explicitPath: path).resolve()
        let client = try await KubeClient.connect(access, options: options)
        do {
            _ = try await client.listPages("/api/v1/namespaces")
        } catch {
            await client.shutdown()
            throw error
        }
        return client
    }

    /// The first pod with a sidecar (`security.istio.io/tlsMode`) in the lab `client` talks to, for a port-forward.
    static func firstSidecarPod(_ client: KubeClient) async throws -> (namespace: String, name: String) {
        struct List: Decodable {
            struct Item: Decodable {
                struct Meta: Decodable {
                    var name: String
                    var namespace: String
                }
                var metadata: Meta
            }
            var items: [Item]
        }
        let pods = try await client.listPages("/api/v1/pods", query: [("labelSelector", "security.istio.io/tlsMode")])
        let page = try #require(pods.pages.first)
        let pod = try #require(try JSONDecoder().decode(List.self, from: page).items.first?.metadata)
        return (pod.namespace, pod.name)
    }

    /// The error of a port-forward to the lab's first sidecar pod, which must open a new tunnel through `proxy` (the
    /// lab runs no Envoy, so the pod refuses the port: past the proxy and TLS, the error is `portForward`).
    static func portForwardThroughNewTunnel(_ client: KubeClient, proxy: ConnectProxy) async throws -> KubeError? {
        let pod = try await firstSidecarPod(client)
        let tunnels = proxy.targets.count
        let refused = await #expect(throws: KubeError.self) {
            _ = try await client.portForwardGET(namespace: pod.namespace, pod: pod.name, port: 15000, path: "/memory", timeout: .seconds(10))
        }
        #expect(proxy.targets.count > tunnels, "the port-forward opened no tunnel of its own")
        return refused
    }

    /// The error of listing namespaces with this kubeconfig.
    static func failure(_ path: String) async -> KubeError? {
        do {
            let client = try await listNamespaces(path)
            await client.shutdown()
            return nil
        } catch let error as KubeError {
            return error
        } catch {
            return KubeError(.configuration, "\(error)")
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func tokensCertificatesAndTLSOptions() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-auth")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let admin = try lab.access()
            let token = admin.user.token ?? ""
            let viewerToken = try lab.access(context: "meshtrim-lab-viewer").user.token ?? ""
            var messages: [String] = []

            // token, and the client-certificate context (EC, SEC1, from -data).
            try await Self.listNamespaces(lab.kubeconfig).shutdown()
            let certificateAccess = try lab.access(context: "meshtrim-lab-cert")
            let certificateClient = try await KubeClient.connect(certificateAccess)
            #expect(try await certificateClient.listPages("/api/v1/namespaces").pages.count == 1)
            await certificateClient.shutdown()

            // Client certificate and a PKCS#8 key from files, relative to the kubeconfig.
            let certificatePEM = String(decoding: Data(base64Encoded: certificateAccess.user.clientCertificateData ?? "") ?? Data(), as: UTF8.self)
            let keyPEM = String(decoding: Data(base64Encoded: certificateAccess.user.clientKeyData ?? "") ?? Data(), as: UTF8.self)
            try write(certificatePEM, to: "\(directory)/pki/client.crt")
            try write(keyPEM, to: "\(directory)/pki/client-ec.key")
            // The same key as PKCS#8 (swift-crypto writes that form), as `openssl pkcs8 -topk8 -nocrypt` would.
            try write(try P256.Signing.PrivateKey(pemRepresentation: keyPEM).pemRepresentation, to: "\(directory)/pki/client-pkcs8.key")
            #expect(try String(contentsOfFile: "\(directory)/pki/client-pkcs8.key", encoding: .utf8).contains("BEGIN PRIVATE KEY"))
            let files = try Self.kubeconfig(lab, directory: directory, name: "files", user: "    client-certificate: pki/client.crt\n    client-key: pki/client-pkcs8.key")
            try await Self.listNamespaces(files).shutdown()

            // A wrong token: 401 naming the user and the context, never the token.
            let wrong = try Self.kubeconfig(lab, directory: directory, name: "wrong", user: "    token: not-\(token)")
            let unauthorized = try #require(await Self.failure(wrong))
            #expect(unauthorized.kind == .unauthorized)
            #expect(unauthorized.message.contains("the server rejected the credentials of user \"someone\" in context \"t\" — is the token expired?"))
            messages.append(unauthorized.message)

            // oidc: the id-token is the bearer token.
            let oidc = try Self.kubeconfig(
                lab, directory: directory, name: "oidc",
                user: "    auth-provider: {name: oidc, config: {id-token: \(token), refresh-token: r, idp-issuer-url: https://issuer}}")
            try await Self.listNamespaces(oidc).shutdown()
            let expiredOIDC = try Self.kubeconfig(
                lab, directory: directory, name: "oidc-expired", user: "    auth-provider: {name: oidc, config: {id-token: expired, refresh-token: r}}")
            let oidcError = try #require(await Self.failure(expiredOIDC))
            #expect(oidcError.message.contains("oidc id-token has probably expired"))

            // tokenFile wins over token and is re-read when it changes.
            try write("\(token)\n", to: "\(directory)/token")
            let tokenFile = try Self.kubeconfig(lab, directory: directory, name: "tokenfile", user: "    tokenFile: token\n    token: \(viewerToken)")
            let fileClient = try await Self.listNamespaces(tokenFile)
            let sidecarWrite = ("/apis/networking.istio.io/v1/namespaces/istio-system/sidecars", Data(#"{"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"probe"},"spec":{"egress":[{"hosts":["./*"]}]}}"#.utf8))
            // The admin (from the file) may create a Sidecar with dryRun; the viewer (the token) may not.
            _ = try await fileClient.send("POST", sidecarWrite.0, query: [("dryRun", "All")], body: sidecarWrite.1)
            try await Task.sleep(for: .milliseconds(20))
            try write("rotated-but-wrong\n", to: "\(directory)/token")
            let rotated = await #expect(throws: KubeError.self) { _ = try await fileClient.send("GET", "/api/v1/namespaces") }
            #expect(rotated?.kind == .unauthorized)
            #expect(rotated?.message.contains("re-read") == true)
            messages.append(rotated?.message ?? "")
            try write("\(token)\n", to: "\(directory)/token")
            _ = try await fileClient.send("GET", "/api/v1/namespaces")
            await fileClient.shutdown()

            // The CA from a file; the system store does not know the lab's CA; insecure mode skips verification.
            try write(lab.caPEM, to: "\(directory)/ca.crt")
            let caFile = try Self.kubeconfig(lab, directory: directory, name: "cafile", user: "    token: \(token)", cluster: "\n    certificate-authority: ca.crt", withCA: false)
            try await Self.listNamespaces(caFile).shutdown()
            let untrusted = try Self.kubeconfig(lab, directory: directory, name: "untrusted", user: "    token: \(token)", withCA: false)
            let tlsError = try #require(await Self.failure(untrusted))
            #expect(tlsError.kind == .tls, "\(tlsError)")
            #expect(tlsError.message.contains("certificate-authority"))
            messages.append(tlsError.message)
            let insecure = try Self.kubeconfig(lab, directory: directory, name: "insecure", user: "    token: \(token)", cluster: "\n    insecure-skip-tls-verify: true", withCA: false)
            try await Self.listNamespaces(insecure).shutdown()

            // tls-server-name: the certificate names localhost, the server URL says 127.0.0.1.
            let named = try Self.kubeconfig(lab, directory: directory, name: "named", user: "    token: \(token)", cluster: "\n    tls-server-name: localhost")
            try await Self.listNamespaces(named).shutdown()
            // Nothing listening.
            let nowhere = try Self.kubeconfig(lab, directory: directory, name: "nowhere", user: "    token: \(token)", server: "https://127.0.0.1:1")
            let unreachable = try #require(await Self.failure(nowhere))
            #expect(unreachable.kind == .unreachable)
            #expect(unreachable.message.contains("cannot reach the API server https://127.0.0.1:1 of context \"t\""))

            for message in messages + [unreachable.message, oidcError.message] {
                #expect(!message.contains(token) && !message.contains(viewerToken), "a token leaked into: \(message)")
            }
        }
    }

    /// A server that requires a client certificate from its own CA and whose certificate names only
    /// `meshtrim-test.local`: RSA (PKCS#1) client keys, and tls-server-name as the name that is verified.
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func rsaClientCertificatesAndTLSServerName() async throws {
        let directory = try makeTemporaryDirectory("meshtrim-rsa")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pki = try TestPKI.rsa(in: directory)
        #expect(pki.clientKey.contains("BEGIN RSA PRIVATE KEY"))
        let server = try await TLSTestServer.start(certificate: pki.serverCertificate, key: pki.serverKey, clientCA: pki.ca)
        func config(_ name: String, user: String, serverName: String? = "meshtrim-test.local") throws -> String {
            let path = "\(directory)/\(name).kubeconfig"
            let named = serverName.map { ", tls-server-name: \($0)" } ?? ""
            try write(
                """
                apiVersion: v1
                kind: Config
                current-context: rsa
                clusters: [{name: rsa, cluster: {server: "\(server.url)", certificate-authority: ca.crt\(named)}}]
                contexts: [{name: rsa, context: {cluster: rsa, user: rsa}}]
                users:
                - name: rsa
                  user: {\(user)}
                """, to: path)
            return path
        }
        func failure(_ path: String) async throws -> KubeError? {
            let client = try await KubeClient.connect(try KubeconfigLoader.load(explicitPath: path).resolve())
            defer { Task { await client.shutdown() } }
            do {
                _ = try await client.send("GET", "/version", retry: false)
                return nil
            } catch let error as KubeError {
                return error
            }
        }
        let withCertificate = try config("with", user: "client-certificate: client.crt, client-key: client.key")
        let client = try await KubeClient.connect(try KubeconfigLoader.load(explicitPath: withCertificate).resolve())
        let answer = try await client.send("GET", "/version")
        #expect(String(decoding: answer.body, as: UTF8.self).contains("v1.32.0"))
        await client.shutdown()
        // Without tls-server-name the certificate does not name 127.0.0.1.
        let unnamed = try #require(try await failure(try config("unnamed", user: "client-certificate: client.crt, client-key: client.key", serverName: nil)))
        #expect(unnamed.kind == .tls, "\(unnamed)")
        #expect(unnamed.message.contains("tls-server-name"))
        let misnamed = try #require(try await failure(try config("misnamed", user: "client-certificate: client.crt, client-key: client.key", serverName: "other.local")))
        #expect(misnamed.kind == .tls, "\(misnamed)")
        // Without a client certificate the server refuses the handshake.
        let anonymous = try #require(try await failure(try config("without", user: "token: t")))
        #expect(anonymous.kind == .tls, "\(anonymous)")
        // A certificate without its key is a configuration error, named.
        let half = try config("half", user: "client-certificate: client.crt")
        let halfError = await #expect(throws: KubeError.self) {
            _ = try await KubeClient.connect(try KubeconfigLoader.load(explicitPath: half).resolve())
        }
        #expect(halfError?.message.contains("has a client certificate but no client key") == true)
        await server.stop()
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func proxyURLTunnelsThroughConnect() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-proxy")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let proxy = try await ConnectProxy.start()
            let token = lab.adminToken
            let port = try #require(URLComponents(string: lab.server)?.port)
            let path = try Self.kubeconfig(
                lab, directory: directory, name: "proxied", user: "    token: \(token)", cluster: "\n    proxy-url: http://127.0.0.1:\(proxy.port)",
                server: "https://localhost:\(port)")
            let client = try await Self.listNamespaces(path)
            #expect(proxy.targets.contains("localhost:\(port)"))
            // The port-forward WebSocket takes the same tunnel (the lab runs no Envoy: the pod refuses the port).
            let pod = try await AuthenticationTests.firstSidecarPod(client)
            let tunnels = proxy.targets.count
            let refused = await #expect(throws: KubeError.self) {
                _ = try await client.portForwardGET(namespace: pod.namespace, pod: pod.name, port: 15000, path: "/memory", timeout: .seconds(10))
            }
            #expect(refused?.kind == .portForward, "\(String(describing: refused))")
            #expect(proxy.targets.count > tunnels)
            await client.shutdown()
            await proxy.stop()
        }
    }
}
