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

    @Test("Two modals open together, a negative help offset and foreign picker labels are reported")
    func overlayProblemsAreFound() {
        var state = TestMesh.state()
        state.prompt = PromptState(kind: .filter)
        state.help = HelpState(offset: -1)
        state.labelPicker = LabelPickerState(
            namespace: "bookinfo", podName: "p", labels: [LabelPair(key: "app", value: "web")], chosen: ["app", "gone"])
        #expect(state.checkInvariants() == [
            "a prompt and a label picker and help are open together", "help: offset -1 is negative",
            "label picker: chosen [\"gone\"] are not the pod's labels",
        ])
    }

    @Test("press records a broken invariant after the key that left it")
    func pressRecordsIt() {
        var state = TestMesh.state()
        state.help = HelpState()
        state.prompt = PromptState(kind: .filter)  // a state no key leads to: the prompt takes the key, help stays
        withKnownIssue("prompt and help are open together") {
            state.press(.character("x"))
        }
        #expect(state.prompt?.text == "x")
    }
}
