import Testing
@testable import MeshtrimUI

/// Every screen at 80×24, 120×40 and 40×10 as text plus style runs, compared with `__Snapshots__/`.
@Suite("Screen goldens")
struct ScreenGoldenTests {
    static let sizes = [(80, 24), (120, 40), (40, 10)]

    @Test("Each screen matches its golden", arguments: Scenario.allCases)
    func golden(_ scenario: Scenario) throws {
        for (width, height) in Self.sizes {
            let state = scenario.state(width: width, height: height)
            #expect(state.checkInvariants() == [], "\(scenario) \(width)x\(height)")
            try assertGolden(render(state).golden, named: "\(scenario)-\(width)x\(height)")
        }
    }

    @Test("Without colour the styles keep bold and reverse but no colours")
    func noColor() throws {
        let state = Scenario.editor.state(width: 80, height: 24, colorEnabled: false)
        let screen = render(state)
        #expect(screen.cells.allSatisfy { $0.style.foreground == .default && $0.style.background == .default })
        #expect(screen.cells.contains { $0.style.reverse })
        #expect(screen.cells.contains { $0.style.bold })
        try assertGolden(screen.golden, named: "editor-nocolor-80x24")
    }

    @Test("A 20×6 terminal still shows the list, and smaller ones say they are too small")
    func tinyTerminals() throws {
        let state = Scenario.namespaces.state(width: 20, height: 6)
        try assertGolden(render(state).golden, named: "namespaces-20x6")
        let tiny = render(Scenario.namespaces.state(width: 19, height: 4))
        #expect(tiny.text.contains("terminal too"))
    }

    @Test("No screen crashes or breaks its invariants at any size from 0×0 to 130×45", arguments: Scenario.allCases)
    func everySize(_ scenario: Scenario) {
        for width in [0, 1, 5, 10, 19, 20, 21, 25, 30, 39, 40, 50, 60, 79, 80, 99, 100, 101, 130] {
            for height in [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 24, 45] {
                let state = scenario.state(width: width, height: height)
                let screen = render(state)
                #expect(screen.width == width && screen.height == height)
                #expect(state.checkInvariants() == [], "\(scenario) at \(width)x\(height)")
            }
        }
    }
}
