import Foundation
import MeshtrimTestSupport
import MeshtrimKube
import Testing

/// Exec credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`) against the lab: arguments,
/// environment and `KUBERNETES_EXEC_INFO`, caching until `expirationTimestamp`, a re-run after a 401, and clear
/// messages when the plugin fails or is missing.
@Suite(.timeLimit(.minutes(3)))
struct ExecPluginTests {
    /// A plugin that counts its runs, records its environment and prints the token it is given (the first run
    /// prints a wrong one when `FIRST_BAD=1`), expiring after `EXPIRES` seconds when set.
    static let plugin = """
        #!/bin/bash
        set -e
        n=$(( $(cat "$PLUGIN_DIR/runs" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$PLUGIN_DIR/runs"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$PLUGIN_DIR/info-$n.json"
        echo "$*" > "$PLUGIN_DIR/args-$n"
        token="$PLUGIN_TOKEN"
        if [ "$FIRST_BAD" = "1" ] && [ "$n" = "1" ]; then token="stale-token"; fi
        expiry=""
        if [ -n "$EXPIRES" ]; then expiry=",\\"expirationTimestamp\\":\\"$(date -u -d "+$EXPIRES seconds" +%Y-%m-%dT%H:%M:%S.%3NZ)\\""; fi
        printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s"%s}}\\n' "$PLUGIN_VERSION" "$token" "$expiry"
        """

    struct Setup {
        let directory: String
        let pluginPath: String

        init() throws {
            directory = try makeTemporaryDirectory("meshtrim-exec")
            pluginPath = "\(directory)/bin/lab-token"
            try write(ExecPluginTests.plugin, to: pluginPath, executable: true)
        }

        var runs: Int { Int((try? String(contentsOfFile: "\(directory)/runs", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0 }

        func reset() { try? FileManager.default.removeItem(atPath: "\(directory)/runs") }

        func info(_ run: Int) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/info-\(run).json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        /// A kubeconfig whose user runs the plugin (command relative to the kubeconfig's directory).
        func kubeconfig(_ lab: LabRun, name: String, version: String, token: String, extra: [String: String] = [:], mode: String? = "Never", provideCluster: Bool = false) throws -> String {
            var env: [String: String] = ["PLUGIN_DIR": directory, "PLUGIN_VERSION": version, "PLUGIN_TOKEN": token]
            env.merge(extra) { _, new in new }
            let envYAML = env.sorted { $0.key < $1.key }.map { "{name: \($0.key), value: \"\($0.value)\"}" }.joined(separator: ", ")
            let path = "\(directory)/\(name).kubeconfig"
            try write(
                """
                apiVersion: v1
                kind: Config
                current-context: exec
                clusters:
                - name: lab
                  cluster:
                    server: \(lab.server)
                    certificate-authority-data: \(Data(lab.caPEM.utf8).base64EncodedString())
                    extensions:
                    - name: client.authentication.k8s.io/exec
                      extension: {audience: lab-audience}
                contexts: [{name: exec, context: {cluster: lab, user: plugin}}]
                users:
                - name: plugin
                  user:
                    exec:
                      apiVersion: \(version)
                      command: ./bin/lab-token
                      args: [token, --cluster, lab]
                      env: [\(envYAML)]
                      provideClusterInfo: \(provideCluster)
                \(mode.map { "      interactiveMode: \($0)" } ?? "")
                """, to: path)
            return path
        }
    }

    static func client(_ path: String) async throws -> KubeClient {
        try await KubeClient.connect(try KubeconfigLoader.load(explicitPath: path).resolve())
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func pluginsInBothVersionsCacheUntilExpiryAndRerunOn401() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let setup = try Setup()
            defer { try? FileManager.default.removeItem(atPath: setup.directory) }
            let token = lab.adminToken

            // v1 with an expiry: cached while valid, run again once expired.
            let v1 = try await Self.client(try setup.kubeconfig(lab, name: "v1", version: "client.authentication.k8s.io/v1", token: token, extra: ["EXPIRES": "8"], provideCluster: true))
            _ = try await v1.send("GET", "/api/v1/namespaces")
            _ = try await v1.send("GET", "/api/v1/pods", query: [("limit", "1")])
            #expect(setup.runs == 1)
            try await Task.sleep(for: .milliseconds(8300))
            _ = try await v1.send("GET", "/api/v1/namespaces")
            #expect(setup.runs == 2)
            #expect(await v1.execRuns == 2)
            await v1.shutdown()
            let info = try setup.info(1)
            #expect(info["apiVersion"] as? String == "client.authentication.k8s.io/v1")
            #expect(info["kind"] as? String == "ExecCredential")
            let spec = try #require(info["spec"] as? [String: Any])
            #expect(spec["interactive"] as? Bool == false)
            let cluster = try #require(spec["cluster"] as? [String: Any])
            #expect(cluster["server"] as? String == lab.server)
            #expect((cluster["config"] as? [String: Any])?["audience"] as? String == "lab-audience")
            #expect(try String(contentsOfFile: "\(setup.directory)/args-1", encoding: .utf8) == "token --cluster lab\n")

            // v1beta1 without an expiry: one run for the whole client; no cluster info unless asked.
            setup.reset()
            let beta = try await Self.client(try setup.kubeconfig(lab, name: "beta", version: "client.authentication.k8s.io/v1beta1", token: token, mode: nil))
            for _ in 0..<4 { _ = try await beta.send("GET", "/api/v1/namespaces") }
            #expect(setup.runs == 1)
            #expect(try setup.info(1)["spec"].flatMap { ($0 as? [String: Any])?["cluster"] } == nil)
            await beta.shutdown()

            // A stale token: the 401 discards it, the plugin runs again, the request succeeds.
            setup.reset()
            let stale = try await Self.client(try setup.kubeconfig(lab, name: "stale", version: "client.authentication.k8s.io/v1", token: token, extra: ["FIRST_BAD": "1"]))
            _ = try await stale.send("GET", "/api/v1/namespaces")
            #expect(setup.runs == 2)
            await stale.shutdown()

            // Rejected every time: one re-run, then a 401 that says so.
            setup.reset()
            let rejected = try await Self.client(try setup.kubeconfig(lab, name: "rejected", version: "client.authentication.k8s.io/v1", token: "never-valid"))
            let error = await #expect(throws: KubeError.self) { _ = try await rejected.send("GET", "/api/v1/namespaces") }
            #expect(error?.kind == .unauthorized)
            #expect(error?.message.contains("the exec plugin ./bin/lab-token") == true || error?.message.contains("lab-token") == true, "\(String(describing: error))")
            #expect(error?.message.contains("never-valid") == false)
            #expect(setup.runs == 2)
            await rejected.shutdown()
        }
    }

    @Test func failingAndMissingPluginsSayWhy() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        try write("#!/bin/bash\necho 'error: SSO session expired; run aws sso login' >&2\nexit 3\n", to: "\(setup.directory)/bin/failing", executable: true)
        func access(command: String, version: String = "client.authentication.k8s.io/v1beta1", mode: String? = nil, hint: String? = nil) -> ClusterAccess {
            var exec = ExecEntry(apiVersion: version, command: command)
            exec.interactiveMode = mode
            exec.installHint = hint
            var user = UserEntry()
            user.exec = exec
            return ClusterAccess(
                contextName: "eks", clusterName: "eks", userName: "arn:aws:eks:us-west-2:1234:cluster/x", server: "https://127.0.0.1:1",
                namespace: "default", cluster: ClusterEntry(server: "https://127.0.0.1:1"), user: user)
        }
        let failing = await #expect(throws: KubeError.self) { _ = try await ExecCredentialPlugin.run(for: access(command: "\(setup.directory)/bin/failing")) }
        #expect(failing?.kind == .credentials)
        #expect(failing?.message.contains("failed with exit status 3") == true, "\(String(describing: failing))")
        #expect(failing?.message.contains("SSO session expired") == true)

        let missing = await #expect(throws: KubeError.self) {
            _ = try await ExecCredentialPlugin.run(for: access(command: "meshtrim-no-such-plugin", hint: "install it with: brew install no-such-plugin"))
        }
        #expect(missing?.message.contains("was not found on PATH") == true)
        #expect(missing?.message.contains("brew install no-such-plugin") == true)

        let noMode = await #expect(throws: KubeError.self) {
            _ = try await ExecCredentialPlugin.run(for: access(command: setup.pluginPath, version: "client.authentication.k8s.io/v1"))
        }
        #expect(noMode?.message.contains("interactiveMode") == true)

        let always = await #expect(throws: KubeError.self) {
            _ = try await ExecCredentialPlugin.run(for: access(command: setup.pluginPath, mode: "Always"))
        }
        #expect(always?.message.contains("needs a terminal") == true)

        let old = await #expect(throws: KubeError.self) {
            _ = try await ExecCredentialPlugin.run(for: access(command: setup.pluginPath, version: "client.authentication.k8s.io/v1alpha1"))
        }
        #expect(old?.message.contains("v1alpha1 was removed") == true)
    }
}
