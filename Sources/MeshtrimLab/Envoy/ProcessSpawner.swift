import Foundation
import MeshtrimProcess

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
        do {
            let child = try SpawnedProcess.spawn(
                ProcessOptions(
                    arguments, standardOutput: .file(job.logPath, append: true), standardError: .standardOutput,
                    group: .own))
            return .success(child.pid)
        } catch let error as ProcessError {
            let reason = error.code.map { String(cString: strerror($0)) } ?? error.description
            return .failure(LabError("cannot start \(program): \(reason)"))
        } catch {
            return .failure(LabError("cannot start \(program): \(error)"))
        }
    }
}
