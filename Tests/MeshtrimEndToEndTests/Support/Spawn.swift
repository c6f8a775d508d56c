import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a finished process left behind: its exit status (128 + the signal number if a signal killed it, as a
/// shell reports it), and everything it wrote to standard output and standard error.
typealias ProcessResult = (exitCode: Int32, stdout: String, stderr: String)

/// Why ``runProcess(_:stdin:environment:timeout:)`` could not run a command to the end.
struct SpawnError: Error, CustomStringConvertible {
    /// What went wrong, naming the command.
    let description: String
}

/// Runs a command to completion and returns its exit status and output.
///
/// Uses `posix_spawnp` + `waitpid` rather than `Foundation.Process`, which hangs on commands that leave a daemon
/// behind (`tmux new-session`; swift-corelibs-foundation #4795). The child gets a clean signal state (empty mask,
/// every handler at its default), because the test runner's threads block signals that tmux and the app under
/// test rely on (SIGCHLD, SIGWINCH, SIGTERM). Output goes to temporary files, so a chatty child cannot fill a pipe
/// and a daemon that inherits the descriptors cannot keep a pipe open.
///
/// - Parameters:
///   - arguments: the program (looked up on `PATH`) followed by its arguments.
///   - stdin: text fed to standard input; `nil` connects it to `/dev/null`.
///   - environment: changes to this process's environment: a value sets a variable, `nil` removes it.
///   - timeout: how long to wait before killing the child (and its process group) with SIGKILL and throwing.
/// - Throws: ``SpawnError`` when the program cannot be started or does not finish within `timeout`.
func runProcess(
    _ arguments: [String], stdin: String? = nil, environment: [String: String?] = [:], timeout: Duration = .seconds(60)
) throws -> ProcessResult {
    guard let program = arguments.first else { throw SpawnError(description: "runProcess: no command given") }
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("meshtrim-spawn-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outputPath = directory.appendingPathComponent("stdout").path
    let errorPath = directory.appendingPathComponent("stderr").path
    var inputPath = "/dev/null"
    if let stdin {
        inputPath = directory.appendingPathComponent("stdin").path
        try stdin.write(toFile: inputPath, atomically: false, encoding: .utf8)
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // Nothing else of the test runner's (its event stream, other tests' files) leaks into daemons.
    if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

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

    var variables = ProcessInfo.processInfo.environment
    for (name, value) in environment { variables[name] = value }
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }

    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
    guard spawned == 0 else {
        throw SpawnError(description: "cannot run \(program): \(String(cString: strerror(spawned)))")
    }
    let status = try waitForExit(pid, timeout: timeout, command: arguments)
    return (status, try readText(outputPath), try readText(errorPath))
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because the Glibc module
/// does not import it; `nil` where the C library lacks it.
private let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// Waits for `pid` to finish and returns its shell-style exit status; kills its process group after `timeout`.
private func waitForExit(_ pid: pid_t, timeout: Duration, command: [String]) throws -> Int32 {
    let deadline = ContinuousClock.now + timeout
    var pause: useconds_t = 1_000
    while true {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
            let signal = status & 0x7F
            return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        }
        if result == -1, errno != EINTR {
            throw SpawnError(description: "waitpid failed for \(command.joined(separator: " ")): errno \(errno)")
        }
        if ContinuousClock.now >= deadline {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
            throw SpawnError(description: "\(command.joined(separator: " ")) did not finish within \(timeout)")
        }
        usleep(pause)
        pause = min(pause * 2, 20_000)
    }
}

/// The file's contents as UTF-8 text (invalid bytes become U+FFFD).
private func readText(_ path: String) throws -> String {
    String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
}
