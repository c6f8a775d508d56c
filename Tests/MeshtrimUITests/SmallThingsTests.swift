import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// Things a user notices: where a sort leaves the selection, how names and numbers are cut and written, unknown
/// figures, and keys help lists.
@Suite("Small things a user notices")
struct SmallThingsTests {
    @Test("After a sort the first row is selected and shown, whatever was selected before")
    func sortShowsTheTop() throws {
        var state = TestMesh.state(width: 80, height: 7)
        state.press(.character("G"))
        guard case .namespaces(let before) = state.top else { throw TestFailure("not the namespaces screen") }
        #expect(before.list.selection > 0 && before.list.offset > 0, "the precondition: selection and scroll moved down")
        state.press(.character("N"))
        guard case .namespaces(let sorted) = state.top else { throw TestFailure("not the namespaces screen") }
        #expect(sorted.list.selection == 0)
        #expect(sorted.list.offset == 0)
        #expect(namespaceNames(state).first == "bookinfo")
        #expect(state.checkInvariants() == [])
    }

    @Test(
        "Pod names are cut in the middle, keeping the part that tells them apart",
        arguments: [
            ("carrier-validator-g2b7x-9zq", 20, "carrier-va…g2b7x-9zq"),
            ("carrier-validator-g2b7x-9zq", 27, "carrier-validator-g2b7x-9zq"),
            ("productpage-v1-6b746f74dc-9stvs", 22, "productpage…74dc-9stvs"),
            ("single-segmentname", 10, "singl…name"),
            ("abcdef", 4, "abc…"),
        ])
    func middleCut(_ name: String, _ width: Int, _ expected: String) {
        let cut = name.truncatedInMiddle(toWidth: width)
        #expect(cut == expected)
        #expect(cut.terminalWidth <= width)
    }

    @Test("The pods table at 40 columns keeps the end of a long pod name")
    func podsTableKeepsSuffix() {
        var state = TestMesh.state(width: 40, height: 10)
        state.goToNamespace("bookinfo")
        state.press(.enter)
        let text = render(state).text
        #expect(text.contains("productpage-v1…46f74dc-9stvs"), "\(text)")
        #expect(!text.contains("productpage-v1-6b7…"))
    }

    @Test("Counts in Core's phrases have thousands separators: fit on 1,529 proxies")
    func fittedProxies() {
        #expect(MemoryModel.Basis.fitted(proxies: 1529).description == "fit on 1,529 proxies")
        #expect(CountFormat.thousands(1_234_567) == "1,234,567")
        #expect(CountFormat.thousands(-1000) == "-1,000")
        #expect(Formatting.count(1529) == "1,529")
    }

    @Test(
        "One byte convention everywhere, the Kubernetes one (binary Ki/Mi/Gi); unknown is -",
        arguments: [
            (Int?.some(312 * 1_048_576), "312Mi"), (.some(950 * 1024), "950Ki"), (.some(6_500_000), "6.2Mi"),
            (.some(1_288_490_189), "1.2Gi"), (.some(512), "512B"), (.some(0), "0B"), (nil, "-"),
        ])
    func bytes(_ value: Int?, _ expected: String) {
        #expect(ByteFormat.binary(value) == expected)
        #expect(Formatting.bytes(value) == expected)
    }

    @Test("The namespaces screen marks a predicted clusters average with ~, as the pods screen does")
    func predictedAverage() throws {
        let state = TestMesh.state(width: 100, height: 20)
        let lines = render(state).text.split(separator: "\n").map(String.init)
        let shipping = try #require(lines.first { $0.contains(" shipping ") })
        let scoped = try #require(lines.first { $0.contains(" scoped ") })
        #expect(shipping.contains("~"), "tracker's count is predicted: \(shipping)")
        #expect(!scoped.contains("~"), "web's count is Envoy's own: \(scoped)")
    }

    @Test("A mesh without observations (manifests) shows unknown memory as -, not 0B")
    func unknownMemoryInHeader() {
        let data = MeshData(analysis: MeshAnalysis(inventory: TestMesh.inventory, observations: [], source: "manifests"))
        let state = AppState(data: data, width: 120, height: 24)
        let header = render(state).line(0)
        #expect(header.contains("Envoy - · saving ~"), "the saving is the model's estimate: \(header)")
        #expect(!header.contains("0B"))
        let observed = render(TestMesh.state(width: 120, height: 24)).line(0)
        #expect(observed.contains("Envoy 247Mi"), "\(observed)")
    }

    @Test("Help lists ctrl-r only where there is something to read again (a live cluster)")
    func refreshInHelp() {
        var state = TestMesh.state(width: 100, height: 40)
        state.press(.character("?"))
        #expect(!render(state).text.contains("ctrl-r"))
        state.canApplyToCluster = true
        #expect(render(state).text.contains("ctrl-r"))
        #expect(!KeyMap.helpLines(for: .pods, readOnly: false, live: false).contains { line in
            if case .binding("ctrl-r", _) = line { return true } else { return false }
        })
    }
}
