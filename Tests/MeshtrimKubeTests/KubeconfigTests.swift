import Foundation
import MeshtrimTestSupport
import MeshtrimKube
import Testing

/// kubeconfig loading: kubectl's merge rules (checked against `kubectl config view --flatten`), relative paths,
/// contexts, legacy auth providers and the in-cluster configuration.
@Suite struct KubeconfigTests {
    /// Two files that define overlapping names, as in docs/kubernetes-and-envoy.md §1.1.
    struct MergeFixture {
        let directory: String
        var a: String { "\(directory)/a/config" }
        var b: String { "\(directory)/b/config" }
        var variable: String { "\(a)::\(directory)/missing.yaml:\(b)" }

        init() throws {
            directory = try makeTemporaryDirectory("meshtrim-kubeconfig")
            try write("CA-A\n", to: "\(directory)/a/ca.crt")
            try write("token-from-file\n", to: "\(directory)/a/tok.txt")
            try write("CERT-B\n", to: "\(directory)/b/client.crt")
            try write("KEY-B\n", to: "\(directory)/b/client.key")
            try write(
                """
                apiVersion: v1
                kind: Config
                current-context: ctx-a
                clusters:
                - name: shared
                  cluster: {server: "https://a.example:6443", certificate-authority: ca.crt}
                - name: only-a
                  cluster: {server: "https://only-a:6443/k8s/clusters/c-m-1", tls-server-name: api.internal, proxy-url: "http://proxy:3128"}
                users:
                - name: u
                  user: {token: tok-a}
                - name: ua
                  user: {tokenFile: tok.txt}
                - name: "arn:aws:eks:us-west-2:1234:cluster/x"
                  user: {token: arn-token}
                contexts:
                - name: ctx-a
                  context: {cluster: shared, user: u, namespace: shop}
                - name: ctx-shared
                  context: {cluster: only-a, user: ua}
                """, to: a)
            try write(
                """
                apiVersion: v1
                kind: Config
                current-context: ctx-b
                preferences: {colors: true}
                clusters:
                - name: shared
                  cluster: {server: "https://b.example", insecure-skip-tls-verify: true}
                - name: only-b
                  cluster:
                    server: "https://only-b"
                    certificate-authority-data: Q0EtQg==
                    extensions:
                    - name: client.authentication.k8s.io/exec
                      extension: {audience: lab-audience}
                    - name: minikube
                      extension: {version: v1.33.0, provider: minikube.sigs.k8s.io}
                users:
                - name: u
                  user: {client-certificate: client.crt, client-key: client.key}
                - name: ub
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1beta1
                      command: ./plug.sh
                      args: [token, --cluster, lab]
                      env: [{name: A, value: b}]
                contexts:
                - name: ctx-shared
                  context: {cluster: shared, user: ub, namespace: other}
                - name: ctx-b
                  context: {cluster: only-b, user: u}
                - name: "admin/api-x:6443"
                  context: {cluster: only-b, user: "arn:aws:eks:us-west-2:1234:cluster/x"}
                """, to: b)
        }
    }

    @Test func mergesSeveralFilesLikeKubectl() throws {
        let fixture = try MergeFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let config = try KubeconfigLoader.load(environment: ["KUBECONFIG": fixture.variable, "HOME": fixture.directory])
        #expect(config.files == [fixture.a, fixture.b])
        #expect(config.currentContext == "ctx-a")
        // The first file that defines a name wins for the whole stanza.
        let shared = try #require(config.cluster(named: "shared"))
        #expect(shared.entry.server == "https://a.example:6443")
        #expect(shared.entry.insecureSkipTLSVerify == nil)
        #expect(shared.entry.certificateAuthority == "\(fixture.directory)/a/ca.crt")
        let user = try #require(config.user(named: "u"))
        #expect(user.entry.token == "tok-a")
        #expect(user.entry.clientCertificate == nil)
        #expect(config.context(named: "ctx-shared")?.entry.cluster == "only-a")
        // Relative paths are relative to the file that defined them.
        #expect(config.user(named: "ua")?.entry.tokenFile == "\(fixture.directory)/a/tok.txt")
        #expect(config.user(named: "ub")?.entry.exec?.command == "\(fixture.directory)/b/plug.sh")
        #expect(config.contextNames == ["admin/api-x:6443", "ctx-a", "ctx-b", "ctx-shared"])
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func mergeAgreesWithKubectlConfigViewFlatten() throws {
        try requireTool("kubectl")
        let fixture = try MergeFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let result = try runProcess(["kubectl", "config", "view", "--flatten", "-o", "json"], environment: ["KUBECONFIG": fixture.variable])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let view = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let config = try KubeconfigLoader.load(environment: ["KUBECONFIG": fixture.variable])
        func named(_ key: String, _ inner: String) -> [String: [String: Any]] {
            var result: [String: [String: Any]] = [:]
            for entry in view[key] as? [[String: Any]] ?? [] {
                if let name = entry["name"] as? String { result[name] = entry[inner] as? [String: Any] ?? [:] }
            }
            return result
        }
        #expect(view["current-context"] as? String == config.currentContext)

        let clusters = named("clusters", "cluster")
        #expect(Set(clusters.keys) == Set(config.clusters.map(\.name)))
        for cluster in config.clusters {
            let theirs = clusters[cluster.name] ?? [:]
            #expect(theirs["server"] as? String == cluster.entry.server, "\(cluster.name)")
            #expect(theirs["tls-server-name"] as? String == cluster.entry.tlsServerName, "\(cluster.name)")
            #expect(theirs["proxy-url"] as? String == cluster.entry.proxyURL, "\(cluster.name)")
            #expect((theirs["insecure-skip-tls-verify"] as? Bool ?? false) == (cluster.entry.insecureSkipTLSVerify ?? false), "\(cluster.name)")
            let ours = cluster.entry.certificateAuthorityData
                ?? cluster.entry.certificateAuthority.flatMap { FileManager.default.contents(atPath: $0)?.base64EncodedString() }
            #expect(theirs["certificate-authority-data"] as? String == ours, "\(cluster.name)")
        }

        let users = named("users", "user")
        #expect(Set(users.keys) == Set(config.users.map(\.name)))
        for user in config.users {
            let theirs = users[user.name] ?? [:]
            #expect(theirs["token"] as? String == user.entry.token, "\(user.name)")
            #expect((theirs["tokenFile"] as? String).map { ($0 as NSString).lastPathComponent } == user.entry.tokenFile.map { ($0 as NSString).lastPathComponent })
            let certificate = user.entry.clientCertificate.flatMap { FileManager.default.contents(atPath: $0)?.base64EncodedString() }
            #expect(theirs["client-certificate-data"] as? String == certificate, "\(user.name)")
            let exec = theirs["exec"] as? [String: Any]
            #expect((exec?["command"] as? String).map { ($0 as NSString).lastPathComponent } == user.entry.exec.map { ($0.command as NSString).lastPathComponent })
            #expect(exec?["args"] as? [String] == user.entry.exec?.args)
            #expect(exec?["apiVersion"] as? String == user.entry.exec?.apiVersion)
        }

        let contexts = named("contexts", "context")
        #expect(Set(contexts.keys) == Set(config.contexts.map(\.name)))
        for context in config.contexts {
            let theirs = contexts[context.name] ?? [:]
            #expect(theirs["cluster"] as? String == context.entry.cluster)
            #expect(theirs["user"] as? String == context.entry.user)
            #expect(theirs["namespace"] as? String == context.entry.namespace)
        }
    }

    @Test func explicitFileIsReadAloneAndMustExist() throws {
        let fixture = try MergeFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let config = try KubeconfigLoader.load(explicitPath: fixture.b, environment: ["KUBECONFIG": fixture.a])
        #expect(config.currentContext == "ctx-b")
        #expect(config.cluster(named: "shared")?.entry.server == "https://b.example")
        let error = #expect(throws: KubeconfigError.self) {
            try KubeconfigLoader.load(explicitPath: "\(fixture.directory)/nope", environment: [:])
        }
        #expect(error?.message.contains("no such file") == true)
    }

    @Test func homeConfigAndMissingEverything() throws {
        let home = try makeTemporaryDirectory("meshtrim-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let missing = #expect(throws: KubeconfigError.self) { try KubeconfigLoader.load(environment: ["HOME": home]) }
        #expect(missing?.isMissing == true)
        #expect(missing?.message.contains("--kubeconfig") == true)
        let allMissing = #expect(throws: KubeconfigError.self) {
            try KubeconfigLoader.load(environment: ["HOME": home, "KUBECONFIG": "\(home)/x:\(home)/y"])
        }
        #expect(allMissing?.message.contains("none of the files in KUBECONFIG") == true)
        try write("apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"
            + "clusters: [{name: k, cluster: {server: \"https://h:1\"}}]\nusers: [{name: u, user: {token: t}}]\n", to: "\(home)/.kube/config")
        let config = try KubeconfigLoader.load(environment: ["HOME": home])
        let access = try config.resolve()
        #expect(access.namespace == "default")
        #expect(access.server == "https://h:1")
    }

    @Test func brokenFilesNameTheFile() throws {
        let directory = try makeTemporaryDirectory("meshtrim-broken")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write("clusters: [{name: a, cluster: {server: [1, 2]}}]\n", to: "\(directory)/bad")
        let error = #expect(throws: KubeconfigError.self) { try KubeconfigLoader.load(explicitPath: "\(directory)/bad", environment: [:]) }
        #expect(error?.message.contains("\(directory)/bad") == true)
        try write("", to: "\(directory)/empty")
        #expect(try KubeconfigLoader.load(explicitPath: "\(directory)/empty", environment: [:]).contexts.isEmpty)
    }

    @Test func resolvingContextsExplainsWhatIsMissing() throws {
        let fixture = try MergeFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let config = try KubeconfigLoader.load(environment: ["KUBECONFIG": fixture.variable])
        let access = try config.resolve()
        #expect(access.contextName == "ctx-a")
        #expect(access.namespace == "shop")
        #expect(access.who == "user \"u\" in context \"ctx-a\"")
        #expect(try config.resolve(context: "ctx-b").namespace == "default")
        #expect(try config.resolve(context: "admin/api-x:6443").user.token == "arn-token")
        let unknown = #expect(throws: KubeconfigError.self) { try config.resolve(context: "prod") }
        #expect(unknown?.message == "context \"prod\" is not in \(fixture.a):\(fixture.b) (contexts: admin/api-x:6443, ctx-a, ctx-b, ctx-shared)")
    }

    @Test(arguments: [
        ("gcp", "gke-gcloud-auth-plugin"), ("azure", "kubelogin"), ("openstack", "exec credential plugin"),
    ])
    func removedAuthProvidersNameTheirReplacement(provider: String, hint: String) throws {
        let config = Kubeconfig(
            clusters: [.init(name: "c", entry: ClusterEntry(server: "https://c"), file: "f")],
            users: [.init(name: "u", entry: Self.user(authProvider: AuthProviderEntry(name: provider, config: ["access-token": "secret-xyz"])), file: "f")],
            contexts: [.init(name: "x", entry: ContextEntry(cluster: "c", user: "u"), file: "f")], currentContext: "x")
        let error = #expect(throws: KubeconfigError.self) { try config.resolve() }
        #expect(error?.message.contains(hint) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("secret-xyz") == false)
    }

    @Test func oidcIdTokenIsAccepted() throws {
        let config = Kubeconfig(
            clusters: [.init(name: "c", entry: ClusterEntry(server: "https://c"), file: "f")],
            users: [.init(name: "u", entry: Self.user(authProvider: AuthProviderEntry(name: "oidc", config: ["id-token": "eyJ"])), file: "f")],
            contexts: [.init(name: "x", entry: ContextEntry(cluster: "c", user: "u"), file: "f")], currentContext: "x")
        #expect(try config.resolve().user.authProvider?.config?["id-token"] == "eyJ")
    }

    @Test func insecureWithACertificateAuthorityIsRefused() throws {
        var cluster = ClusterEntry(server: "https://c")
        cluster.insecureSkipTLSVerify = true
        cluster.certificateAuthorityData = "Q0E="
        let config = Kubeconfig(
            clusters: [.init(name: "c", entry: cluster, file: "f")], users: [],
            contexts: [.init(name: "x", entry: ContextEntry(cluster: "c", user: nil), file: "f")], currentContext: "x")
        let error = #expect(throws: KubeconfigError.self) { try config.resolve() }
        #expect(error?.message.contains("insecure-skip-tls-verify") == true)
    }

    @Test func inClusterConfigurationUsesTheServiceAccount() throws {
        let root = try makeTemporaryDirectory("meshtrim-sa")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try InClusterConfig.kubeconfig(environment: [:], root: root) == nil)
        let noToken = #expect(throws: KubeconfigError.self) {
            try InClusterConfig.kubeconfig(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], root: root)
        }
        #expect(noToken?.message.contains("token") == true)
        try write("sa-token\n", to: "\(root)/token")
        try write("CA\n", to: "\(root)/ca.crt")
        try write("monitoring\n", to: "\(root)/namespace")
        let config = try KubeconfigLoader.load(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443", "HOME": root], inClusterRoot: root)
        let access = try config.resolve()
        #expect(access.server == "https://[fd00::1]:6443")
        #expect(access.namespace == "monitoring")
        #expect(access.user.tokenFile == "\(root)/token")
        #expect(access.cluster.certificateAuthority == "\(root)/ca.crt")
    }

    static func user(authProvider: AuthProviderEntry) -> UserEntry {
        var user = UserEntry()
        user.authProvider = authProvider
        return user
    }
}
