import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimKube
import Testing

/// `meshtrim validate --cluster` on the lab: the safety checks read the live inventory (docs/safety-checks.md).
@Suite(.timeLimit(.minutes(3)))
struct ValidateClusterTests {
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func validateAgainstTheLiveCluster() async throws {
        try await withLab(ObservationTests.mesh, envoy: false) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let inventory = try await session.loadInventory().inventory
            await session.shutdown()
            let namespace = try #require(inventory.pods.first(where: \.hasSidecar)?.namespace)
            let clashing = inventory.sidecars.first { $0.meta.namespace == namespace && $0.workloadSelector == nil }
            let file = "\(lab.directory)/sidecar.yaml"
            try """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata:
                  name: meshtrim-check
                  namespace: \(namespace)
                spec:
                  egress:
                  - hosts: ["./*"]
                """.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try runProcess(
                [try meshtrimBinaryPath(), "validate", file, "--cluster"], environment: ["KUBECONFIG": lab.kubeconfig],
                timeout: .seconds(90))
            let lines = result.stdout.split(separator: "\n").map(String.init)
            let prefix = "\(file): Sidecar \(namespace)/meshtrim-check: "
            #expect(lines.contains { $0.hasPrefix(prefix + "warning [MT0002]: does not import the istiod namespace") }, "\(lines)")
            // A namespace that already has a selector-less Sidecar gets a second one: IST0111, exit 1.
            #expect(lines.contains { $0.hasPrefix(prefix + "error [IST0111]") } == (clashing != nil), "\(lines)")
            #expect(result.exitCode == (clashing != nil ? 1 : 0), "\(result.stdout)\(result.stderr)")
            #expect(lines.contains { $0.hasPrefix("checked against ") && $0.hasSuffix("in the mesh") })
            // Without files: the live mesh's own Sidecars, like istioctl analyze; the generated mesh has no conflicts.
            let lint = try runProcess(
                [try meshtrimBinaryPath(), "validate", "--cluster"], environment: ["KUBECONFIG": lab.kubeconfig], timeout: .seconds(90))
            #expect(lint.exitCode == 0, "\(lint.stdout)\(lint.stderr)")
            let summary = try #require(lint.stdout.split(separator: "\n").last.map(String.init))
            #expect(summary.hasPrefix("\(inventory.sidecars.count) Sidecar"), "\(lint.stdout)")
            #expect(summary.contains(" checked, 0 errors, "), "\(lint.stdout)")
        }
    }
}
