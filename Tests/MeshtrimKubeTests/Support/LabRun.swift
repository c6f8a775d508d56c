import Foundation
import MeshtrimKube
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A `meshtrim lab` process for one test, in its own temporary directory.
///
/// Use ``withLab(_:envoy:body:)``: it starts the lab, waits for its kubeconfig, runs the body, then stops the lab
/// with SIGTERM (SIGKILL after 15 s) and checks that none of its Envoys survived.
final class LabRun: @unchecked Sendable {
    /// The test's directory.
    let directory: String
    /// The kubeconfig the lab writes.
    var kubeconfig: String { "\(directory)/kubeconfig" }
    /// The lab's state directory (certificates under `pki/`).
    var stateDirectory: String { "\(directory)/state" }
    /// The lab's output.
    var logPath: String { "\(directory)/lab.log" }
    private(set) var pid: pid_t = 0

    init() throws {
        directory = try makeTemporaryDirectory("meshtrim-kube-lab")
    }

    func start(_ arguments: [String], envoy: String?, timeout: Duration = .seconds(120)) async throws {
        var argv = [try meshtrimBinaryPath(), "lab", "--kubeconfig-out", kubeconfig, "--state-dir", stateDirectory] + arguments
        var environment = ProcessInfo.processInfo.environment
        if let envoy { environment["MESHTRIM_ENVOY"] = envoy } else { argv.append("--without-envoy") }
        pid = try ChildProcess.start(argv, environment: environment, logPath: logPath)
        let deadline = ContinuousClock.now + timeout
        while !FileManager.default.fileExists(atPath: kubeconfig) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                let signal = status & 0x7F
                let how = signal == 0 ? "with status \((status >> 8) & 0xFF)" : "by signal \(signal)"
                let files = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
                throw KubeTestError("meshtrim lab exited \(how) while starting (\(argv.joined(separator: " "))); files: \(files.count):\n\(log)")
            }
            if ContinuousClock.now > deadline { throw KubeTestError("meshtrim lab did not start within \(timeout):\n\(log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The lab's output so far.
    var log: String { FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? "(no log file)" }

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

    /// Runs kubectl against the lab with a fresh cache directory.
    func kubectl(_ arguments: [String], context: String? = nil) throws -> ChildProcess.Result {
        var argv = ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", "\(directory)/kubectl-cache-\(UUID().uuidString.prefix(6))"]
        if let context { argv += ["--context", context] }
        return try ChildProcess.run(argv + arguments, timeout: .seconds(120))
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

    func stop() async throws {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(15)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        pid = 0
        let survivors = try ChildProcess.run(["pgrep", "-a", "-f", "\(stateDirectory)/envoy"])
        #expect(survivors.exitCode == 1, "Envoys survived the lab: \(survivors.stdout)")
    }

    deinit {
        if pid > 0 { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` against a lab started with `arguments`; always stops the lab.
func withLab(
    _ arguments: [String], envoy: Bool, startTimeout: Duration = .seconds(120), body: (LabRun) async throws -> Void
) async throws {
    try requireTool("openssl")
    let binary = envoy ? try requireEnvoy() : nil
    var lab = try LabRun()
    do {
        // Labs start one at a time: Envoys of labs starting together can race for the same free port, and the
        // lab gives up when an Envoy exits while starting. One retry covers labs of other test targets.
        try await LabStartGate.shared.run {
            do {
                try await lab.start(arguments, envoy: binary, timeout: startTimeout)
            } catch let error as KubeTestError where error.description.contains("while starting; see") {
                lab = try LabRun()
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
