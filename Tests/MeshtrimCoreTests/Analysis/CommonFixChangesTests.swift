import Foundation
import Testing
@testable import MeshtrimCore

/// The common fix's per-sidecar changes the analysis keeps (what `report` prints as preset figures) are exactly what
/// evaluating the common fix again gives, in every namespace of generated meshes with and without observations.
@Suite("Common fix changes kept by the analysis")
struct CommonFixChangesTests {
    @Test("equal to the common fix evaluated again", arguments: [
        MeshGenerator.Parameters(namespaces: 6, services: 40, pods: 120, seed: 3),
        MeshGenerator.Parameters(namespaces: 12, services: 90, pods: 300, seed: 11),
        MeshGenerator.Parameters(namespaces: 4, services: 25, pods: 60, seed: 20_260_302),
    ])
    func keptEqualsEvaluated(_ parameters: MeshGenerator.Parameters) {
        let snapshot = MeshGenerator.generateSnapshot(parameters)
        for analysis in [
            MeshAnalysis(snapshot: snapshot),
            MeshAnalysis(inventory: snapshot.inventory, observations: [], source: "predictions only"),
        ] {
            var compared = 0
            for namespace in analysis.namespaces {
                let evaluated = analysis.impact(
                    namespace: namespace.name, workloadSelector: nil,
                    hosts: analysis.hosts(for: .commonFix, namespace: namespace.name)).changes
                #expect(analysis.commonFixChanges(in: namespace.name) == evaluated, "\(namespace.name)")
                compared += evaluated.count
            }
            #expect(compared > 0, "no namespace had a sidecar the common fix changes")
        }
        #expect(MeshAnalysis(snapshot: snapshot).commonFixChanges(in: "no-such-namespace").isEmpty)
    }
}
