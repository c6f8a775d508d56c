import Foundation
import MeshtrimTestSupport
import MeshtrimKube
import Testing

/// `meshtrim apply -f` as a user runs it against the lab: `--dry-run` changes nothing, no TTY without `--yes`
/// refuses, `--yes` applies as field manager `meshtrim`, non-Sidecar documents and RBAC refusals exit 1.
@Suite(.timeLimit(.minutes(3)))
struct ApplyCommandTests {
    static let twoSidecars = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: shop
        spec:
          egress:
          - hosts: ["./*", "istio-system/*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: payments}
        spec:
          egress:
          - hosts: ["./*"]
        """

    static func meshtrim(_ arguments: [String], lab: LabRun) throws -> ProcessResult {
        try runProcess([try meshtrimBinaryPath()] + arguments, environment: ["KUBECONFIG": lab.kubeconfig], timeout: .seconds(90))
    }

    /// `kubectl get sidecar` as JSON, or `nil` when it does not exist.
    static func sidecar(_ lab: LabRun, _ namespace: String, _ name: String) throws -> String? {
        let result = try lab.kubectl(["get", "sidecars.networking.istio.io", "-n", namespace, name, "-o", "json", "--show-managed-fields"])
        return result.exitCode == 0 ? result.stdout : nil
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func dryRunNoTTYAndYes() async throws {
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            let file = "\(lab.directory)/sidecars.yaml"
            try write(Self.twoSidecars, to: file)
            let paymentsBefore = try #require(try Self.sidecar(lab, "payments", "default"))

            let dryRun = try Self.meshtrim(["apply", "-f", file, "--dry-run"], lab: lab)
            #expect(dryRun.exitCode == 0, "\(dryRun.stderr)")
            #expect(dryRun.stdout.contains("== Sidecar shop/default from \(file):1 (new, will be created)"), "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("✓ RBAC: create and patch on sidecars in shop allowed"))
            #expect(dryRun.stdout.contains("2 pods will get the new config: cart-"))
            #expect(dryRun.stdout.contains("Nothing is restarted"))
            #expect(dryRun.stdout.contains("== Sidecar payments/default from \(file):10 (exists, will be changed)"))
            #expect(dryRun.stdout.contains("-    - istio-system/*"), "the diff against the live payments Sidecar")
            #expect(dryRun.stdout.contains("dry-run: Sidecar payments/default would be updated; nothing was changed"))
            #expect(try Self.sidecar(lab, "shop", "default") == nil)
            #expect(try Self.sidecar(lab, "payments", "default") == paymentsBefore)

            // Standard input is not a terminal (the test's /dev/null): no question can be asked, so nothing happens.
            let noTTY = try Self.meshtrim(["apply", "-f", file], lab: lab)
            #expect(noTTY.exitCode == 1)
            #expect(noTTY.stderr.contains("refusing to apply without a question: standard input is not a terminal"), "\(noTTY.stderr)")
            #expect(noTTY.stderr.contains("add --yes"))
            #expect(try Self.sidecar(lab, "shop", "default") == nil)

            let yes = try Self.meshtrim(["apply", "-f", file, "--yes"], lab: lab)
            #expect(yes.exitCode == 0, "\(yes.stdout)\n\(yes.stderr)")
            #expect(yes.stdout.contains("✓ Sidecar shop/default created (server-side apply, field manager meshtrim"), "\(yes.stdout)")
            #expect(yes.stdout.contains("✓ Sidecar payments/default configured"))
            let shop = try #require(try Self.sidecar(lab, "shop", "default"))
            #expect(shop.contains("\"manager\": \"meshtrim\""), "\(shop)")
            let payments = try #require(try Self.sidecar(lab, "payments", "default"))
            #expect(!payments.contains("istio-system/*"))

            // Applying the same file again changes nothing and says so.
            let again = try Self.meshtrim(["apply", "-f", file, "--yes"], lab: lab)
            #expect(again.exitCode == 0)
            #expect(again.stdout.contains("Sidecar shop/default unchanged: the live object already says this"), "\(again.stdout)")
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "tmux")))
    func onATerminalItAsksAndTheDefaultIsNo() async throws {
        try requireTool("tmux")
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            let file = "\(lab.directory)/shop.yaml"
            try write(ApplyTests.shopSidecar, to: file)
            let command = "KUBECONFIG=\(lab.kubeconfig) \(try meshtrimBinaryPath()) apply -f \(file) --no-safety-checks"
            for (answer, status) in [("", 1), ("y", 0)] {
                let directory = "\(lab.directory)/tty-\(status)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let tmux = try TmuxScreen(command: command, directory: directory)
                defer { tmux.close() }
                try await tmux.wait(for: "Apply Sidecar shop/default? [y/N]")
                #expect(try Self.sidecar(lab, "shop", "default") == nil, "applied before the answer")
                if !answer.isEmpty { try tmux.type(answer) }
                try tmux.press("Enter")
                try await tmux.wait(for: "[exited \(status)]")
                if status == 1 {
                    #expect(try tmux.screen().contains("not applied: Sidecar shop/default was left as it was"))
                    #expect(try Self.sidecar(lab, "shop", "default") == nil)
                } else {
                    #expect(try tmux.screen().contains("✓ Sidecar shop/default created"))
                    #expect(try Self.sidecar(lab, "shop", "default") != nil)
                }
            }
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func refusalsExitOneAndChangeNothing() async throws {
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            // A Deployment in the file: refused with its line before anything is sent.
            let mixed = "\(lab.directory)/mixed.yaml"
            try write(Self.twoSidecars + "\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n", to: mixed)
            let refused = try Self.meshtrim(["apply", "-f", mixed, "--yes"], lab: lab)
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("\(mixed):17: apps/v1 Deployment is not a Sidecar"), "\(refused.stderr)")
            #expect(try Self.sidecar(lab, "shop", "default") == nil)

            // The read-only viewer: RBAC says no before anything is tried.
            let file = "\(lab.directory)/sidecars.yaml"
            try write(Self.twoSidecars, to: file)
            let viewer = try Self.meshtrim(["apply", "-f", file, "--yes", "--context", "meshtrim-lab-viewer"], lab: lab)
            #expect(viewer.exitCode == 1)
            #expect(viewer.stdout.contains("✗ RBAC: user \"viewer\" in context \"meshtrim-lab-viewer\" may not patch sidecars.networking.istio.io in namespace shop"), "\(viewer.stdout)")
            #expect(viewer.stderr.contains("Sidecar shop/default not applied"))
            #expect(viewer.stdout.contains("- server-side dry-run: not run, since RBAC denies the apply"))
            #expect(try Self.sidecar(lab, "shop", "default") == nil)

            // A second namespace-wide Sidecar in payments: the safety checks' error (IST0111) stops --yes.
            let second = "\(lab.directory)/second.yaml"
            try write(
                "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: second, namespace: payments}\n"
                    + "spec:\n  egress:\n  - hosts: [\"./*\", \"istio-system/*\"]\n", to: second)
            let unsafe = try Self.meshtrim(["apply", "-f", second, "--yes"], lab: lab)
            #expect(unsafe.exitCode == 1)
            #expect(unsafe.stdout.contains("✗ safety: Error [IST0111] (Sidecar payments/second)"), "\(unsafe.stdout)")
            #expect(unsafe.stderr.contains("the safety checks found errors"), "\(unsafe.stderr)")
            #expect(try Self.sidecar(lab, "payments", "second") == nil)
            let forced = try Self.meshtrim(["apply", "-f", second, "--yes", "--ignore-safety"], lab: lab)
            #expect(forced.exitCode == 0, "\(forced.stderr)")
            #expect(try Self.sidecar(lab, "payments", "second") != nil)

            // An invalid Sidecar: the API server's validation error, shown by the dry-run.
            let invalid = "\(lab.directory)/invalid.yaml"
            try write(Self.twoSidecars.replacingOccurrences(of: "\"./*\", \"istio-system/*\"", with: "\"web\""), to: invalid)
            let rejected = try Self.meshtrim(["apply", "-f", invalid, "--dry-run"], lab: lab)
            #expect(rejected.exitCode == 1)
            #expect(rejected.stdout.contains("✗ server-side dry-run: the API server rejected Sidecar shop/default (422 Invalid)"), "\(rejected.stdout)")
            #expect(try Self.sidecar(lab, "shop", "default") == nil)
        }
    }
}
