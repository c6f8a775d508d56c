import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimTestSupport
import Synchronization
import Testing

/// Retries where they are safe, against the lab's deterministic faults (`fail-first`, `truncate-first`,
/// `garble-first`): access reviews, dry-runs and list pages are tried again with backoff; a real apply is never
/// sent again before the Sidecar is read back. The client's sleep is injected, so no test waits for real.
@Suite(.timeLimit(.minutes(3)))
struct RetryTests {
    /// The delays a client's backoff asked for.
    final class Delays: Sendable {
        private let list = Mutex<[Duration]>([])
        func append(_ delay: Duration) { list.withLock { $0.append(delay) } }
        var values: [Duration] { list.withLock { $0 } }
    }

    /// A client whose backoff records its delays instead of sleeping.
    static func client(_ lab: LabRun, delays: Delays) async throws -> KubeClient {
        var options = KubeClient.Options()
        options.sleep = { delay in delays.append(delay) }
        return try await KubeClient.connect(try lab.access(), options: options)
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func accessReviewsAndDryRunsAreRetried() async throws {
        // Two reviews fail (503), and the first two dry-runs: each has three tries, so all of them get through.
        let faults = ["--fault", "fail-first=2:POST:selfsubjectaccessreviews", "--fault", "fail-first=2:dry-run:sidecars"]
        try await withLab(ApplyTests.lab + faults, envoy: false) { lab in
            let delays = Delays()
            let client = try await Self.client(lab, delays: delays)
            let check = await SidecarApplier(client: client).check(try ApplyTests.document(ApplyTests.shopSidecar))
            #expect(check.permission == .allowed, "\(check.permission)")
            #expect(check.dryRun == .accepted(created: true), "\(check.dryRun)")
            // Four failed tries waited first; the lab's Retry-After: 1 is honoured.
            let waited = delays.values
            #expect(waited.count == 4, "\(waited)")
            #expect(waited.allSatisfy { $0 == .seconds(1) }, "\(waited)")
            #expect(try await ApplyTests.live(client, "shop", "default") == nil, "a dry-run persisted the Sidecar")
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func garbledAndCutOffListPagesAreFetchedAgain() async throws {
        let faults = ["--fault", "garble-first=1:GET:pods", "--fault", "truncate-first=1:GET:services"]
        try await withLab(ApplyTests.lab + faults, envoy: false) { lab in
            let delays = Delays()
            let client = try await Self.client(lab, delays: delays)
            let pods = try await client.listPages("/api/v1/namespaces/shop/pods")
            let text = String(decoding: try #require(pods.pages.first), as: UTF8.self)
            #expect(text.contains("\"items\""))
            let services = try await client.listPages("/api/v1/namespaces/shop/services")
            #expect(services.pages.count == 1)
            #expect(delays.values.count == 2)
            await client.shutdown()
        }
        // A list that stays garbled fails after the bounded number of tries, naming the path.
        try await withLab(ApplyTests.lab + ["--fault", "garble-first=5:GET:pods"], envoy: false) { lab in
            let delays = Delays()
            let client = try await Self.client(lab, delays: delays)
            await #expect {
                _ = try await client.listPages("/api/v1/namespaces/shop/pods")
            } throws: { error in
                (error as? KubeError)?.message.contains("the answer to GET /api/v1/namespaces/shop/pods is not a Kubernetes list") == true
            }
            #expect(delays.values.count == client.options.maxAttempts - 1)
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aGarbledLiveObjectOrPodListIsReadAgain() async throws {
        // The live payments Sidecar and the pod list come back garbled once: the check reads them again, so the diff
        // is against the real object (none) and the pods are named.
        let faults = ["--fault", "garble-first=1:GET:sidecars", "--fault", "garble-first=1:GET:pods"]
        try await withLab(ApplyTests.lab + faults, envoy: false) { lab in
            let delays = Delays()
            let client = try await Self.client(lab, delays: delays)
            let yaml = ApplyTests.shopSidecar.replacingOccurrences(of: "namespace: shop", with: "namespace: payments")
            let check = await SidecarApplier(client: client).check(try ApplyTests.document(yaml))
            #expect(check.exists == true)
            #expect(check.notes.isEmpty, "\(check.notes)")
            #expect(!check.pods.isEmpty)
            // The live payments Sidecar says exactly this; against a garbled answer the diff would be the whole document.
            #expect(check.isUnchanged, "a diff against garbage: \(check.diff)")
            #expect(delays.values.count == 2)
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func aRealApplyIsReadBackBeforeItIsSentAgain() async throws {
        // The apply took effect but its answer was cut off: reading the Sidecar back shows it, nothing is re-sent.
        try await withLab(ApplyTests.lab + ["--fault", "truncate-first=1:write:sidecars"], envoy: false) { lab in
            let delays = Delays()
            let client = try await Self.client(lab, delays: delays)
            let document = try ApplyTests.document(ApplyTests.shopSidecar)
            let result = try await SidecarApplier(client: client).apply(document)
            let note = try #require(result.note, "the lost answer should be explained")
            #expect(note.contains("reading the Sidecar again showed the apply took effect"), "\(note)")
            #expect(result.managers == ["meshtrim"])
            #expect(delays.values.isEmpty, "nothing should have been sent again")
            #expect(try await ApplyTests.live(client, "shop", "default") != nil)
            await client.shutdown()
        }
        // The server refused before doing anything (503): the Sidecar is not there, so the apply is sent again.
        try await withLab(ApplyTests.lab + ["--fault", "fail-first=1:write:sidecars"], envoy: false) { lab in
            let delays = Delays()
            let client = try await Self.client(lab, delays: delays)
            let result = try await SidecarApplier(client: client).apply(try ApplyTests.document(ApplyTests.shopSidecar))
            #expect(result.created)
            #expect(result.note == nil)
            #expect(delays.values.count == 1)
            await client.shutdown()
        }
    }
}
