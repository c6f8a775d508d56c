import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimLab
import Testing

/// The headline: the real `meshtrim` TUI in tmux on a lab with a real Envoy — namespace, egress editor, common fix,
/// YAML preview, `a`, `y` — trims the real Envoy to exactly the predicted cluster count, its allocated memory falls,
/// and the estimate shown before applying is within 20 % of what Envoy allocates after.
@Suite(.timeLimit(.minutes(3)))
struct ApplyUITests {
    /// `60Mi`, `12.3Mi`, `980Ki` as bytes.
    static func bytes(_ text: String) -> Int? {
        let units: [(String, Double)] = [("Gi", 1_073_741_824), ("Mi", 1_048_576), ("Ki", 1024), ("B", 1)]
        for (unit, size) in units where text.hasSuffix(unit) {
            guard let number = Double(text.dropLast(unit.count)) else { return nil }
            return Int(number * size)
        }
        return nil
    }

    /// The first match of `pattern`'s capture groups in `text`.
    static func captures(_ pattern: String, in text: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        return (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
    }

    @Test(.enabled(if: shouldRunTests(needing: "tmux")))
    func applyingThroughTheTUIShrinksTheRealEnvoyAsPredicted() async throws {
        try requireTool("tmux")
        try requireTool("kubectl")
        let directory = try makeTemporaryDirectory("meshtrim-apply-ui")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let manifests = "\(directory)/mesh.yaml"
        try write(shopWithCatalogs(namespaces: 5, servicesPerNamespace: 100), to: manifests)

        // The engine's prediction for the common fix, from the same manifests the lab reads.
        let scenario = try LabScenario.load(manifests: [manifests], seed: 1)
        let engine = ScopeEngine(inventory: scenario.inventory)
        let pod = try #require(scenario.inventory.pods.first { $0.namespace == "shop" && $0.hasSidecar })
        let fix = SidecarManifest(namespace: "shop", hosts: ["./*", "\(scenario.inventory.istiodNamespace)/*"])
        let predictedBefore = engine.scope(for: pod).clusters.count
        let predictedAfter = engine.scope(for: pod, candidate: fix.sidecar).clusters.count
        #expect(predictedBefore > 1_000)

        try await withLab(["--manifests", manifests], envoy: true) { lab in
            func sample() throws -> EnvoySample { try lab.envoySample(namespace: "shop", pod: pod.name) }
            let before = try sample()
            #expect(before.clusters == predictedBefore)

            // Once the sidecars are observed, the estimate uses Envoy's own counts.
            let tmux = try await Self.openPreview(
                lab, arguments: "", directory: lab.directory, width: 200, height: 50,
                ready: [("context meshtrim-lab (", .seconds(45)), ("sidecars observed", .seconds(60))])
            defer { tmux.close() }
            let preview = try tmux.screen()
            let estimate = try #require(
                Self.captures(#"Clusters ([\d,]+) → ([\d,]+) .*Envoy memory ([0-9.]+(?:Ki|Mi|Gi|B)) → ~([0-9.]+(?:Ki|Mi|Gi|B))"#, in: preview), "\(preview)")
            #expect(Int(estimate[0].replacingOccurrences(of: ",", with: "")) == before.clusters, "the screen shows Envoy's own count")
            #expect(Int(estimate[1].replacingOccurrences(of: ",", with: "")) == predictedAfter, "the screen shows the engine's prediction")
            let estimatedAfter = try #require(Self.bytes(estimate[3]), "\(estimate)")

            // a: the check against the cluster, Cancel chosen; y applies.
            try tmux.press("a")
            try await tmux.wait(for: "✓ server-side dry-run: the API server accepts it")
            let check = try tmux.screen()
            #expect(check.contains("✓ RBAC: create and patch on sidecars in shop allowed"), "\(check)")
            #expect(check.contains("1 pod will get the new config: \(pod.name)"))
            #expect(check.contains("[ Cancel ]") && check.contains("enter cancels"))
            #expect(try sample().clusters == before.clusters, "the check changed the Envoy")
            try tmux.press("y")
            try await tmux.wait(for: "✓ applied Sidecar shop/default (created, field manager meshtrim)")

            // Envoy drops the clusters on the next push; server.memory_allocated follows on its stats flush (5 s).
            let after = try await lab.envoySampleAfterTrim(namespace: "shop", pod: pod.name, clusters: predictedAfter, before: before)
            #expect(after.clusters == predictedAfter)
            #expect(after.allocated < before.allocated)
            let error = abs(Double(estimatedAfter - after.allocated)) / Double(after.allocated)
            print(
                "apply through the TUI: active clusters \(before.clusters) → \(after.clusters) (predicted \(predictedAfter)); "
                    + "allocated \(before.allocated) → \(after.allocated) bytes; estimate before applying \(estimate[3]) "
                    + "(\(estimatedAfter) bytes, \(String(format: "%.1f", error * 100)) % off)")
            #expect(error <= 0.20, "estimate \(estimatedAfter) vs measured \(after.allocated)")

            // The cluster holds the Sidecar as field manager meshtrim.
            let stored = try lab.kubectl(["get", "sidecars.networking.istio.io", "-n", "shop", "default", "-o", "json", "--show-managed-fields"])
            #expect(stored.stdout.contains("\"manager\": \"meshtrim\""), "\(stored.stdout)")
            try tmux.press("q")
        }
    }

    /// Opens the YAML preview of the common fix for `shop` in a TUI running `arguments` on the lab: waits for each
    /// `ready` text in turn, then namespaces → shop (filtered) → egress editor → common fix → YAML preview.
    static func openPreview(
        _ lab: LabRun, arguments: String, directory: String, width: Int = 160, height: Int = 45,
        ready: [(text: String, timeout: Duration)] = [("payments", .seconds(45))]
    ) async throws -> TmuxScreen {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tmux = try TmuxScreen(
            command: "KUBECONFIG=\(lab.kubeconfig) \(try meshtrimBinaryPath()) \(arguments)", directory: directory, width: width,
            height: height)
        for (text, timeout) in ready { try await tmux.wait(for: text, timeout: timeout) }
        try tmux.press("/")
        try tmux.type("shop")
        try tmux.press("Enter")
        try tmux.press("e")
        try await tmux.wait(for: "egress shop")
        try tmux.press("1")
        try tmux.press("y")
        try await tmux.wait(for: "VALIDATION")
        return tmux
    }

    @Test(.enabled(if: shouldRunTests(needing: "tmux")))
    func forbiddenConflictAndReadOnlyInTheTUIChangeNothing() async throws {
        try requireTool("tmux")
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            // 403: the read-only viewer. RBAC says no, the dry-run is not sent, y is refused.
            let viewer = try await Self.openPreview(lab, arguments: "--context meshtrim-lab-viewer", directory: "\(lab.directory)/viewer")
            defer { viewer.close() }
            try viewer.press("a")
            try await viewer.wait(for: "✗ RBAC: user \"viewer\" in context \"meshtrim-lab-viewer\" may not patch sidecars")
            try await viewer.wait(for: "cannot apply (see above)")
            try viewer.press("y")
            try await viewer.wait(for: "cannot apply: user \"viewer\"")
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "default") == nil)
            try viewer.press("q")

            // 409: another manager created the Sidecar; the dry-run's conflict is shown, y is refused.
            let other = "\(lab.directory)/other.yaml"
            try write(ApplyTests.shopSidecar.replacingOccurrences(of: "- ./*", with: "- '*/*'"), to: other)
            let created = try lab.kubectl(["create", "-f", other])
            #expect(created.exitCode == 0, "\(created.stderr)")
            let before = try #require(try ApplyCommandTests.sidecar(lab, "shop", "default"))
            let admin = try await Self.openPreview(lab, arguments: "", directory: "\(lab.directory)/admin")
            defer { admin.close() }
            try admin.press("a")
            try await admin.wait(for: "✗ server-side dry-run: field-manager conflict on Sidecar shop/default (409)")
            let conflictScreen = try admin.screen()
            #expect(conflictScreen.contains("conflict with \"kubectl-create\""), "\(conflictScreen)")
            try admin.press("y")
            try await admin.wait(for: "cannot apply: field-manager conflict")
            try admin.press("Tab")
            try admin.press("Enter")
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "default") == before, "the conflict changed the Sidecar")
            try admin.press("q")

            // --read-only: no a in the hint bar, and a is refused.
            let readOnly = try await Self.openPreview(lab, arguments: "--read-only", directory: "\(lab.directory)/readonly")
            defer { readOnly.close() }
            #expect(try !readOnly.screen().contains("a apply"))
            #expect(try readOnly.screen().contains("d diff"))
            try readOnly.press("a")
            try await readOnly.wait(for: "read-only: apply")
            #expect(try !readOnly.screen().contains("checking: RBAC"))
            try readOnly.press("q")
        }
    }
}
