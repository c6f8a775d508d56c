import Foundation
import MeshtrimKube
import MeshtrimTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `meshtrim recommend` when a selected sidecar cannot be read (a stopped Envoy): no Sidecar and exit 1 naming the
/// pods, unless `--allow-partial`, which marks the output as partial in every format.
@Suite(.timeLimit(.minutes(4)))
struct RecommendPartialTests {
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aStoppedEnvoyRefusesUnlessPartialIsAllowed() async throws {
        let namespace = try RecommendTests.busiestNamespace(try RecommendTests.scenario())
        try await withLab(RecommendTests.mesh, envoy: true) { lab in
            let kube = try await KubeClient.connect(try lab.access())
            let envoys = try await ObservationTests.status(kube)
            await kube.shutdown()
            let victim = try #require(envoys.first { $0.namespace == namespace && $0.pid != nil && !$0.pods.isEmpty })
            let pid = try #require(victim.pid)
            // Stopped: its sidecars' reads time out (20 s), so the three runs go at once.
            kill(pid, SIGSTOP)
            defer { kill(pid, SIGCONT) }
            async let refused = Task.detached { try RecommendTests.meshtrim(["recommend", "-n", namespace], lab: lab) }.value
            async let yaml = Task.detached { try RecommendTests.meshtrim(["recommend", "-n", namespace, "--allow-partial"], lab: lab) }.value
            async let json = Task.detached {
                try RecommendTests.meshtrim(["recommend", "-n", namespace, "--allow-partial", "-o", "json"], lab: lab)
            }.value
            let (refusal, partialYAML, partialJSON) = try await (refused, yaml, json)

            #expect(refusal.exitCode == 1, "\(refusal.stdout)\n\(refusal.stderr)")
            #expect(refusal.stdout.isEmpty, "no Sidecar may reach kubectl apply: \(refusal.stdout)")
            #expect(refusal.stderr.contains("could not be read"), "\(refusal.stderr)")
            #expect(refusal.stderr.contains("--allow-partial"))
            for pod in victim.pods { #expect(refusal.stderr.contains("\(namespace)/\(pod)"), "\(pod) not named: \(refusal.stderr)") }

            #expect(partialYAML.exitCode == 0, "\(partialYAML.stderr)")
            let first = try #require(partialYAML.stdout.split(separator: "\n").first)
            #expect(first.hasPrefix("# PARTIAL: \(victim.pods.count) of "), "\(first)")
            #expect(partialYAML.stdout.contains("kind: Sidecar"))

            #expect(partialJSON.exitCode == 0, "\(partialJSON.stderr)")
            struct Partial: Decodable {
                var partial: Bool
                var partialReason: String?
                var unobservedPods: [String]
            }
            let decoded = try JSONDecoder().decode(Partial.self, from: Data(partialJSON.stdout.utf8))
            #expect(decoded.partial)
            #expect(decoded.partialReason?.contains("could not be read") == true)
            #expect(Set(decoded.unobservedPods) == Set(victim.pods))
        }
    }
}
