import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs an interactive exec plugin in meshtrim's own process group, with the terminal as its standard input and
/// standard error and a pipe as its standard output (the credential).
///
/// Foundation's `Process` starts programs in a process group of their own; on a terminal that group is in the
/// background, and a background group that reads the terminal gets `EIO` (or is stopped), so a prompting plugin
/// could never read its answer. `posix_spawn` without attributes keeps the plugin in the foreground group, as
/// kubectl's plugins are.
enum TerminalPluginProcess {
    /// Runs `executable` to the end; see ``PluginProcess/run(executable:arguments:environment:inheritStandardInput:inheritStandardError:timeout:)``.
    ///
    /// - Throws: ``PluginSpawnError`` when the program cannot be started.
    static func run(executable: String, arguments: [String], environment: [String: String], timeout: Duration) async throws -> PluginProcess.Result {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw PluginSpawnError(code: errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw PluginSpawnError(code: spawned)
        }
        let child = pid
        let timedOut = SpawnTimeoutFlag()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let killer = DispatchWorkItem {
            timedOut.set()
            kill(child, SIGTERM)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
        let reader = pipe[0]
        let output: Data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(reader, &buffer, buffer.count)
                    if count > 0 {
                        data.append(contentsOf: buffer[0..<count])
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                close(reader)
                continuation.resume(returning: data)
            }
        }
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var raw: Int32 = 0
                while waitpid(child, &raw, 0) < 0 && errno == EINTR {}
                let signal = raw & 0x7F
                continuation.resume(returning: signal == 0 ? (raw >> 8) & 0xFF : 128 + signal)
            }
        }
        killer.cancel()
        return PluginProcess.Result(status: status, stdout: output, stderr: Data(), timedOut: timedOut.value)
    }
}

/// A plugin could not be started (`posix_spawn` or `pipe` failed).
struct PluginSpawnError: Error, LocalizedError {
    /// The errno.
    var code: Int32

    /// The system's text for the errno.
    var errorDescription: String? { String(cString: strerror(code)) }
}

/// A flag set from a Dispatch thread and read afterwards.
private final class SpawnTimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    func set() {
        lock.lock()
        isSet = true
        lock.unlock()
    }

    var value: Bool {
        lock.lock()
        defer { lock.unlock() }
        return isSet
    }
}
