import Foundation
import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// The `:plan` screen (issue #14 §2): the plan of the loaded mesh — the same plan `meshtrim plan` makes — with its
/// totals, every wave and Sidecar, cut risks and unknown destinations; it scrolls, `enter` on a Sidecar opens its YAML
/// preview, `w` asks for a directory and writes the plan through ``Effect/writePlan(_:path:)``.
@Suite("Plan screen")
struct PlanScreenTests {
    func planState(width: Int = 120, height: Int = 40, readOnly: Bool = false) throws -> (AppState, PlanScreen) {
        var state = TestMesh.state(width: width, height: height, readOnly: readOnly)
        state.press(.character(":"))
        state.type("plan")
        state.press(.enter)
        guard case .plan(let screen) = state.top else { throw TestFailure("`:plan` did not open the plan screen: \(state.top.crumb)") }
        return (state, screen)
    }

    @Test("`:plan` shows the planner's plan of the loaded mesh: totals, each wave with its Sidecars, cut risks, unknowns")
    func showsThePlan() throws {
        let (state, screen) = try planState()
        let data = try #require(state.data)
        let expected = MeshPlanner(analysis: data.analysis).plan()
        #expect(screen.plan == expected)
        try #require(!expected.sidecars.isEmpty, "the test mesh's plan has Sidecars")
        let texts = screen.lines.map(\.text)
        #expect(texts.first == "TOTALS")
        try #require(!expected.unreadSidecars.isEmpty, "the test mesh has sidecars without counters")
        #expect(texts[1] == "PARTIAL: \(Formatting.plural(expected.unreadSidecars.count, "sidecar")) could not be read; the plan misses destinations only they use")
        #expect(texts.contains { $0.contains("\(Formatting.plural(expected.totals.sidecarsAffected, "sidecar")) affected") })
        for wave in expected.waves {
            #expect(texts.contains { $0.hasPrefix("WAVE \(wave.wave) · \(Formatting.plural(wave.sidecars.count, "Sidecar"))") })
        }
        // Every planned Sidecar has exactly one line, in its wave, and that line names it.
        for sidecar in expected.sidecars {
            let lines = screen.sidecarOfLine.indices.filter { screen.sidecarOfLine[$0] == sidecar.qualifiedName }
            #expect(lines.count == 1, "\(sidecar.qualifiedName)")
            if let line = lines.first { #expect(texts[line].contains(sidecar.qualifiedName)) }
        }
        #expect(texts.contains("CUT RISKS") && texts.contains("UNKNOWN DESTINATIONS (\(expected.unknownDestinations.count))"))
        #expect(screen.selectedSidecar?.qualifiedName == expected.sidecarsInWaveOrder.first?.qualifiedName, "the cursor starts on the first Sidecar")
        #expect(state.breadcrumbs == ["namespaces", "plan"])
    }

    @Test("It scrolls: the cursor moves over every line, pages keep it on screen, G reaches the last line")
    func scrolls() throws {
        let (initial, screen) = try planState(width: 80, height: 12)
        var state = initial
        try #require(screen.lines.count > state.pageSize, "the plan is longer than a page at 80×12")
        state.press(.end)
        guard case .plan(let bottom) = state.top else { throw TestFailure("left the plan screen") }
        #expect(bottom.cursor == screen.lines.count - 1)
        #expect(bottom.offset == screen.lines.count - state.pageSize)
        state.press(.home)
        guard case .plan(let top) = state.top else { throw TestFailure("left the plan screen") }
        #expect(top.cursor == 0 && top.offset == 0)
        state.press(.pageDown)
        guard case .plan(let paged) = state.top else { throw TestFailure("left the plan screen") }
        #expect(paged.cursor == state.pageSize && paged.cursor < paged.offset + state.pageSize)
        state.press(.escape)
        #expect(state.top.kind == .namespaces)
    }

    @Test("enter on a Sidecar opens its YAML preview; on another line it says where to go")
    func enterOpensThePreview() throws {
        var (state, screen) = try planState()
        let sidecar = try #require(screen.selectedSidecar)
        state.press(.enter)
        guard case .preview(let preview) = state.top else { throw TestFailure("enter did not open the preview") }
        #expect(preview.manifest == sidecar.manifest)
        #expect(preview.lines.contains { $0.text.contains("name: \(sidecar.manifest.name)") })
        #expect(preview.summary.first?.hasPrefix("Wave \(sidecar.wave) of the plan") == true)
        #expect(preview.isMeshDefault == (sidecar.kind == .meshDefault))
        state.press(.escape)
        #expect(state.top.kind == .plan)

        state.press(.home)
        screen = try #require({ if case .plan(let s) = state.top { return s } else { return nil } }())
        #expect(screen.selectedSidecar == nil)
        let effects = state.press(.enter)
        #expect(state.top.kind == .plan && effects.count == 1)
        #expect(state.flash?.message.contains("move to a Sidecar's line") == true)
    }

    @Test("w asks for a directory and writes the plan through the write effect; the answer is flashed on the plan screen")
    func writesThePlanDirectory() throws {
        var (state, screen) = try planState()
        state.press(.character("w"))
        let prompt = try #require(state.prompt)
        #expect(prompt.kind == .writePlanDirectory && prompt.text == "meshtrim-plan")
        #expect(prompt.message?.contains("new or empty directory") == true)
        state.press(.control("u"))
        let empty = state.press(.enter)
        #expect(empty.isEmpty && state.prompt?.messageIsError == true, "an empty directory name is refused in the prompt")
        state.type("out/plan")
        let effects = state.press(.enter)
        #expect(effects == [.writePlan(screen.plan, path: "out/plan")])
        #expect(state.isWriting && state.prompt == nil)
        _ = reduce(&state, .fileWritten(path: "/work/out/plan"))
        #expect(!state.isWriting)
        #expect(state.flash?.message.hasPrefix("✓ wrote the plan to /work/out/plan: \(Formatting.plural(screen.plan.sidecars.count, "Sidecar"))") == true)
        guard case .plan(let written) = state.top else { throw TestFailure("left the plan screen") }
        screen = written
        #expect(screen.lastPath == "/work/out/plan")
        state.press(.character("w"))
        #expect(state.prompt?.text == "/work/out/plan", "the prompt offers the last directory again")
        state.press(.escape)
        _ = reduce(&state, .fileWriteFailed(message: "the directory is not empty; give a new or empty one", path: "/work/out/plan"))
        #expect(state.flash?.kind == .error && state.flash?.message.contains("not empty") == true)
    }

    @Test("--read-only: w is hidden and refused")
    func readOnlyRefusesWrite() throws {
        var (state, _) = try planState(readOnly: true)
        #expect(!KeyMap.hints(for: .plan, readOnly: true).contains { $0.command == .write })
        let effects = state.press(.character("w"))
        #expect(state.prompt == nil)
        #expect(!effects.contains { if case .writePlan = $0 { return true } else { return false } })
        #expect(state.flash?.message.contains("read-only") == true)
    }

    @Test("The keys are the plan table's: hints and help list enter and w, and :plan is a known command")
    func keysFromTheTables() throws {
        let hints = KeyMap.hints(for: .plan, readOnly: false).map(\.hint)
        #expect(hints.starts(with: ["yaml", "write"]))
        let help = KeyMap.helpLines(for: .plan, readOnly: false)
        #expect(help.contains(.title("MESH PLAN")))
        #expect(help.contains(.binding("enter", KeyMap.plan.bindings[0].description)))
        let (state, _) = try planState()
        #expect(commandCompletions(state, text: "pl").completed == "plan")
    }
}
