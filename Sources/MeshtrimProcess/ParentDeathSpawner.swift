import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Starts the children of ``ProcessOptions/diesWithParent`` from one thread that lives as long as the process.
///
/// `setpriv --pdeathsig KILL` asks Linux to kill the child when its parent goes, and Linux counts the *thread* that
/// spawned it as the parent: a child spawned from a cooperative or Dispatch thread that later exits would be killed
/// then, though the process is alive. Spawning from a dedicated thread means the signal comes only when the process
/// dies (even by SIGKILL). Callers block for the few microseconds a `posix_spawn` takes.
final class ParentDeathSpawner: Sendable {
    /// The spawner of this process; its thread starts on first use.
    static let shared = ParentDeathSpawner()

    /// `setpriv` of util-linux, when installed.
    static let setpriv: String? = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") ? "/usr/bin/setpriv" : nil

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let pending = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in serve() }
        thread.name = "meshtrim-spawner"
        thread.start()
    }

    /// Spawns `options` under `setpriv --pdeathsig KILL` on the spawner's thread.
    ///
    /// - Throws: ``ProcessError`` as ``SpawnedProcess/spawn(_:)`` does, naming the caller's program (not `setpriv`):
    ///   a program given by path is checked before `setpriv` would run it.
    func spawn(_ options: ProcessOptions) throws -> SpawnedProcess {
        let arguments = options.arguments
        guard let program = arguments.first, !program.isEmpty else { throw ProcessError("no program to run was given") }
        var wrapped = options
        if let setpriv = Self.setpriv {
            // setpriv reports a missing program only once it runs, as its own failure: name it here instead.
            if program.contains("/"), access(program, X_OK) != 0 { throw ProcessError.cannotStart(arguments, code: errno) }
            wrapped.arguments = [setpriv, "--pdeathsig", "KILL", "--"] + arguments
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        jobs.withLock { jobs in
            jobs.append { [wrapped] in
                outcome.result.withLock { $0 = Result { try SpawnedProcess.start(wrapped, reportedAs: arguments) } }
                done.signal()
            }
        }
        pending.signal()
        done.wait()
        return try outcome.result.withLock { result in
            guard let result else { throw ProcessError("the spawner thread did not start \(program)") }
            return try result.get()
        }
    }

    private func serve() {
        while true {
            pending.wait()
            let job = jobs.withLock { jobs in jobs.isEmpty ? nil : jobs.removeFirst() }
            job?()
        }
    }

    /// One spawn's result, handed from the spawner's thread to the caller.
    private final class Outcome: Sendable {
        let result = Mutex<Result<SpawnedProcess, any Error>?>(nil)
    }
}
