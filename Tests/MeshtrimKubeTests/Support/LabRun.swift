import Foundation
import MeshtrimKube
import MeshtrimTestSupport
import Testing

/// A `meshtrim lab` process for one test: the shared ``TestLab`` of MeshtrimTestSupport.
///
/// Use ``withLab(_:envoy:startTimeout:body:)``: it starts the lab, waits for its kubeconfig, runs the body, then
/// stops the lab with SIGTERM (SIGKILL after 15 s) and checks that none of its Envoys survived.
typealias LabRun = TestLab

extension TestLab {
    /// The kubeconfig as meshtrim loads it.
    func loadKubeconfig() throws -> Kubeconfig { try KubeconfigLoader.merge(files: [kubeconfig]) }

    /// The admin context resolved.
    func access(context: String = "meshtrim-lab") throws -> ClusterAccess { try loadKubeconfig().resolve(context: context) }

    /// The server URL.
    var server: String { (try? access().server) ?? "" }

    /// The admin token (never printed by tests).
    var adminToken: String { (try? access().user.token) ?? "" }

    /// The CA certificate PEM.
    var caPEM: String {
        guard let data = (try? access())?.cluster.certificateAuthorityData.flatMap({ Data(base64Encoded: $0) }) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The Envoys of `/lab/status` (id, pid).
    func envoys() throws -> [(id: String, pid: Int?)] {
        struct Status: Decodable {
            struct Envoy: Decodable {
                var id: String
                var pid: Int?
            }
            var envoys: [Envoy]
        }
        let raw = try kubectl(["get", "--raw", "/lab/status"])
        return try JSONDecoder().decode(Status.self, from: Data(raw.stdout.utf8)).envoys.map { ($0.id, $0.pid) }
    }
}

/// Runs `body` against a lab started with `arguments`; always stops the lab.
func withLab(
    _ arguments: [String], envoy: Bool, startTimeout: Duration = .seconds(120), body: (LabRun) async throws -> Void
) async throws {
    let binary = envoy ? try requireEnvoy() : nil
    var lab = try LabRun(prefix: "meshtrim-kube-lab")
    do {
        // Labs start one at a time: Envoys of labs starting together can race for the same free port, and the
        // lab gives up when an Envoy exits while starting. One retry covers labs of other test targets.
        try await LabStartGate.shared.run {
            do {
                try await lab.start(arguments, envoy: binary, timeout: startTimeout)
            } catch let error as TestLabError where error.description.contains("while starting; see") {
                lab = try LabRun(prefix: "meshtrim-kube-lab")
                try await lab.start(arguments, envoy: binary, timeout: startTimeout)
            }
        }
        try await body(lab)
    } catch {
        try await lab.stop()
        throw error
    }
    try await lab.stop()
}

/// The lab's fixture mesh (Tests/MeshtrimLabTests/Fixtures/shop.yaml): two namespaces with sidecars and a Sidecar.
let shopFixture = packageRoot().appendingPathComponent("Tests/MeshtrimLabTests/Fixtures/shop.yaml").path

/// Serialises lab start-ups within this test process.
actor LabStartGate {
    static let shared = LabStartGate()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run(_ body: () async throws -> Void) async throws {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        try await body()
    }
}
