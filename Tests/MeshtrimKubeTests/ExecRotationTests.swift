import Foundation
import MeshtrimLab
import MeshtrimTestSupport
import Testing

@testable import MeshtrimKube

/// Credentials an exec plugin rotates (issue #16 item 8): a client certificate past its `expirationTimestamp` is
/// replaced by the plugin's next one for new connections, and a port-forward whose upgrade gets a 401 runs the
/// plugin again and retries once, as REST does.
@Suite(.timeLimit(.minutes(3)))
struct ExecRotationTests {
    /// A plugin that counts its runs and prints `out-N.json` for run N (`out-last.json` once those run out).
    static let plugin = """
        #!/bin/bash
        set -e
        n=$(( $(cat "$PLUGIN_DIR/runs" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$PLUGIN_DIR/runs"
        if [ -f "$PLUGIN_DIR/out-$n.json" ]; then cat "$PLUGIN_DIR/out-$n.json"; else cat "$PLUGIN_DIR/out-last.json"; fi
        """

    struct Plugin {
        let directory: String

        init(outputs: [String], last: String) throws {
            directory = try makeTemporaryDirectory("meshtrim-exec-rotation")
            try write(ExecRotationTests.plugin, to: "\(directory)/plugin", executable: true)
            for (index, output) in outputs.enumerated() { try write(output, to: "\(directory)/out-\(index + 1).json") }
            try write(last, to: "\(directory)/out-last.json")
        }

        var runs: Int {
            Int((try? String(contentsOfFile: "\(directory)/runs", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
        }

        /// A kubeconfig whose only user is the plugin.
        func kubeconfig(_ lab: LabRun) throws -> String {
            let path = "\(directory)/kubeconfig"
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
                contexts: [{name: exec, context: {cluster: lab, user: plugin}}]
                users:
                - name: plugin
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: \(directory)/plugin
                      env: [{name: PLUGIN_DIR, value: "\(directory)"}]
                      interactiveMode: Never
                """, to: path)
            return path
        }
    }

    /// An ExecCredential as a plugin prints it.
    static func credential(token: String? = nil, certificate: String? = nil, key: String? = nil, expires: String? = nil) throws -> String {
        var status: [String: String] = [:]
        status["token"] = token
        status["clientCertificateData"] = certificate
        status["clientKeyData"] = key
        status["expirationTimestamp"] = expires
        let object: [String: Any] = ["apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": status]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static func client(_ path: String) async throws -> KubeClient {
        try await KubeClient.connect(try KubeconfigLoader.load(explicitPath: path).resolve())
    }

    /// The first certificate is signed by a CA the lab does not trust and expired already: a request made with
    /// it fails the handshake (the control shows it), so a request that succeeds was made with the plugin's second
    /// certificate, the lab's own (the lab's only certificate user).
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func anExpiredClientCertificateIsReplacedByThePluginsNextOne() async throws {
        try await withLab(["--namespaces", "3", "--services", "6", "--pods", "4"], envoy: false) { lab in
            let foreign = try LabCertificateAuthority(commonName: "not-the-lab-ca")
                .issue(commonName: "lab-client-cert", organization: "system:masters", usage: .client)
            let labCertificate = try String(contentsOfFile: "\(lab.stateDirectory)/pki/client.crt", encoding: .utf8)
            let labKey = try String(contentsOfFile: "\(lab.stateDirectory)/pki/client.key", encoding: .utf8)
            let expired = try Self.credential(certificate: foreign.certificate, key: foreign.key, expires: "2020-01-01T00:00:00Z")

            // Control: the foreign certificate is refused by the lab's handshake.
            let control = try Plugin(outputs: [], last: try Self.credential(certificate: foreign.certificate, key: foreign.key))
            defer { try? FileManager.default.removeItem(atPath: control.directory) }
            let refused = try await Self.client(try control.kubeconfig(lab))
            let error = await #expect(throws: KubeError.self) { _ = try await refused.send("GET", "/api/v1/namespaces", retry: false) }
            #expect(error?.kind == .tls || error?.kind == .unauthorized, "\(String(describing: error))")
            await refused.shutdown()

            let rotating = try Plugin(outputs: [expired], last: try Self.credential(certificate: labCertificate, key: labKey))
            defer { try? FileManager.default.removeItem(atPath: rotating.directory) }
            let client = try await Self.client(try rotating.kubeconfig(lab))
            #expect(rotating.runs == 1, "connect runs the plugin for the TLS identity")
            _ = try await client.send("GET", "/api/v1/namespaces", retry: false)
            #expect(rotating.runs == 2, "the expired certificate was replaced before the request")
            _ = try await client.send("GET", "/api/v1/pods", retry: false)
            #expect(rotating.runs == 2, "the new certificate has no expiry: kept")
            #expect(client.identity.current.certificate == labCertificate)
            await client.shutdown()
        }
    }

    /// A port-forward whose upgrade is refused with 401 runs the plugin again and succeeds with the new token;
    /// a token refused every time ends in one re-run and the 401.
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aPortForwardRefusedWith401RunsThePluginAgain() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let admin = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let key = try #require(ObservationTests.sidecarKeys(try await admin.loadInventory().inventory).first)
            await admin.shutdown()

            let rotating = try Plugin(outputs: [try Self.credential(token: "revoked-token")], last: try Self.credential(token: lab.adminToken))
            defer { try? FileManager.default.removeItem(atPath: rotating.directory) }
            let client = try await Self.client(try rotating.kubeconfig(lab))
            let answer = try await PortForwarder(client: client).get(
                namespace: key.namespace, pod: key.name, port: 15000, path: "/ready", timeout: .seconds(20))
            #expect(answer.status == 200)
            #expect(rotating.runs == 2, "the 401 discarded the revoked token and the plugin ran again")
            await client.shutdown()

            let rejected = try Plugin(outputs: [], last: try Self.credential(token: "never-valid"))
            defer { try? FileManager.default.removeItem(atPath: rejected.directory) }
            let refused = try await Self.client(try rejected.kubeconfig(lab))
            let error = await #expect(throws: KubeError.self) {
                _ = try await PortForwarder(client: refused).get(
                    namespace: key.namespace, pod: key.name, port: 15000, path: "/ready", timeout: .seconds(20))
            }
            #expect(error?.statusCode == 401, "\(String(describing: error))")
            #expect(rejected.runs == 2, "one re-run, then the 401")
            await refused.shutdown()
        }
    }
}
