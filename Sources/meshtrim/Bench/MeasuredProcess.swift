import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a child process and measures it: wall-clock time and peak resident memory (`wait4`'s `ru_maxrss`).
///
/// `meshtrim bench` compares meshtrim with kubectl as separate processes measured the same way, so neither side
/// shares an address space or an event loop with the lab or with the benchmark itself. Standard output goes to a
/// file (read back only when asked), so a 25 MB `kubectl get pods -o json` cannot block on a pipe.
struct MeasuredProcess {
    /// What a finished child left behind.
    struct Result {
        /// The exit status (128 + the signal number when a signal ended it, as shells report it).
        var exitCode: Int32
        /// Milliseconds from spawn to exit.
        var milliseconds: Double
        /// Peak resident set size in bytes (`ru_maxrss`, which Linux reports in KiB).
        var peakResidentBytes: Int
        /// Standard output (empty unless `keepOutput`).
        var stdout: Data
        /// The last lines of standard error, for messages.
        var stderr: String
    }

    /// Runs `arguments` (the program is looked up on `PATH`) to completion.
    ///
    /// - Parameters:
    ///   - environment: changes to this process's environment.
    ///   - stdin: text fed to standard input (`/dev/null` when `nil`).
    ///   - keepOutput: return standard output (otherwise it is written to a file and dropped).
    ///   - timeout: how long to wait before killing the child and throwing.
    /// - Throws: ``BenchError`` when the program cannot be started or does not finish in time.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, keepOutput: Bool = false,
        timeout: Duration = .seconds(600)
    ) throws -> Result {
        guard let program = arguments.first else { throw BenchError("no command to run") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputPath = directory.appendingPathComponent("stdout").path
        let errorPath = directory.appendingPathComponent("stderr").path
        var inputPath = "/dev/null"
        if let stdin {
            inputPath = directory.appendingPathComponent("stdin").path
            try stdin.write(toFile: inputPath, atomically: false, encoding: .utf8)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let pid = try spawn(arguments, environment: environment, stdin: inputPath, stdout: outputPath, stderr: errorPath)
        let deadline = start + timeout
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR {
                throw BenchError("waiting for \(program) failed: \(String(cString: strerror(errno)))")
            }
            if clock.now >= deadline {
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                throw BenchError("`\(arguments.joined(separator: " "))` did not finish within \(timeout)")
            }
            usleep(1_000)
        }
        let elapsed = Stopwatch.milliseconds(clock.now - start)
        let signal = status & 0x7F
        let errorText = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data(), as: UTF8.self)
        return Result(
            exitCode: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, milliseconds: elapsed,
            peakResidentBytes: Int(usage.ru_maxrss) * 1024,
            stdout: keepOutput ? (try Data(contentsOf: URL(fileURLWithPath: outputPath))) : Data(),
            stderr: String(errorText.suffix(2_000)))
    }

    /// Starts `arguments` without waiting: standard input from `stdin`, output into the given files. The child
    /// stays in this process group, so Ctrl-C on the benchmark reaches it too; its signal state starts clean.
    ///
    /// - Throws: ``BenchError`` naming the program and the system's reason.
    static func spawn(_ arguments: [String], environment: [String: String], stdin: String, stdout: String, stderr: String) throws -> pid_t {
        guard let program = arguments.first else { throw BenchError("no command to run") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
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

        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else { throw BenchError("cannot run \(program): \(String(cString: strerror(result)))") }
        return pid
    }

    /// The running meshtrim binary (`/proc/self/exe`; `argv[0]` is not a path when meshtrim was found on `PATH`).
    static var meshtrimBinary: String {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return target }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    /// Whether an executable called `name` is on `PATH`.
    static func isOnPath(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}
