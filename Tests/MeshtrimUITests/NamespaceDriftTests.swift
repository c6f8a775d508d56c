import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// The namespaces screen's DRIFT column: `meshtrim drift`'s counts for the Sidecars in effect, per namespace.
@Suite("Namespaces screen: DRIFT column")
struct NamespaceDriftTests {
    @Test("The test mesh: only scoped has a Sidecar in effect, and its unused import is one trim candidate")
    func testMeshDrift() throws {
        let data = TestMesh.data
        #expect(Set(data.driftByNamespace.keys) == ["scoped"])
        let scoped = try #require(data.driftByNamespace["scoped"])
        let drifts = SidecarDriftAnalyzer(analysis: data.analysis).drift(namespaces: ["scoped"])
        #expect(scoped.newDependencies == drifts.reduce(0) { $0 + $1.newDependencies.count })
        #expect(scoped.trimCandidates == drifts.reduce(0) { $0 + $1.trimCandidates.count })
        #expect(scoped.text == "+0 −1")
    }

    @Test("The cell: - without a Sidecar in effect, ok dim without drift, yellow with a new dependency")
    func cellStyles() throws {
        let row = try #require(TestMesh.data.analysis.namespaces.first)
        func drift(_ cells: [TableCell]) -> TableCell? { cells.last }
        let none = drift(NamespacesView.cells(row, predicted: false, drift: nil))
        #expect(none?.text == "-" && none?.style == Theme.dim)
        let clean = drift(NamespacesView.cells(row, predicted: false, drift: NamespaceDrift(newDependencies: 0, trimCandidates: 0, trimmableClusters: 0)))
        #expect(clean?.text == "ok" && clean?.style == Theme.dim)
        let new = drift(NamespacesView.cells(row, predicted: false, drift: NamespaceDrift(newDependencies: 2, trimCandidates: 5, trimmableClusters: 9)))
        #expect(new?.text == "+2 −5" && new?.style == Theme.warning)
        #expect(NamespacesView.columns.last?.title == "DRIFT")
    }
}
