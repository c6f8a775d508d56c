import Foundation
import MeshtrimTestSupport
import MeshtrimKube
import Testing

/// Exec plugins that need a terminal: which ones run before the UI (`interactiveMode`, a terminal on stdin), a
/// plugin that asks for a code typed into the real binary in tmux before the UI starts (run once, the UI then
/// browses the lab with its credential), and the message when a plugin that needs input runs without one.
@Suite(.timeLimit(.minutes(3)))
struct InteractiveExecTests {
    /// Prompts on stderr, reads a code from stdin, and prints the lab's token only for the right code.
    static let plugin = """
        #!/bin/bash
        n=$(( $(cat "$PLUGIN_DIR/runs" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$PLUGIN_DIR/runs"
        printf 'one-time code for the lab: ' >&2
        if ! read -r code; then echo "no code given: this plugin needs a terminal" >&2; exit 3; fi
        if [ "$code" != "4242" ]; then echo "wrong code" >&2; exit 4; fi
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\\n' "$PLUGIN_TOKEN"
        """

    /// A kubeconfig for `server` whose user runs the plugin with `mode`.
    static func kubeconfig(directory: String, server: String, caPEM: String, token: String, mode: String, name: String = "exec") throws -> String {
        try write(plugin, to: "\(directory)/bin/login", executable: true)
        let path = "\(directory)/\(name).kubeconfig"
        try write(
            """
            apiVersion: v1
            kind: Config
            current-context: exec
            clusters:
            - name: lab
              cluster:
                server: \(server)
                certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())
            contexts: [{name: exec, context: {cluster: lab, user: person}}]
            users:
            - name: person
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/login
                  env: [{name: PLUGIN_DIR, value: "\(directory)"}, {name: PLUGIN_TOKEN, value: "\(token)"}]
                  interactiveMode: \(mode)
            """, to: path)
        return path
    }

    static func access(_ path: String) throws -> ClusterAccess {
        try KubeconfigLoader.load(explicitPath: path, environment: [:]).resolve(context: nil)
    }

    @Test func whichPluginsGetTheTerminal() throws {
        let directory = try makeTemporaryDirectory("meshtrim-interactive")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (mode, terminal, expected) in [
            ("Always", false, true), ("Always", true, true), ("IfAvailable", true, true), ("IfAvailable", false, false),
            ("Never", true, false), ("Never", false, false),
        ] {
            let path = try Self.kubeconfig(directory: directory, server: "https://127.0.0.1:1", caPEM: "", token: "t", mode: mode, name: mode)
            #expect(InteractiveExecLogin.needsTerminal(try Self.access(path), standardInputIsTerminal: terminal) == expected, "\(mode) \(terminal)")
        }
    }

    @Test func aPluginThatNeedsInputSaysSoWithoutATerminal() async throws {
        let directory = try makeTemporaryDirectory("meshtrim-interactive")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let never = try Self.kubeconfig(directory: directory, server: "https://127.0.0.1:1", caPEM: "", token: "t", mode: "Never")
        let failure = await #expect(throws: KubeError.self) {
            _ = try await ExecCredentialPlugin.run(for: try Self.access(never), interactiveTerminal: true, environment: ["PATH": "/usr/bin:/bin"])
        }
        #expect(failure?.kind == .credentials)
        #expect(failure?.message.contains("failed with exit status 3") == true, "\(String(describing: failure))")
        #expect(failure?.message.contains("no code given: this plugin needs a terminal") == true)
        #expect(failure?.message.contains("interactiveMode: Never; if it needs to ask for input, set interactiveMode: IfAvailable") == true)
        // Always without a terminal is refused before running it; nothing is run before the UI for Never.
        let always = try Self.kubeconfig(directory: directory, server: "https://127.0.0.1:1", caPEM: "", token: "t", mode: "Always", name: "always")
        let refused = await #expect(throws: KubeError.self) {
            _ = try await ExecCredentialPlugin.run(for: try Self.access(always), interactiveTerminal: false, environment: [:])
        }
        #expect(refused?.message.contains("needs a terminal (interactiveMode: Always)") == true)
        try FileManager.default.removeItem(atPath: "\(directory)/runs")
        #expect(try await InteractiveExecLogin.runBeforeUI(kubeconfig: never, context: nil, environment: [:], standardInputIsTerminal: true) == nil)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/runs"))
    }

    @Test(.enabled(if: shouldRunTests(needing: "tmux")))
    func theBinaryRunsAPromptingPluginBeforeTheUI() async throws {
        try requireTool("tmux")
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let path = try Self.kubeconfig(directory: lab.directory, server: lab.server, caPEM: lab.caPEM, token: lab.adminToken, mode: "Always")
            let tmux = try TmuxScreen(command: "\(try meshtrimBinaryPath()) --kubeconfig \(path)", directory: lab.directory)
            defer { tmux.close() }
            try await tmux.wait(for: "one-time code for the lab:")
            #expect(try tmux.screen().contains("runs now, before the UI"))
            try tmux.type("4242")
            try tmux.press("Enter")
            try await tmux.wait(for: "context exec (")
            try await tmux.wait(for: "sidecars observed")
            // The detail screen on the live lab: Envoy's actual names, equal to the prediction.
            try tmux.press("Enter")
            try await tmux.wait(for: "READY")
            try tmux.press("Enter")
            try await tmux.wait(for: "= predicted")
            let screen = try tmux.screen()
            #expect(screen.contains("names, fetched "), "\(screen)")
            let runs = try String(contentsOfFile: "\(lab.directory)/runs", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(runs == "1", "the plugin ran \(runs) times; the UI should use the credential it printed")
            try tmux.press("q")
            try await tmux.wait(for: "[exited 0]")

            // IfAvailable (the v1beta1 default) on a terminal prompts before the UI too; a wrong code stops meshtrim
            // with the plugin's failure before the UI ever starts.
            let ifAvailable = try Self.kubeconfig(
                directory: lab.directory, server: lab.server, caPEM: lab.caPEM, token: lab.adminToken, mode: "IfAvailable", name: "if-available")
            let second = try TmuxScreen(command: "\(try meshtrimBinaryPath()) --kubeconfig \(ifAvailable)", directory: lab.directory + "/second")
            defer { second.close() }
            try await second.wait(for: "one-time code for the lab:")
            try second.type("1111")
            try second.press("Enter")
            try await second.wait(for: "[exited 1]")
            let text = try second.screen()
            #expect(text.contains("failed with exit status 4"), "\(text)")
            #expect(!text.contains("SERVICE FQDN") && !text.contains("context exec ("))
        }
    }
}
