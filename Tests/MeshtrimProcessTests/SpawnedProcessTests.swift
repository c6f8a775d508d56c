import Foundation
import MeshtrimProcess
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The spawner against real `/bin/sh` children: every option is checked by what the child saw or did.
@Suite struct SpawnedProcessTests {
    @Test func exitCodesSignalsAndOutputAreReportedAsAShellWould() throws {
        let ok = try CapturedRun.run(["sh", "-c", "printf out; printf err >&2; exit 3"])
        #expect(ok.exitCode == 3)
        #expect(ok.termination.exitCode == 3 && ok.termination.signal == nil)
        #expect(ok.stdout == "out" && ok.stderr == "err")
        #expect(ok.termination.description == "with status 3")

        let killed = try CapturedRun.run(["sh", "-c", "kill -TERM $$"])
        #expect(killed.termination.signal == SIGTERM)
        #expect(killed.exitCode == 128 + SIGTERM)
        #expect(killed.termination.description == "by signal 15 (SIGTERM)")
    }

    @Test func inputEnvironmentAndWorkingDirectoryReachTheChild() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-process-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try CapturedRun.run(
            ["sh", "-c", "cat; echo \" $MESHTRIM_PROCESS_TEST ${HOME:-nohome} $(pwd)\""], input: "in",
            environment: .inherit(changing: ["MESHTRIM_PROCESS_TEST": "set", "HOME": nil]), workingDirectory: directory)
        let resolved = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        #expect(run.stdout == "in set nohome \(resolved)\n")

        let exact = try CapturedRun.run(["/usr/bin/env"], environment: .exactly(["ONLY": "this"]))
        #expect(exact.stdout == "ONLY=this\n")
    }

    @Test func aTimeoutKillsTheWholeGroupAndThrows() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-grandchild-\(UUID().uuidString.prefix(8))").path
        let start = ContinuousClock.now
        #expect(throws: ProcessError.self) {
            // The grandchild would write the marker after 1 s unless the group is killed with its parent.
            try CapturedRun.run(["sh", "-c", "(sleep 1; touch \(marker)) & sleep 30"], timeout: .milliseconds(200))
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        Thread.sleep(forTimeInterval: 1.5)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func graceSendsSigtermFirstAndSigkillAfter() throws {
        let polite = try SpawnedProcess.spawn(ProcessOptions(["sh", "-c", "sleep 30"], standardOutput: .null))
        let ended = try polite.wait(timeout: .milliseconds(100), grace: .seconds(5))
        #expect(ended.timedOut && ended.signal == SIGTERM)

        let stubborn = try SpawnedProcess.spawn(
            ProcessOptions(["sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"], standardOutput: .null))
        let killed = try stubborn.wait(timeout: .milliseconds(100), grace: .milliseconds(300))
        #expect(killed.timedOut && killed.signal == SIGKILL)
    }

    @Test func groupsAreOwnOrTheCallers() throws {
        let own = try CapturedRun.run(["sh", "-c", "ps -o pgid= -p $$"], group: .own)
        let caller = try CapturedRun.run(["sh", "-c", "ps -o pgid= -p $$"], group: .caller)
        #expect(Int32(caller.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == getpgrp())
        #expect(Int32(own.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != getpgrp())
    }

    @Test func pipesCarryOutputAndTheAsyncWaitReportsIt() async throws {
        let child = try SpawnedProcess.spawn(
            ProcessOptions(["sh", "-c", "head -c 200000 /dev/zero; echo done >&2"], standardOutput: .pipe, standardError: .pipe))
        async let output = SpawnedProcess.readToEnd(child.standardOutput)
        async let errors = SpawnedProcess.readToEnd(child.standardError)
        let ended = try await child.exit(timeout: .seconds(10))
        #expect(await output.count == 200_000)
        #expect(await errors == Data("done\n".utf8))
        #expect(ended.succeeded && !ended.timedOut)
    }

    @Test func peakMemoryComesFromWait4() throws {
        // dd allocates its 48 MiB block buffer and touches it, so its peak RSS must exceed 48 MiB. (Not compared
        // with a small child: Linux records the spawner's own high-water mark at exec, because posix_spawn's child
        // shares the parent's memory until then, so a small child reads as large as the test runner.)
        let run = try CapturedRun.run(["dd", "if=/dev/zero", "of=/dev/null", "bs=48M", "count=1"])
        #expect(run.exitCode == 0)
        #expect(run.termination.peakResidentBytes > 48 * 1024 * 1024)
    }

    @Test func theSampledHighWaterMarkIsTheChildProgramsOwn() throws {
        /// The largest VmHWM seen while `arguments` runs.
        func sampledPeak(_ arguments: [String]) throws -> Int {
            let child = try SpawnedProcess.spawn(ProcessOptions(arguments, standardOutput: .null, standardError: .null))
            var peak = 0
            while try child.poll() == nil {
                peak = max(peak, child.residentHighWaterBytes() ?? 0)
                usleep(1_000)
            }
            #expect(child.residentHighWaterBytes() == nil, "nothing to read once the child is reaped")
            return peak
        }
        // A small program reads small, though this test runner is over 100 MB (wait4 would say the runner's size) ...
        let small = try sampledPeak(["sleep", "0.3"])
        #expect(small > 0 && small < 16 * 1024 * 1024, "\(small)")
        // ... and a large one reads large: dd's 48 MiB buffer, kept for the time it copies 1.4 GB of zeros.
        let large = try sampledPeak(["dd", "if=/dev/zero", "of=/dev/null", "bs=48M", "count=30"])
        #expect(large > 48 * 1024 * 1024, "\(large)")
    }

    @Test func aMissingProgramSaysWhatToCheck() {
        #expect {
            try CapturedRun.run(["meshtrim-no-such-program"])
        } throws: { error in
            let message = (error as? ProcessError)?.description ?? ""
            return message.contains("cannot run meshtrim-no-such-program") && message.contains("on PATH")
        }
    }
}
