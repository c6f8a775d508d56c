import Foundation
import Testing
@testable import MeshtrimCore

/// ``MeshPlan/unreadSidecars``: the sidecars whose counters are missing, found by the planner itself (so
/// `meshtrim plan` no longer reads the counters a second time to refuse a partial plan).
@Suite("Mesh plan: unread sidecars")
struct MeshPlanUnreadTests {
    @Test func theDemosUnreadSidecarsAreThoseWithoutCounters() throws {
        let analysis = try #require(MeshPlannerTests.demo, "the bundled demo snapshot must load")
        let expected = analysis.pods
            .filter { MeshPlanner.isScoped($0.pod) && $0.pod.hasSidecarProxy && $0.observation == nil }
            .map(\.pod.meta.qualifiedName).sorted()
        try #require(!expected.isEmpty, "the demo has sidecars without counters")
        let plan = MeshPlanner(analysis: analysis).plan()
        #expect(plan.unreadSidecars.sorted() == expected)
        #expect(plan.unreadSidecars == plan.unreadSidecars.sorted(), "by namespace, then pod")

        // Evidence given for a namespace (Prometheus) replaces its counters: its pods are unread only if it says so.
        let namespace = try #require(expected.first?.split(separator: "/").first.map(String.init))
        let given = TrafficEvidence(records: [], source: "prometheus (test)", unobservedPods: [])
        let withEvidence = MeshPlanner(analysis: analysis).plan(evidence: [namespace: given])
        #expect(!withEvidence.unreadSidecars.contains { $0.hasPrefix(namespace + "/") })
        #expect(withEvidence.unreadSidecars.count == expected.count { !$0.hasPrefix(namespace + "/") })
    }
}
