import Foundation
import Testing
@testable import MeshtrimCore

/// The mesh-wide default's impact as the TUI's editor computes it (``MeshDefaultImpact/Calculator``, once per editor,
/// then per choice of hosts), checked on the bundled demo against figures computed another way.
@Suite("Mesh default impact")
struct MeshDefaultImpactTests {
    @Test("`.` is each proxy's namespace: every wholly affected namespace has the figures of the same hosts as its own Sidecar")
    func ownNamespacePerProxy() throws {
        let analysis = try #require(MeshPlannerTests.demo, "the bundled demo snapshot must load")
        let hosts = ["./*", "\(analysis.inventory.istiodNamespace)/*"]
        let impact = MeshPlanner(analysis: analysis).meshDefaultCalculator().impact(hosts: hosts)
        let withOwnSidecar = Set(analysis.pods.filter { MeshPlanner.isScoped($0.pod) && $0.sidecar != nil }.map(\.pod.namespace))
        let whole = impact.namespaces.filter { !withOwnSidecar.contains($0.namespace) }
        try #require(whole.count > 5)
        for row in whole {
            let own = analysis.impact(namespace: row.namespace, workloadSelector: nil, hosts: hosts)
            #expect(row.sidecars == own.affectedPods.count, "\(row.namespace)")
            #expect(row.clustersBefore == own.clustersBefore, "\(row.namespace)")
            #expect(row.clustersAfter == own.clustersAfter, "\(row.namespace)")
            #expect(row.bytesAfter == own.memoryAfterBytes, "\(row.namespace)")
            // The same traffic is cut (a wildcard ServiceEntry is named by its pattern here, by the host called there).
            #expect(row.cuts.count == own.cutDestinations.count, "\(row.namespace)")
            #expect(row.cuts.reduce(0) { $0 + $1.requests } == own.cutDestinations.reduce(0) { $0 + $1.requests }, "\(row.namespace)")
            #expect(row.cuts.allSatisfy { $0.sourceNamespace == row.namespace })
        }
    }

    @Test("The same calculator gives every choice of hosts the figures a fresh one gives, and its EgressImpact agrees")
    func calculatorReuse() throws {
        let analysis = try #require(MeshPlannerTests.demo, "the bundled demo snapshot must load")
        let calculator = MeshPlanner(analysis: analysis).meshDefaultCalculator()
        let choices = [["./*"], ["./*", "istio-system/*"], ["*/*"], ["./*", "istio-system/*"] + calculator.crossNamespaceServices]
        for hosts in choices {
            let reused = calculator.impact(hosts: hosts)
            let fresh = MeshPlanner(analysis: analysis).meshDefaultImpact(hosts: hosts)
            #expect(reused == fresh, "\(hosts)")
            #expect(reused.egressImpact.affectedPodCount == reused.sidecarsAffected)
            #expect(reused.egressImpact.clustersAfter == reused.clustersAfter)
            #expect(reused.egressImpact.cutDestinations.count == reused.cuts.count)
        }
        // `*/*` keeps every observed destination; so do `./*` plus every cross-namespace service observed.
        #expect(calculator.impact(hosts: ["*/*"]).cuts.isEmpty)
        #expect(calculator.impact(hosts: ["./*"] + calculator.crossNamespaceServices).cuts.isEmpty)
        #expect(calculator.sidecarsAffected == calculator.impact(hosts: ["./*"]).sidecarsAffected)
    }

    @Test("The safety note on a mesh-wide default counts the namespaces its impact covers (workload-Sidecar-only namespaces too)")
    func safetyNoteAgreesWithImpact() throws {
        let analysis = try #require(MeshPlannerTests.demo, "the bundled demo snapshot must load")
        let root = analysis.inventory.meshConfig.rootNamespace
        let hosts = ["./*", "\(analysis.inventory.istiodNamespace)/*"]
        let impact = MeshPlanner(analysis: analysis).meshDefaultImpact(hosts: hosts)
        // The demo has namespaces whose only Sidecars select workloads: they are covered as well.
        try #require(impact.namespaces.contains { $0.keptSidecars > 0 })
        let sidecar = SidecarManifest(namespace: root, hosts: hosts, name: "default").sidecar
        let note = try #require(
            SidecarSafetyChecker(analysis: analysis).findings(for: sidecar).first { $0.code == SafetyFinding.Code.meshWideSidecar })
        #expect(note.message.contains("(\(impact.namespaces.count) namespace(s) with sidecars here)"), "\(note.message)")
    }
}
