import Foundation
import MeshtrimTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A lab that dies without a chance to stop its Envoys (SIGKILL) still takes them with it: each Envoy is started with
/// `ProcessOptions.diesWithParent`, so Linux kills it when the lab goes.
@Suite(.enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(3)))
struct LabKilledTests {
    /// The pids of processes whose command line names `pattern`.
    private func pids(matching pattern: String) throws -> [pid_t] {
        try runProcess(["pgrep", "-f", pattern]).stdout.split(separator: "\n").compactMap { pid_t($0) }
    }

    @Test func aLabKilledWithSigkillTakesItsEnvoysWithIt() async throws {
        let envoy = try requireEnvoy()
        let lab = try LabProcess()
        try await lab.start(["--manifests", KubectlAgainstLabTests.fixture], envoy: envoy)
        let pattern = "\(lab.stateDirectory)/envoy"
        let envoys = try pids(matching: pattern)
        try #require(!envoys.isEmpty, "the lab started no Envoy:\n\(lab.log)")
        let process = try #require(lab.process)
        // The lab alone: its Envoys run in process groups of their own, so this signal does not reach them.
        kill(process.pid, SIGKILL)
        let ended = try await process.exit(timeout: .seconds(10))
        #expect(ended.signal == SIGKILL, "\(ended)")
        let deadline = ContinuousClock.now + .seconds(10)
        var survivors = try pids(matching: pattern)
        while !survivors.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            survivors = try pids(matching: pattern)
        }
        #expect(survivors.isEmpty, "Envoys outlived the killed lab: \(survivors)")
        for pid in survivors { kill(pid, SIGKILL) }  // this test's lab's Envoys only
        try await lab.stop()
    }
}
