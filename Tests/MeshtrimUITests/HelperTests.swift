import Testing
import MeshtrimCore
@testable import MeshtrimUI

@Suite("Formatting, diff and table layout")
struct HelperTests {
    @Test("Counts get thousands separators; predicted cluster counts a ~", arguments: [
        (0, "0"), (999, "999"), (1_000, "1,000"), (1_532, "1,532"), (133_588, "133,588"), (-12_345, "-12,345"),
    ])
    func counts(_ value: Int, _ expected: String) {
        #expect(Formatting.count(value) == expected)
    }

    @Test("Bytes print like kubectl top", arguments: [
        (512, "512B"), (950 * 1024, "950Ki"), (48 * 1_048_576, "48Mi"), (1_288_490_188, "1.2Gi"), (4_402_341_478, "4.1Gi"),
    ])
    func bytes(_ value: Int, _ expected: String) {
        #expect(Formatting.bytes(value) == expected)
    }

    @Test("Predicted counts are marked")
    func predicted() {
        #expect(Formatting.clusters(1_532, predicted: true) == "~1,532")
        #expect(Formatting.clusters(1_532, predicted: false) == "1,532")
        #expect(Formatting.percentChange(from: 1_532, to: 212) == "-86%")
        #expect(Formatting.percentChange(from: 0, to: 5) == "")
    }

    @Test("Wrapping keeps words, indents continuations and cuts words longer than a line")
    func wrap() {
        #expect(Formatting.wrap("the quick brown fox", width: 9) == ["the quick", "brown fox"])
        #expect(Formatting.wrap("the quick brown fox", width: 10, indent: "  ") == ["the quick", "  brown", "  fox"])
        #expect(Formatting.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(Formatting.wrap("", width: 5) == [""])
        #expect(Formatting.wrap("anything", width: 0).allSatisfy { $0.terminalWidth <= 1 })
    }

    @Test("A unified diff has hunk headers and only the changed region with context")
    func unifiedDiff() {
        let old = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
        var new = old
        new[5] = "F"
        new.append("k")
        let diff = LineDiff.unified(from: old, to: new, context: 1)
        #expect(diff == [
            .hunk("@@ -5,3 +5,3 @@"), .context("e"), .removed("f"), .added("F"), .context("g"),
            .hunk("@@ -10,1 +10,2 @@"), .context("j"), .added("k"),
        ])
        #expect(LineDiff.unified(from: old, to: old).isEmpty)
        #expect(LineDiff.unified(from: [], to: ["x"]) == [.hunk("@@ -0,0 +1,1 @@"), .added("x")])
    }

    @Test("Narrow tables drop the least important columns first and give spare width to the most important")
    func tableLayout() {
        let columns: [TableColumn] = [
            .flexible("NAME", min: 10, preferred: 12, max: 30, priority: 100),
            .fixed("A", 5, priority: 10),
            .fixed("B", 5, priority: 50),
            .flexible("NOTE", min: 6, max: 10, priority: 40),
        ]
        let wide = Table.layout(columns, width: 60)
        #expect(wide.map(\.index) == [0, 1, 2, 3])
        #expect(wide[0].width == 30, "NAME grows to its maximum first")
        let narrow = Table.layout(columns, width: 28)
        #expect(narrow.map(\.index) == [0, 2, 3], "A goes first")
        let tiny = Table.layout(columns, width: 5)
        #expect(tiny.map(\.index) == [0])
        #expect(tiny.allSatisfy { $0.x + $0.width <= 5 })
    }

    @Test("Filters: substring, case-insensitive, ! inverts, empty matches all")
    func filters() {
        #expect(ListFilter.matches("Payments", filter: "pay"))
        #expect(!ListFilter.matches("payments", filter: "!pay"))
        #expect(ListFilter.matches("ledger", filter: "!pay"))
        #expect(ListFilter.matches("anything", filter: ""))
        #expect(ListFilter.matches("anything", filter: "!"))
    }
}
