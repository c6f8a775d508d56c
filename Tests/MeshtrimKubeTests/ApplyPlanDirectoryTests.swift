import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim apply -f DIR` on a directory `meshtrim plan --out DIR` wrote, against the lab: one wave, then all; a
/// wave whose dry-run is refused applies none of its Sidecars and starts no later wave; a directory that is not a
/// plan is refused before anything is sent.
@Suite(.timeLimit(.minutes(4)))
struct ApplyPlanDirectoryTests {
    /// Writes the plan of the lab's fixture (workload Sidecars in wave 1, the mesh-wide default in wave 2).
    static func writePlan(in lab: LabRun) throws -> String {
        let out = "\(lab.directory)/plan"
        let planned = try runProcess(
            [try meshtrimBinaryPath(), "plan", "--manifests", shopFixture, "--per-workload", "--out", out, "-o", "json"],
            timeout: .seconds(60))
        try #require(planned.exitCode == 0, "\(planned.stderr)")
        let kustomization = try String(contentsOfFile: out + "/kustomization.yaml", encoding: .utf8)
        try #require(kustomization.contains("- wave-1/shop-cart.yaml") && kustomization.contains("- wave-2/istio-system-default.yaml"),
            "\(kustomization)")
        return out
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func appliesWaveOneThenTheRest() async throws {
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            let out = try Self.writePlan(in: lab)

            let first = try ApplyCommandTests.meshtrim(["apply", "-f", out, "--wave", "1", "--yes"], lab: lab)
            #expect(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            #expect(first.stdout.contains("Plan directory \(out): wave(s) 1–2, applying wave 1 only (2 Sidecars)"), "\(first.stdout)")
            #expect(first.stdout.contains("=== Wave 1 of 2: 2 Sidecars"))
            #expect(first.stdout.contains("== Sidecar shop/cart from \(out)/wave-1/shop-cart.yaml:2 (new, will be created)"))
            #expect(first.stdout.contains("+  workloadSelector:"), "each Sidecar's diff against the live object")
            #expect(first.stdout.contains("✓ Sidecar shop/web created (server-side apply, field manager meshtrim"))
            #expect(first.stdout.contains("✓ wave 1: applied (shop/cart created, shop/web created)"))
            #expect(first.stdout.contains("next: meshtrim apply -f \(out) --wave 2"))
            #expect(!first.stdout.contains("=== Wave 2"))
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "cart") != nil)
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "web") != nil)
            #expect(try ApplyCommandTests.sidecar(lab, "istio-system", "default") == nil, "wave 2 was not applied")

            let all = try ApplyCommandTests.meshtrim(["apply", "-f", out, "--yes"], lab: lab)
            #expect(all.exitCode == 0, "\(all.stdout)\n\(all.stderr)")
            #expect(all.stdout.contains("Plan directory \(out): wave(s) 1–2, 3 Sidecars, one wave at a time"))
            #expect(all.stdout.contains("Sidecar shop/cart unchanged: the live object already says this"))
            #expect(all.stdout.contains("=== Wave 2 of 2: 1 Sidecar"))
            #expect(all.stdout.contains("✓ Sidecar istio-system/default created"))
            #expect(all.stdout.contains("✓ wave 1: applied (shop/cart unchanged, shop/web unchanged)"))
            #expect(all.stdout.contains("✓ wave 2: applied (istio-system/default created)"))
            let meshDefault = try #require(try ApplyCommandTests.sidecar(lab, "istio-system", "default"))
            #expect(meshDefault.contains("\"manager\": \"meshtrim\""))

            // Without a terminal and without --yes nothing is asked, so nothing is applied.
            let noTTY = try ApplyCommandTests.meshtrim(["apply", "-f", out], lab: lab)
            #expect(noTTY.exitCode == 1)
            #expect(noTTY.stderr.contains("refusing to apply without a question"), "\(noTTY.stderr)")
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aRefusedDryRunStopsTheWaveAndThePlan() async throws {
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            let out = try Self.writePlan(in: lab)
            let web = out + "/wave-1/shop-web.yaml"
            let text = try String(contentsOfFile: web, encoding: .utf8)
            try #require(text.contains("\"istio-system/*\""))
            try write(text.replacingOccurrences(of: "\"istio-system/*\"", with: "web"), to: web)

            let refused = try ApplyCommandTests.meshtrim(["apply", "-f", out, "--yes"], lab: lab)
            #expect(refused.exitCode == 1)
            #expect(
                refused.stdout.contains("✗ server-side dry-run: the API server rejected Sidecar shop/web (422 Invalid)"), "\(refused.stdout)")
            #expect(refused.stdout.contains("✗ Sidecar shop/cart: not applied: not sent, since another Sidecar of wave 1 was refused"))
            #expect(refused.stdout.contains("✗ wave 1: 2 of 2 not applied"))
            #expect(refused.stdout.contains("stopped: Sidecar shop/web of wave 1 was not applied; wave 2 not started"))
            #expect(refused.stdout.contains("nothing was applied"))
            #expect(refused.stdout.contains("go on with: meshtrim apply -f \(out) --wave 1"))
            #expect(!refused.stdout.contains("=== Wave 2"))
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "cart") == nil)
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "web") == nil)
            #expect(try ApplyCommandTests.sidecar(lab, "istio-system", "default") == nil)

            // Wave 2 alone is its own wave: applied, with the note that it expects wave 1.
            let second = try ApplyCommandTests.meshtrim(["apply", "-f", out, "--wave", "2", "--dry-run"], lab: lab)
            #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
            #expect(second.stdout.contains("note: wave 2 expects the earlier waves to be applied"))
            #expect(second.stdout.contains("dry-run: Sidecar istio-system/default would be created; nothing was changed"))
            #expect(try ApplyCommandTests.sidecar(lab, "istio-system", "default") == nil)
        }
    }

    @Test func aDirectoryThatIsNotAPlanIsRefusedBeforeAnythingIsSent() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-notplan-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write(ApplyTests.shopSidecar, to: directory + "/shop.yaml")
        // No cluster: every refusal below comes before meshtrim connects.
        let environment = ["KUBECONFIG": directory + "/no-such-kubeconfig"]
        func apply(_ arguments: [String]) throws -> ProcessResult {
            try runProcess([try meshtrimBinaryPath(), "apply"] + arguments, environment: environment, timeout: .seconds(30))
        }

        let bare = try apply(["-f", directory, "--yes"])
        #expect(bare.exitCode == 1)
        #expect(bare.stderr.contains("\(directory) is not a plan directory: it has no kustomization.yaml"), "\(bare.stderr)")
        #expect(bare.stderr.contains("give -f FILE to apply a Sidecar file"))

        try write("resources:\n- shop.yaml\n", to: directory + "/kustomization.yaml")
        let flat = try apply(["-f", directory, "--yes"])
        #expect(flat.exitCode == 1)
        #expect(flat.stderr.contains("\(directory)/kustomization.yaml:2: resource shop.yaml is not wave-N/FILE.yaml"), "\(flat.stderr)")

        try FileManager.default.createDirectory(atPath: directory + "/wave-1", withIntermediateDirectories: true)
        try write("resources:\n- wave-1/shop.yaml\n- wave-1/gone.yaml\n", to: directory + "/kustomization.yaml")
        try write(ApplyTests.shopSidecar, to: directory + "/wave-1/shop.yaml")
        let noWave = try apply(["-f", directory, "--wave", "2", "--yes"])
        #expect(noWave.exitCode == 1)
        #expect(noWave.stderr.contains("\(directory) has wave(s) 1; there is no wave 2"), "\(noWave.stderr)")
        let missing = try apply(["-f", directory, "--yes"])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("lists wave-1/gone.yaml, which cannot be read"), "\(missing.stderr)")

        let waveOfAFile = try apply(["-f", directory + "/shop.yaml", "--wave", "1", "--yes"])
        #expect(waveOfAFile.exitCode == 1)
        #expect(waveOfAFile.stderr.contains("--wave applies a wave of a plan directory"), "\(waveOfAFile.stderr)")
    }
}

/// On a terminal each wave is one question, default No: yes to wave 1 applies it, no to wave 2 stops with wave 1
/// applied and says so.
@Suite(.timeLimit(.minutes(4)))
struct ApplyPlanDirectoryQuestionTests {
    @Test(.enabled(if: shouldRunTests(needing: "tmux")))
    func eachWaveIsAskedSeparately() async throws {
        try requireTool("tmux")
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            let out = try ApplyPlanDirectoryTests.writePlan(in: lab)
            let command = "KUBECONFIG=\(lab.kubeconfig) \(try meshtrimBinaryPath()) apply -f \(out) --no-safety-checks"
            let tmux = try TmuxScreen(command: command, directory: lab.directory)
            defer { tmux.close() }
            try await tmux.wait(for: "Apply wave 1 (2 Sidecars: shop/cart, shop/web)? [y/N]")
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "cart") == nil, "applied before the answer")
            try tmux.type("y")
            try tmux.press("Enter")
            try await tmux.wait(for: "Apply wave 2 (1 Sidecar: istio-system/default)? [y/N]")
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "cart") != nil)
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "web") != nil)
            try tmux.press("Enter")
            try await tmux.wait(for: "[exited 1]")
            let screen = try tmux.screen()
            #expect(screen.contains("not applied: wave 2 was left as it was"), "\(screen)")
            #expect(screen.contains("applied before the stop: shop/cart created, shop/web created"), "\(screen)")
            #expect(try ApplyCommandTests.sidecar(lab, "istio-system", "default") == nil)
        }
    }
}
