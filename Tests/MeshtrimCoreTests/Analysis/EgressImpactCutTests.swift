import Foundation
import Testing
@testable import MeshtrimCore

/// The destinations an egress selection would cut, with their senders: each sender named once, in the order first
/// seen, however many times it called the host and whatever the snapshot holds.
@Suite("Cut destinations name each sender once")
struct EgressImpactCutTests {
    @Test("A pod calling a host twice and two pods of one name (a snapshot is read as it is) are named once each")
    func sendersNamedOnce() throws {
        var mesh = try inventory(service("charge", "payments") + service("api", "orders"))
        func pod(_ name: String) -> Pod { Pod(meta: ObjectMeta(name: name, namespace: "orders", labels: ["app": "api"])) }
        mesh.pods = [pod("api-1"), pod("api-2"), pod("api-1")]
        let charge = "charge.payments.svc.cluster.local"
        let observations = [
            ProxyObservation(
                namespace: "orders", pod: "api-1",
                destinations: [
                    ObservedDestination(host: charge, namespace: "payments", port: 80, requests: 5),
                    ObservedDestination(host: charge, namespace: "payments", port: 8080, requests: 2),
                ]),
            ProxyObservation(
                namespace: "orders", pod: "api-2", destinations: [ObservedDestination(host: charge, namespace: "payments", requests: 3)]),
        ]
        let analysis = MeshAnalysis(inventory: mesh, observations: observations, source: "test")
        let impact = analysis.impact(namespace: "orders", workloadSelector: nil, hosts: ["./*"])
        let cut = try #require(impact.cutDestinations.first { $0.host == charge })
        #expect(impact.cutDestinations.count == 1)
        #expect(cut.pods == ["api-1", "api-2"])
        // Both rows named api-1 carry its observation (the last observation of a pod wins): 7 + 3 + 7.
        #expect(cut.requests == 17)
        #expect(impact.affectedPodCount == 3)
    }
}
