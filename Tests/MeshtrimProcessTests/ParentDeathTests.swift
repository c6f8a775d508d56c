import Foundation
import MeshtrimProcess
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``ProcessOptions/diesWithParent``: the child carries the parent-death signal (as `setpriv --dump` reports it), it
/// is spawned from the long-lived spawner thread (so a caller thread that ends takes nothing with it), and errors
/// still name the caller's program.
@Suite struct ParentDeathTests {
    /// `setpriv`, which the option needs; these tests fail, not skip, on a machine without it.
    private func requireSetpriv() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "util-linux's /usr/bin/setpriv is missing")
    }

    @Test func theChildGetsSigkillAsItsParentDeathSignal() throws {
        try requireSetpriv()
        let dies = try SpawnedProcess.spawn(
            ProcessOptions(["/usr/bin/setpriv", "--dump"], standardOutput: .pipe, diesWithParent: true))
        let dump = String(decoding: try #require(dies.standardOutput).readDataToEndOfFile(), as: UTF8.self)
        #expect(try dies.wait(timeout: .seconds(10)).succeeded)
        #expect(dump.contains("Parent death signal: KILL"), "\(dump)")
        #expect(dies.arguments == ["/usr/bin/setpriv", "--dump"], "the command is the caller's, without the prefix")

        let plain = try CapturedRun.run(["/usr/bin/setpriv", "--dump"])
        #expect(plain.stdout.contains("Parent death signal: [none]"), "\(plain.stdout)")
    }

    @Test func aChildOutlivesTheThreadThatAskedForIt() throws {
        try requireSetpriv()
        /// What the thread spawned, handed back to the test.
        final class Children: Sendable {
            struct Spawned {
                var tied: SpawnedProcess?
                var control: SpawnedProcess?
                var error: (any Error)?
            }
            let spawned = Mutex(Spawned())
        }
        let children = Children()
        // A thread that spawns two children and ends: one with the option, and a control spawned under setpriv from
        // this very thread, which Linux kills when the thread ends.
        var thread = pthread_t()
        let box = Unmanaged.passRetained(children)
        let created = pthread_create(&thread, nil, { argument in
            let children = Unmanaged<Children>.fromOpaque(argument!).takeRetainedValue()
            var spawned = Children.Spawned()
            do {
                let tied = try SpawnedProcess.spawn(
                    ProcessOptions(["sleep", "30"], standardOutput: .null, diesWithParent: true))
                spawned.tied = tied
                waitUntilRunning("sleep", pid: tied.pid)
                let control = try SpawnedProcess.spawn(
                    ProcessOptions(["/usr/bin/setpriv", "--pdeathsig", "KILL", "--", "sleep", "30"], standardOutput: .null))
                spawned.control = control
                // The thread may end only once setpriv has set the signal and run sleep: a parent gone before that
                // sends nothing.
                waitUntilRunning("sleep", pid: control.pid)
            } catch {
                spawned.error = error
            }
            children.spawned.withLock { $0 = spawned }
            return nil
        }, box.toOpaque())
        try #require(created == 0)
        pthread_join(thread, nil)
        let spawned = children.spawned.withLock { $0 }
        if let error = spawned.error { throw error }
        let tied = try #require(spawned.tied)
        let control = try #require(spawned.control)
        defer { tied.send(SIGKILL); _ = try? tied.wait() }
        let ended = try control.wait(timeout: .seconds(10))
        #expect(!ended.timedOut && ended.signal == SIGKILL, "the control dies with the thread that spawned it: \(ended)")
        #expect(tied.isRunning, "the child spawned from the spawner thread is still running")
    }

    @Test func aMissingProgramIsNamedNotSetpriv() throws {
        try requireSetpriv()
        #expect {
            try SpawnedProcess.spawn(ProcessOptions(["/nonexistent/envoy", "-c", "x"], diesWithParent: true))
        } throws: { error in
            let message = (error as? ProcessError)?.description ?? ""
            return message.contains("cannot run /nonexistent/envoy") && (error as? ProcessError)?.code == ENOENT
        }
    }

    @Test func outputRedirectionsAndStatusWorkAsWithoutTheOption() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-pdeath-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = "\(directory)/log"
        try Data("before\n".utf8).write(to: URL(fileURLWithPath: log))
        // Several at once from concurrent tasks: each gets its own result from the one spawner thread.
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for code in 1...4 {
                group.addTask {
                    let child = try SpawnedProcess.spawn(
                        ProcessOptions(
                            ["sh", "-c", "echo out \(code); echo err \(code) >&2; exit \(code)"],
                            standardOutput: .file(log, append: true), standardError: .standardOutput, diesWithParent: true))
                    return try await child.exit(timeout: .seconds(10)).shellStatus
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.sorted() == [1, 2, 3, 4])
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.hasPrefix("before\n"))
        for code in 1...4 { #expect(text.contains("out \(code)\n") && text.contains("err \(code)\n"), "\(text)") }
    }
}

/// Waits (up to 5 s) until `pid` runs `program` (its `/proc/PID/cmdline` starts with it), i.e. has passed its exec.
private func waitUntilRunning(_ program: String, pid: pid_t) {
    let deadline = ContinuousClock.now + .seconds(5)
    while ContinuousClock.now < deadline {
        if let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
            line.starts(with: Data(program.utf8) + [0])
        {
            return
        }
        usleep(1_000)
    }
}
