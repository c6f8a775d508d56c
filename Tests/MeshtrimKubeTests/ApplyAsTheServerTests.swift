import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimTestSupport
import Testing

/// The apply preview as the API server will do it (issue #16 items 5 and 7): the diff is the server-side dry-run's
/// object against the live one, so fields other managers own stay as they are; a conflict on `spec.egress` with
/// another manager is the 409 before anyone confirms; and an Istio before 1.22 gets its Sidecar in the version it
/// serves.
@Suite(.timeLimit(.minutes(3)))
struct ApplyAsTheServerTests {
    static let payments = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: payments
        spec:
          egress:
          - hosts:
            - ./*

        """

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func theDiffKeepsFieldsOtherManagersOwn() async throws {
        try await withLab(ApplyTests.lab, envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            // Argo CD adds a label with its own server-side apply; meshtrim's document does not mention it.
            let label = #"{"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"default","namespace":"payments","labels":{"argocd.argoproj.io/instance":"payments"}}}"#
            _ = try await client.send(
                "PATCH", "/apis/networking.istio.io/v1/namespaces/payments/sidecars/default", query: [("fieldManager", "argocd-controller")],
                body: Data(label.utf8), contentType: "application/apply-patch+yaml")
            let document = try ApplyTests.document(Self.payments)
            let check = await SidecarApplier(client: client).check(document)
            #expect(check.dryRun == .accepted(created: false))
            #expect(check.diffSource == .dryRun)
            let text = check.diff.map { "\($0)" }.joined(separator: "\n")
            #expect(check.diff.contains(.removed("    - istio-system/*")), "\(text)")
            #expect(!text.contains("argocd"), "the label stays, so the diff does not show it:\n\(text)")
            let againstDocument = ApplyDiff.diff(live: try await ApplyTests.live(client, "payments", "default"), document: document)
            #expect(againstDocument.contains(.removed("    argocd.argoproj.io/instance: payments")), "against the document alone it looks removed")
            let report = ApplyReport.lines(for: check).map(\.text)
            #expect(report.contains("DIFF against the live object, as the API server will apply it"), "\(report)")

            _ = try await SidecarApplier(client: client).apply(document)
            let after = try #require(try await ApplyTests.live(client, "payments", "default"))
            #expect(after.contains("argocd.argoproj.io/instance"), "the apply kept Argo CD's label")
            #expect(await SidecarApplier(client: client).check(document).isUnchanged)
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aConflictOnSpecEgressIsThe409BeforeConfirming() async throws {
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab + ["--sidecar-manager", "argocd-controller"], envoy: false) { lab in
            let file = "\(lab.directory)/payments.yaml"
            try Self.payments.write(toFile: file, atomically: true, encoding: .utf8)
            let before = try #require(try ApplyCommandTests.sidecar(lab, "payments", "default"))
            // Without --yes or --dry-run on a terminal meshtrim would ask; the check comes first and refuses.
            let dryRun = try ApplyCommandTests.meshtrim(["apply", "-f", file, "--dry-run"], lab: lab)
            #expect(dryRun.exitCode != 0)
            #expect(
                dryRun.stdout.contains(
                    #"✗ server-side dry-run: field-manager conflict on Sidecar payments/default (409): Apply failed with 1 conflict: conflict with "argocd-controller": .spec.egress"#),
                "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("--force-conflicts"))
            #expect(try ApplyCommandTests.sidecar(lab, "payments", "default") == before)

            let forced = try ApplyCommandTests.meshtrim(["apply", "-f", file, "--yes", "--force-conflicts"], lab: lab)
            #expect(forced.exitCode == 0, "\(forced.stdout)\n\(forced.stderr)")
            let after = try #require(try ApplyCommandTests.sidecar(lab, "payments", "default"))
            #expect(!after.contains("istio-system/*"))
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func anIstioBefore1_22GetsTheVersionItServes() async throws {
        try requireTool("kubectl")
        try await withLab(ApplyTests.lab + ["--istio-api-versions", "v1beta1,v1alpha3"], envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let document = try ApplyTests.document(ApplyTests.shopSidecar)
            let applier = SidecarApplier(client: client)
            let check = await applier.check(document)
            #expect(check.dryRun == .accepted(created: true), "\(check.dryRun)")
            #expect(check.notes.contains { $0.contains("serves networking.istio.io/v1beta1, networking.istio.io/v1alpha3, not networking.istio.io/v1") }, "\(check.notes)")
            #expect(check.pods.count == 2, "the pods are found through the served version: \(check.notes)")
            let result = try await applier.apply(document)
            #expect(result.created)
            #expect(result.document == document)
            let fetched = try lab.kubectl(["get", "sidecars.v1beta1.networking.istio.io", "default", "-n", "shop", "-o", "jsonpath={.apiVersion} {.spec.egress[0].hosts}"])
            #expect(fetched.stdout.contains("networking.istio.io/v1beta1"), "\(fetched.stdout) \(fetched.stderr)")
            #expect(fetched.stdout.contains("istio-system/*"))
            #expect(await applier.check(document).isUnchanged)
            await client.shutdown()
        }
    }

    /// The plan and the recommendation read from an Istio before 1.22 are written in the version it serves, so their
    /// files apply there as they are: no conversion, no note, and the live Sidecars say v1beta1 (the TUI's preview
    /// takes the same version from the inventory: ServedAPIVersionEditorTests).
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aPlanFromAnIstioBefore1_22IsWrittenInTheVersionItServes() async throws {
        try requireTool("kubectl")
        let served = "networking.istio.io/v1beta1"
        try await withLab(ApplyTests.lab + ["--istio-api-versions", "v1beta1,v1alpha3"], envoy: false) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let inventory = try await session.loadInventory().inventory
            await session.shutdown()
            #expect(inventory.servedSidecarAPIVersion == served)

            // Without Envoys no sidecar can be read: --allow-partial plans from the inventory alone.
            let plan = "\(lab.directory)/plan"
            let written = try RecommendTests.meshtrim(["plan", "--per-workload", "--allow-partial", "--out", plan], lab: lab)
            try #require(written.exitCode == 0, "\(written.stdout)\n\(written.stderr)")
            let files = try FileManager.default.subpathsOfDirectory(atPath: plan).filter { $0.hasPrefix("wave-") && $0.hasSuffix(".yaml") }
            try #require(files.count >= 2, "\(files)")
            for file in files {
                let text = try String(contentsOfFile: "\(plan)/\(file)", encoding: .utf8)
                #expect(text.contains("\napiVersion: \(served)\n") || text.hasPrefix("apiVersion: \(served)\n"), "\(file):\n\(text)")
                #expect(!text.contains("apiVersion: networking.istio.io/v1\n"), "\(file):\n\(text)")
            }

            let applied = try RecommendTests.meshtrim(["apply", "-f", plan, "--yes"], lab: lab)
            #expect(applied.exitCode == 0, "\(applied.stdout)\n\(applied.stderr)")
            #expect(!applied.stdout.contains("Istio before 1.22"), "nothing to convert:\n\(applied.stdout)")
            let fetched = try lab.kubectl(["get", "sidecars.v1beta1.networking.istio.io", "-n", "istio-system", "default", "-o", "jsonpath={.apiVersion}"])
            #expect(fetched.stdout == served, "\(fetched.stdout) \(fetched.stderr)")

            let recommended = try RecommendTests.meshtrim(["recommend", "-n", "shop", "--allow-partial"], lab: lab)
            #expect(recommended.exitCode == 0, "\(recommended.stdout)\n\(recommended.stderr)")
            #expect(recommended.stdout.contains("apiVersion: \(served)\n"), "\(recommended.stdout)")
        }
    }
}
