import Foundation
import Testing

@testable import MeshtrimKube

/// The small parsers under the client: quantities, RBAC paths, tunnelled HTTP, WebSocket frames, proxy rules,
/// ExecCredential output.
@Suite struct ProtocolTests {
    @Test(arguments: [
        ("51296Ki", 52_527_104), ("128Mi", 134_217_728), ("1.5Gi", 1_610_612_736), ("2", 2), ("1e3", 1000), ("3M", 3_000_000),
        ("4411927n", 1), ("500m", 1), ("1k", 1000),
    ])
    func quantities(text: String, bytes: Int) {
        #expect(Quantity.bytes(text) == bytes)
    }

    @Test func quantitiesThatAreNot() {
        #expect(Quantity.bytes("") == nil)
        #expect(Quantity.bytes("lots") == nil)
        #expect(Quantity.bytes("-1Ki") == nil)
    }

    @Test(arguments: [
        ("GET", "/api/v1/pods", "list pods cluster-wide"),
        ("GET", "/api/v1/namespaces/shop/pods/web:15090/proxy/stats/prometheus", "get pods/proxy in namespace shop"),
        ("GET", "/api/v1/namespaces/shop/pods/web/portforward", "create pods/portforward in namespace shop"),
        ("PATCH", "/apis/networking.istio.io/v1/namespaces/shop/sidecars/default", "patch sidecars.networking.istio.io in namespace shop"),
        ("GET", "/k8s/clusters/c-m-1/apis/metrics.k8s.io/v1beta1/pods", "list pods.metrics.k8s.io cluster-wide"),
        ("GET", "/api/v1/namespaces/istio-system", "get namespaces"),
    ])
    func resourcePaths(method: String, path: String, description: String) {
        #expect(ResourcePath(method: method, path: path)?.description == description)
    }

    @Test func nonResourcePathsAreNotResources() {
        #expect(ResourcePath(method: "GET", path: "/version") == nil)
        #expect(ResourcePath(method: "GET", path: "/apis") == nil)
    }

    @Test func tunnelledResponsesChunkedAndPipelined() throws {
        let first = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n"
        let second = "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope"
        let third = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close"
        let responses = RawHTTPResponse.parseAll(Array((first + second + third).utf8))
        #expect(responses.map(\.status) == [200, 404, 200])
        #expect(String(decoding: responses[0].body, as: UTF8.self) == "{\"a\": 1}")
        #expect(String(decoding: responses[1].body, as: UTF8.self) == "nope")
        #expect(String(decoding: responses[2].body, as: UTF8.self) == "until close")
        #expect(RawHTTPResponse.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".utf8)) == nil)
        #expect(RawHTTPResponse.parse(Array("garbage".utf8)) == nil)
    }

    @Test(arguments: [0, 5, 125, 126, 65_535, 65_536, 200_000])
    func webSocketFramesAreMaskedAndSized(length: Int) {
        let payload = (0..<length).map { UInt8($0 & 0xFF) }
        let mask: [UInt8] = [1, 2, 3, 4]
        let bytes = WebSocketFrame(isFinal: true, opcode: .binary, payload: payload).encoded(mask: mask)
        #expect(bytes[0] == 0x82)
        #expect(bytes[1] & 0x80 == 0x80)
        let headerLength = length < 126 ? 2 : (length <= 0xFFFF ? 4 : 10)
        #expect(bytes.count == headerLength + 4 + length)
        let unmasked = bytes[(headerLength + 4)...].enumerated().map { $0.element ^ mask[$0.offset & 3] }
        #expect(unmasked == payload)
    }

    @Test func environmentProxiesFollowGo() throws {
        let environment = ["HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": ".internal,10.0.0.0/8,api.example.com:443"]
        #expect(try ServerEndpoint.environmentProxy(host: "cluster.example", secure: true, environment: environment)?.host == "proxy.corp")
        #expect(try ServerEndpoint.environmentProxy(host: "api.internal", secure: true, environment: environment) == nil)
        #expect(try ServerEndpoint.environmentProxy(host: "10.2.3.4", secure: true, environment: environment) == nil)
        #expect(try ServerEndpoint.environmentProxy(host: "api.example.com", secure: true, environment: environment) == nil)
        #expect(try ServerEndpoint.environmentProxy(host: "127.0.0.1", secure: true, environment: environment) == nil)
        #expect(try ServerEndpoint.environmentProxy(host: "localhost", secure: true, environment: environment) == nil)
        #expect(try ServerEndpoint.environmentProxy(host: "cluster.example", secure: false, environment: environment) == nil)
        let socks = try ServerEndpoint.parseProxy("socks5://bastion:1080", field: "proxy-url")
        #expect(socks.scheme == "socks5" && socks.port == 1080 && socks.credentials == nil)
        let authenticated = try ServerEndpoint.parseProxy("socks5://user:p%40ss@bastion:1080", field: "proxy-url")
        #expect(authenticated.credentials == "user:p@ss")
        #expect(throws: KubeError.self) { try ServerEndpoint.parseProxy("ftp://x", field: "proxy-url") }
    }

    @Test func serverURLsKeepTheirPathPrefix() throws {
        let access = ClusterAccess(
            contextName: "r", clusterName: "r", userName: "", server: "https://rancher.example/k8s/clusters/c-m-abc/", namespace: "default",
            cluster: ClusterEntry(server: "https://rancher.example/k8s/clusters/c-m-abc/"), user: UserEntry())
        let endpoint = try ServerEndpoint(access: access, environment: [:])
        #expect(endpoint.url(path: "/api/v1/pods", query: "limit=500") == "https://rancher.example:443/k8s/clusters/c-m-abc/api/v1/pods?limit=500")
        var named = access
        named.cluster.tlsServerName = "kubernetes.default.svc"
        #expect(try ServerEndpoint(access: named, environment: [:]).url(path: "/version", query: "").hasPrefix("https://kubernetes.default.svc:443/"))
    }

    @Test func execCredentialsAreParsedStrictly() throws {
        let v1 = "client.authentication.k8s.io/v1"
        let good = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tkn","expirationTimestamp":"2026-11-27T06:15:00Z"}}"#
        let credential = try ExecCredentialPlugin.parse(Data(good.utf8), expectedVersion: v1, plugin: "p", who: "w")
        #expect(credential.token == "tkn")
        #expect(credential.expiration == Date(timeIntervalSince1970: 1_795_760_100))
        let wrongVersion = good.replacingOccurrences(of: "/v1\"", with: "/v1beta1\"")
        let error = #expect(throws: KubeError.self) { try ExecCredentialPlugin.parse(Data(wrongVersion.utf8), expectedVersion: v1, plugin: "p", who: "w") }
        #expect(error?.message.contains("v1beta1") == true)
        #expect(error?.message.contains("tkn") == false)
        #expect(throws: KubeError.self) {
            try ExecCredentialPlugin.parse(Data(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#.utf8), expectedVersion: v1, plugin: "p", who: "w")
        }
        #expect(throws: KubeError.self) { try ExecCredentialPlugin.parse(Data("token: x".utf8), expectedVersion: v1, plugin: "p", who: "w") }
    }

    @Test func execInfoCarriesTheClusterOnlyWhenAsked() throws {
        var cluster = ClusterEntry(server: "https://c:6443")
        cluster.certificateAuthorityData = "Q0E="
        cluster.extensions = [NamedExtension(name: "client.authentication.k8s.io/exec", extension: .object(["audience": .string("lab")]))]
        let access = ClusterAccess(
            contextName: "x", clusterName: "c", userName: "u", server: "https://c:6443", namespace: "default", cluster: cluster, user: UserEntry())
        let withCluster = ExecCredentialPlugin.execInfo(access: access, version: "client.authentication.k8s.io/v1", provideCluster: true, interactive: false)
        #expect(
            withCluster
                == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"certificate-authority-data":"Q0E=","config":{"audience":"lab"},"server":"https://c:6443"},"interactive":false}}"#)
        let without = ExecCredentialPlugin.execInfo(access: access, version: "client.authentication.k8s.io/v1beta1", provideCluster: false, interactive: false)
        #expect(without == #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}"#)
    }
}
