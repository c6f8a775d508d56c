import Foundation
import MeshtrimKube
import MeshtrimTestSupport
import Testing

/// `meshtrim apply` when the cluster misbehaves (the lab's deterministic faults): a safety check that cannot run
/// refuses like one that finds an error, reads are retried first, and a file is checked whole before anything is
/// sent, ending with a summary.
@Suite(.timeLimit(.minutes(4)))
struct ApplyFaultCommandTests {
    static func shopFile(_ lab: LabRun) throws -> String {
        let file = "\(lab.directory)/shop.yaml"
        try write(ApplyTests.shopSidecar, to: file)
        return file
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func safetyChecksThatCannotRunRefuseUnlessIgnored() async throws {
        try requireTool("kubectl")
        // The namespace list fails 5 times (503): the first run's three tries all fail; the second run's third works.
        try await withLab(ApplyTests.lab + ["--fault", "fail-first=5:GET:namespaces"], envoy: false) { lab in
            let file = try Self.shopFile(lab)
            let refused = try ApplyCommandTests.meshtrim(["apply", "-f", file, "--yes"], lab: lab)
            #expect(refused.exitCode == 1, "\(refused.stdout)\n\(refused.stderr)")
            #expect(refused.stdout.contains("✗ safety: the checks could not run"), "\(refused.stdout)")
            #expect(refused.stderr.contains("the safety checks could not run"), "\(refused.stderr)")
            #expect(refused.stdout.contains("✗ Sidecar shop/default: not applied: the safety checks could not run"), "\(refused.stdout)")
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "default") == nil, "applied without its safety checks")

            let retried = try ApplyCommandTests.meshtrim(["apply", "-f", file, "--yes"], lab: lab)
            #expect(retried.exitCode == 0, "\(retried.stdout)\n\(retried.stderr)")
            #expect(!retried.stdout.contains("could not run"), "\(retried.stdout)")
            #expect(retried.stdout.contains("✓ Sidecar shop/default created"), "\(retried.stdout)")
        }
        // With --ignore-safety the person accepts applying without them; it is said.
        try await withLab(ApplyTests.lab + ["--fault", "fail-first=100:GET:namespaces"], envoy: false) { lab in
            let file = try Self.shopFile(lab)
            let forced = try ApplyCommandTests.meshtrim(["apply", "-f", file, "--yes", "--ignore-safety"], lab: lab)
            #expect(forced.exitCode == 0, "\(forced.stdout)\n\(forced.stderr)")
            #expect(forced.stdout.contains("! safety: the checks could not run"), "\(forced.stdout)")
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "default") != nil)
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func everyDocumentIsCheckedBeforeTheFirstIsSent() async throws {
        try requireTool("kubectl")
        // The dry-run is refused once (503) and retried; the second document is invalid (422): nothing is applied.
        try await withLab(ApplyTests.lab + ["--fault", "fail-first=1:dry-run:sidecars"], envoy: false) { lab in
            let file = "\(lab.directory)/mixed.yaml"
            let invalidSecond = ApplyCommandTests.twoSidecars.replacingOccurrences(of: "hosts: [\"./*\"]", with: "hosts: [\"web\"]")
            #expect(invalidSecond != ApplyCommandTests.twoSidecars)
            try write(invalidSecond, to: file)
            let paymentsBefore = try #require(try ApplyCommandTests.sidecar(lab, "payments", "default"))
            let result = try ApplyCommandTests.meshtrim(["apply", "-f", file, "--yes", "--no-safety-checks"], lab: lab)
            #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("✓ server-side dry-run: the API server accepts it"), "the retried dry-run: \(result.stdout)")
            #expect(result.stdout.contains("== Summary"), "\(result.stdout)")
            #expect(result.stdout.contains("✗ Sidecar shop/default: not applied: not sent, since another document of the file was refused"))
            #expect(result.stdout.contains("✗ Sidecar payments/default: not applied: the API server rejected"), "\(result.stdout)")
            #expect(result.stdout.contains("0 of 2 applied"))
            #expect(try ApplyCommandTests.sidecar(lab, "shop", "default") == nil, "sent before every document was checked")
            #expect(try ApplyCommandTests.sidecar(lab, "payments", "default") == paymentsBefore)

            // Both valid: both applied, and the summary says so.
            try write(ApplyCommandTests.twoSidecars, to: file)
            let applied = try ApplyCommandTests.meshtrim(["apply", "-f", file, "--yes", "--no-safety-checks"], lab: lab)
            #expect(applied.exitCode == 0, "\(applied.stdout)\n\(applied.stderr)")
            #expect(applied.stdout.contains("✓ Sidecar shop/default: created"), "\(applied.stdout)")
            #expect(applied.stdout.contains("✓ Sidecar payments/default: configured"))
            #expect(applied.stdout.contains("2 of 2 applied, 0 unchanged, 0 not applied"))
        }
    }
}
