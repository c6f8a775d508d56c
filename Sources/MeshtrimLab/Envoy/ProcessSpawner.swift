import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts child processes from one long-lived thread, so that `setpriv --pdeathsig` ties them to the lab.
///
/// Linux sends the parent-death signal when the *thread* that created the child exits, and Swift's cooperative
/// threads may come and go; spawning from a dedicated thread that lives as long as the process means a lab killed
/// with SIGKILL still takes its Envoys with it. Children get a clean signal state (empty mask, default handlers) and
/// their own process group, and write standard output and error to a log file.
final class ProcessSpawner: @unchecked Sendable {
    /// The spawner of this process.
    static let shared = ProcessSpawner()

    private struct Job {
        var arguments: [String]
        var logPath: String
        var completion: (Result<pid_t, LabError>) -> Void
    }

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private let usesSetpriv = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "meshtrim-lab-spawner"
        thread.start()
    }

    /// Starts `arguments` (an absolute program path first) with output appended to `logPath`; returns its pid.
    ///
    /// - Throws: ``LabError`` naming the program and the system's reason.
    func spawn(_ arguments: [String], logPath: String) async throws -> pid_t {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<pid_t, Error>) in
            condition.lock()
            jobs.append(Job(arguments: arguments, logPath: logPath) { result in continuation.resume(with: result) })
            condition.signal()
            condition.unlock()
        }
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.completion(run(job))
        }
    }

    private func run(_ job: Job) -> Result<pid_t, LabError> {
        guard let program = job.arguments.first else { return .failure(LabError("no program to start")) }
        let arguments = usesSetpriv ? ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"] + job.arguments : job.arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, job.logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
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
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            return .failure(LabError("cannot start \(program): \(String(cString: strerror(status)))"))
        }
        return .success(pid)
    }
}
