import Foundation
import MeshtrimProcess

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a child process and measures it: wall-clock time and peak resident memory (the child's `VmHWM`, sampled
/// every millisecond while it runs).
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
        /// Peak resident set size in bytes: the child program's own high-water mark (`VmHWM`), sampled until it
        /// exited; `wait4`'s `ru_maxrss` only when `/proc` gave nothing.
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
        let child = try spawn(arguments, environment: environment, stdin: inputPath, stdout: outputPath, stderr: errorPath)
        // The peak comes from the child's own VmHWM, sampled every millisecond until it exits: wait4's ru_maxrss
        // would start from this process's size (docs/processes.md, "Peak RSS").
        var sampledPeak = 0
        let termination: ProcessTermination
        do {
            let deadline = clock.now + timeout
            while true {
                if let highWater = child.residentHighWaterBytes() { sampledPeak = max(sampledPeak, highWater) }
                if let ended = try child.poll() {
                    termination = ended
                    break
                }
                if clock.now >= deadline {
                    child.send(SIGKILL)
                    _ = try child.wait()
                    throw BenchError("`\(arguments.joined(separator: " "))` did not finish within \(timeout)")
                }
                usleep(1_000)
            }
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("waiting for \(program) failed: \(error)")
        }
        let elapsed = Stopwatch.milliseconds(clock.now - start)
        let errorText = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data(), as: UTF8.self)
        return Result(
            exitCode: termination.shellStatus, milliseconds: elapsed,
            peakResidentBytes: sampledPeak > 0 ? sampledPeak : termination.peakResidentBytes,
            stdout: keepOutput ? (try Data(contentsOf: URL(fileURLWithPath: outputPath))) : Data(),
            stderr: String(errorText.suffix(2_000)))
    }

    /// Starts `arguments` without waiting: standard input from `stdin`, output into the given files. The child
    /// stays in this process group, so Ctrl-C on the benchmark reaches it too; its signal state starts clean.
    ///
    /// - Throws: ``BenchError`` naming the program and the system's reason.
    static func spawn(
        _ arguments: [String], environment: [String: String], stdin: String, stdout: String, stderr: String
    ) throws -> SpawnedProcess {
        do {
            return try SpawnedProcess.spawn(
                ProcessOptions(
                    arguments, environment: .inherit(changing: environment), standardInput: .file(stdin),
                    standardOutput: .file(stdout), standardError: stderr == stdout ? .standardOutput : .file(stderr),
                    group: .caller))
        } catch {
            throw BenchError("\(error)")
        }
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
