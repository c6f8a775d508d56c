import Foundation
import MeshtrimTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The lab as a process: a generated scenario, a crashed Envoy brought back, injected faults.
@Suite(.enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(3)))
struct LabLifecycleTests {
    /// One Envoy of `/lab/status`.
    struct Envoy: Decodable, Sendable {
        var id: String
        var pid: Int?
        var restarts: Int
    }

    /// `/lab/status`.
    private func status(_ lab: LabProcess) throws -> [Envoy] {
        struct Status: Decodable { var envoys: [Envoy] }
        let raw = try lab.kubectl(["get", "--raw", "/lab/status"])
        return try JSONDecoder().decode(Status.self, from: Data(raw.stdout.utf8)).envoys
    }

    @Test func restartsACrashedEnvoyAndReportsIt() async throws {
        try await withLab(["--manifests", KubectlAgainstLabTests.fixture], needsEnvoy: true) { lab in
            try await crashAndRecover(lab)
        }
    }

    private func crashAndRecover(_ lab: LabProcess) async throws {
        guard let victim = try status(lab).first(where: { $0.id.hasPrefix("shop--") }), let pid = victim.pid else {
            throw LabTestError("no running Envoy for shop in /lab/status")
        }
        kill(pid_t(pid), SIGKILL)  // an Envoy this test's lab started
        let deadline = ContinuousClock.now + .seconds(30)
        var restarted = false
        while !restarted && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            restarted = try status(lab).contains { $0.id == victim.id && $0.restarts == 1 && $0.pid != nil && $0.pid != pid }
        }
        #expect(restarted, "the Envoy was not restarted:\n\(lab.log)")
        #expect(lab.log.contains("exited with status 137; restarting it"))
        let stats = try lab.kubectl(["get", "--raw", "/api/v1/namespaces/shop/pods/web-5c6b8d7f9-x2x7q:15090/proxy/stats/prometheus"])
        #expect(stats.exitCode == 0 && stats.stdout.contains("envoy_cluster_manager_active_clusters"), "\(stats.stderr)")
    }

    @Test func generatesAScenarioWithTrafficAndIstiod() async throws {
        try await withLab(["--namespaces", "4", "--services", "12", "--pods", "10", "--seed", "7"], needsEnvoy: false) { lab in
            let pods = try lab.kubectl(["get", "pods", "-n", "istio-system", "-o", "name"])
            #expect(pods.stdout.contains("pod/istiod-"), "\(pods.stdout)")
            let services = try lab.kubectl(["get", "svc", "-n", "istio-system", "-o", "name"])
            #expect(services.stdout.contains("service/istiod"))
            let config = try lab.kubectl(["get", "configmap", "istio", "-n", "istio-system", "-o", "jsonpath={.data.mesh}"])
            #expect(config.stdout.contains("rootNamespace: istio-system"))
            #expect(lab.log.contains("from the generator"))
        }
    }

    @Test func injectsFaultsOnRequest() async throws {
        try await withLab(["--manifests", KubectlAgainstLabTests.fixture, "--fault", "error-rate=1"], needsEnvoy: false) { lab in
            let failing = try runProcess(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "\(lab.server)/version"])
            #expect(["500", "503"].contains(failing.stdout), "\(failing.stdout)")
        }
        try await withLab(["--manifests", KubectlAgainstLabTests.fixture, "--fault", "truncate-rate=1", "--fault", "latency=300ms"], needsEnvoy: false) { lab in
            let started = ContinuousClock.now
            let cut = try runProcess(["curl", "-sk", "-H", "Authorization: Bearer \(lab.adminToken)", "\(lab.server)/api/v1/pods"])
            #expect(cut.exitCode == 18 || cut.exitCode == 56, "curl exit \(cut.exitCode): the answer was not truncated")
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }
}
