import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Child processes for tests, started with `posix_spawnp` and a clean signal state (the test runner blocks signals
/// that children rely on), output to files so a chatty child never blocks on a pipe.
enum ChildProcess {
    /// What a finished process left behind.
    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts `arguments` without waiting; its output goes to `logPath`. Returns the pid.
    static func start(_ arguments: [String], environment: [String: String]? = nil, logPath: String) throws -> pid_t {
        try spawn(arguments, environment: environment, stdin: "/dev/null", stdout: logPath, stderr: nil, newGroup: false)
    }

    /// Runs `arguments` to completion (killing it after `timeout`).
    static func run(_ arguments: [String], environment: [String: String?] = [:], timeout: Duration = .seconds(60)) throws -> Result {
        let directory = try makeTemporaryDirectory("meshtrim-kube-spawn")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let pid = try spawn(
            arguments, environment: variables, stdin: "/dev/null", stdout: "\(directory)/out", stderr: "\(directory)/err", newGroup: true)
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            if ContinuousClock.now > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw KubeTestError("\(arguments.joined(separator: " ")) did not finish within \(timeout)")
            }
            usleep(5_000)
        }
        let signal = status & 0x7F
        let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        func read(_ name: String) -> String { (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? "" }
        return Result(exitCode: code, stdout: read("out"), stderr: read("err"))
    }

    private static func spawn(
        _ arguments: [String], environment: [String: String]?, stdin: String, stdout: String, stderr: String?, newGroup: Bool
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let variables = environment ?? ProcessInfo.processInfo.environment
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw KubeTestError("cannot start \(arguments[0]): \(String(cString: strerror(result)))") }
        return pid
    }
}
