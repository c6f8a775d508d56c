import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimKube
import Testing

/// ``SidecarApplier`` against the lab's API: RBAC first, the diff against the live object, a dry-run that
/// persists nothing, 422/403/409 shown with nothing changed, and server-side apply as field manager `meshtrim`.
@Suite(.timeLimit(.minutes(3)))
struct ApplyTests {
    static let lab = ["--manifests", shopFixture]

    static func document(_ yaml: String) throws -> ApplyDocument {
        let documents = try ApplyDocumentReader.read(yaml, file: "test.yaml", defaultNamespace: "default")
        return try #require(documents.first)
    }

    static let shopSidecar = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: shop
        spec:
          egress:
          - hosts:
            - ./*
            - istio-system/*
        """

    /// The live Sidecar as JSON, `nil` when it does not exist.
    static func live(_ client: KubeClient, _ namespace: String, _ name: String) async throws -> String? {
        do {
            let response = try await client.send("GET", "/apis/networking.istio.io/v1/namespaces/\(namespace)/sidecars/\(name)")
            return String(decoding: response.body, as: UTF8.self)
        } catch let error as KubeError where error.kind == .notFound {
            return nil
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func successAppliesAsFieldManagerMeshtrimAndNamesThePods() async throws {
        try await withLab(Self.lab, envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let applier = SidecarApplier(client: client)
            let document = try Self.document(Self.shopSidecar)
            let check = await applier.check(document)
            #expect(check.exists == false)
            #expect(check.permission == .allowed)
            #expect(check.dryRun == .accepted(created: true))
            #expect(check.mayApply)
            #expect(check.pods.contains(PodKey(namespace: "shop", name: "web-5c6b8d7f9-x2x7q")), "\(check.pods)")
            #expect(check.pods.allSatisfy { $0.namespace == "shop" })
            #expect(check.diff.contains(.added("    - istio-system/*")) || check.diff.contains(.added("      - istio-system/*")), "\(check.diff)")
            #expect(!check.diff.contains { if case .removed = $0 { return true } else { return false } })
            #expect(try await Self.live(client, "shop", "default") == nil, "the dry-run persisted the Sidecar")

            let result = try await applier.apply(document)
            #expect(result.created)
            #expect(result.managers == ["meshtrim"])
            let stored = try #require(try await Self.live(client, "shop", "default"))
            #expect(stored.contains("\"manager\":\"meshtrim\""), "\(stored)")
            #expect(stored.contains("\"operation\":\"Apply\""))

            let again = await applier.check(document)
            #expect(again.exists == true)
            #expect(again.isUnchanged, "\(again.diff)")
            #expect(again.permission == .allowed)
            let lines = ApplyReport.lines(for: again).map(\.text)
            #expect(lines.contains("DIFF: none (the live Sidecar already says this)"))
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func dryRunShowsTheAPIsValidationErrorsAndPersistsNothing() async throws {
        try await withLab(Self.lab, envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let applier = SidecarApplier(client: client)
            let invalid = try Self.document(Self.shopSidecar.replacingOccurrences(of: "- ./*", with: "- web"))
            #expect(invalid.hasErrors, "meshtrim's own validation sees the short name too")
            let check = await applier.check(invalid)
            guard case .rejected(let failure) = check.dryRun else {
                Issue.record("the dry-run accepted an invalid Sidecar: \(check.dryRun)")
                return
            }
            #expect(failure.kind == .invalid)
            #expect(failure.statusCode == 422)
            #expect(failure.message.contains("web"), "\(failure.message)")
            #expect(!check.mayApply)
            #expect(try await Self.live(client, "shop", "default") == nil)
            let lines = ApplyReport.lines(for: check)
            #expect(lines.contains { $0.kind == .error && $0.text.hasPrefix("✗ server-side dry-run: the API server rejected Sidecar shop/default (422 Invalid)") })

            // A real apply of the same document is refused the same way, and still nothing is stored.
            await #expect(throws: ApplyFailure.self) { try await applier.apply(invalid) }
            #expect(try await Self.live(client, "shop", "default") == nil)
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func forbiddenByRBACIsShownAndNothingChanges() async throws {
        try await withLab(Self.lab, envoy: false) { lab in
            let viewer = try await KubeClient.connect(try lab.access(context: "meshtrim-lab-viewer"))
            let admin = try await KubeClient.connect(try lab.access())
            let applier = SidecarApplier(client: viewer)
            let document = try Self.document(Self.shopSidecar)
            let check = await applier.check(document)
            guard case .denied(let reason) = check.permission else {
                Issue.record("RBAC should deny the viewer: \(check.permission)")
                return
            }
            #expect(reason.contains("may not patch sidecars.networking.istio.io in namespace shop"), "\(reason)")
            #expect(!check.mayApply)
            if case .skipped = check.dryRun {} else { Issue.record("the dry-run ran although RBAC denied it: \(check.dryRun)") }
            // Applying anyway gets the API server's 403, with what to ask for.
            do throws(ApplyFailure) {
                _ = try await applier.apply(document)
                Issue.record("the viewer applied a Sidecar")
            } catch {
                #expect(error.kind == .forbidden)
                #expect(error.statusCode == 403)
                #expect(error.description.contains("ask for a Role with get, create and patch on sidecars.networking.istio.io in shop"))
            }
            #expect(try await Self.live(admin, "shop", "default") == nil)
            await viewer.shutdown()
            await admin.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func rbacFaultsUnknownReviewThenA403FromTheDryRun() async throws {
        // Reviews forbidden too: meshtrim cannot ask, so it tries, and the dry-run's 403 is what it shows.
        let faults = ["--fault", "forbid=patch:sidecars", "--fault", "forbid=create:selfsubjectaccessreviews"]
        try await withLab(Self.lab + faults, envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let applier = SidecarApplier(client: client)
            let document = try Self.document(Self.shopSidecar)
            let check = await applier.check(document)
            guard case .unknown(let reason) = check.permission else {
                Issue.record("the review should have been impossible: \(check.permission)")
                return
            }
            #expect(reason.contains("the access review could not be made"), "\(reason)")
            guard case .rejected(let failure) = check.dryRun else {
                Issue.record("the dry-run should be forbidden: \(check.dryRun)")
                return
            }
            #expect(failure.kind == .forbidden)
            #expect(failure.message.contains("may not patch"), "\(failure.message)")
            #expect(!check.mayApply)
            #expect(ApplyReport.lines(for: check).contains { $0.kind == .warning && $0.text.hasPrefix("! RBAC: the access review could not be made") })
            #expect(try await Self.live(client, "shop", "default") == nil)
            await client.shutdown()
        }
        // Only patch forbidden: the review answers, and meshtrim stops before the dry-run.
        try await withLab(Self.lab + ["--fault", "forbid=patch:sidecars"], envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let check = await SidecarApplier(client: client).check(try Self.document(Self.shopSidecar))
            guard case .denied(let reason) = check.permission else {
                Issue.record("RBAC should deny patch: \(check.permission)")
                return
            }
            #expect(reason.contains("may not patch sidecars.networking.istio.io in namespace shop"), "\(reason)")
            #expect(check.dryRun == .skipped("not run, since RBAC denies the apply"))
            #expect(try await Self.live(client, "shop", "default") == nil)
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func conflictWithAnotherFieldManagerIsShownAndNothingChanges() async throws {
        try await withLab(Self.lab, envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            // Another tool created the Sidecar with a plain create: it owns spec.
            let created = #"{"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"default","namespace":"shop"},"spec":{"egress":[{"hosts":["*/*"]}]}}"#
            _ = try await client.send(
                "POST", "/apis/networking.istio.io/v1/namespaces/shop/sidecars", query: [("fieldManager", "helm")],
                body: Data(created.utf8), contentType: "application/json")
            let before = try #require(try await Self.live(client, "shop", "default"))
            let applier = SidecarApplier(client: client)
            let document = try Self.document(Self.shopSidecar)
            let check = await applier.check(document)
            #expect(check.exists == true)
            #expect(check.diff.contains(.removed("      - '*/*'")) || check.diff.contains { "\($0)".contains("*/*") }, "\(check.diff)")
            guard case .rejected(let failure) = check.dryRun else {
                Issue.record("the dry-run should report the conflict: \(check.dryRun)")
                return
            }
            #expect(failure.kind == .conflict)
            #expect(failure.statusCode == 409)
            #expect(failure.message.contains("conflict with \"helm\""), "\(failure.message)")
            #expect(failure.hint?.contains("--force-conflicts") == true)
            do throws(ApplyFailure) {
                _ = try await applier.apply(document)
                Issue.record("applied over another manager's fields without force")
            } catch {
                #expect(error.kind == .conflict)
            }
            #expect(try await Self.live(client, "shop", "default") == before, "the conflict changed the object")

            // --force-conflicts takes the fields over.
            let forced = await applier.check(document, forceConflicts: true)
            #expect(forced.dryRun == .accepted(created: false))
            #expect(try await Self.live(client, "shop", "default") == before, "the forced dry-run changed the object")
            let result = try await applier.apply(document, forceConflicts: true)
            #expect(!result.created)
            #expect(result.managers.contains("meshtrim"))
            #expect(!result.managers.contains("helm"))
            #expect(await applier.check(document).isUnchanged)
            await client.shutdown()
        }
    }
}
