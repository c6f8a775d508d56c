import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// The invariant check that the tests' `press` runs after every key: it finds broken states and reports them at the
/// line that pressed the key (issue #13, item 9).
@Suite("State invariants")
struct InvariantTests {
    @Test("A loaded state and every scenario keep them")
    func scenariosKeepThem() {
        #expect(TestMesh.state().checkInvariants() == [])
        for scenario in Scenario.allCases {
            #expect(scenario.state(width: 80, height: 24).checkInvariants() == [], "\(scenario)")
        }
    }

    @Test("A negative help offset and foreign picker labels are reported")
    func overlayProblemsAreFound() {
        var state = TestMesh.state()
        state.help = HelpState(offset: -1)
        #expect(state.checkInvariants() == ["help: offset -1 is negative"])
        state.labelPicker = LabelPickerState(
            namespace: "bookinfo", podName: "p", labels: [LabelPair(key: "app", value: "web")], chosen: ["app", "gone"])
        #expect(state.checkInvariants() == ["label picker: chosen [\"gone\"] are not the pod's labels"])
    }

    @Test("One modal at a time by construction: opening one replaces the open one, closing another kind keeps it")
    func oneModal() {
        var state = TestMesh.state()
        state.prompt = PromptState(kind: .filter)
        state.help = HelpState()
        #expect(state.modal == .help(HelpState()))
        #expect(state.prompt == nil)
        state.prompt = nil  // not the open kind: help stays
        #expect(state.help != nil)
        state.help = nil
        #expect(state.modal == nil)
    }

    @Test("press records a broken invariant after the key that left it")
    func pressRecordsIt() {
        var state = TestMesh.state()
        // A state no key leads to: the picker's chosen label is not one of the pod's, and moving keeps it.
        state.labelPicker = LabelPickerState(
            namespace: "bookinfo", podName: "p", labels: [LabelPair(key: "app", value: "web"), LabelPair(key: "tier", value: "db")],
            chosen: ["gone"])
        withKnownIssue("the picker chose a label the pod does not have") {
            state.press(.down)
        }
        #expect(state.labelPicker?.cursor == 1)
    }
}
