import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// One rule for safety errors everywhere: on the apply screen, `y` (or enter on Apply) on a Sidecar whose safety
/// checks found errors asks a second question that names them; only `y` to that applies.
@Suite("Apply asks again on safety errors")
struct ApplySafetyConfirmTests {
    static let cut = SafetyFinding(
        severity: .error, code: SafetyFinding.Code.cutsObservedTraffic, message: "cuts observed traffic to ratings.prod (12 requests)",
        subject: "Sidecar shipping/default")

    /// The checked apply screen, its Sidecar with `safety` findings.
    static func screen(safety: [SafetyFinding]) throws -> (AppState, ApplyDocument) {
        var state = try ApplyReducerTests.checked { ApplyReducerTests.check($0) }
        var apply = try #require(ApplyReducerTests.applyScreen(state))
        apply.safety = safety
        apply.rewrap(width: state.width)
        state.top = .apply(apply)
        return (state, apply.document)
    }

    @Test("y asks, naming the errors; y to the question applies")
    func yAsksThenApplies() throws {
        var (state, document) = try Self.screen(safety: [Self.cut])
        #expect(state.press(.character("y")).isEmpty, "applied on the first y despite a safety error")
        let confirm = try #require(state.confirm)
        #expect(confirm.intent == .applyDespiteSafetyErrors)
        #expect(confirm.question.contains("[MT0001]"), "\(confirm.question)")
        #expect(confirm.question.contains("cuts observed traffic to ratings.prod"))
        #expect(confirm.question.contains("Apply Sidecar shipping/default to the cluster anyway? (y/N)"))
        #expect(confirm.yesLabel == "apply anyway")
        #expect(state.checkInvariants() == [])
        #expect(state.press(.character("y")) == [.apply(document)])
        #expect(state.confirm == nil)
        if case .applying? = ApplyReducerTests.applyScreen(state)?.phase {} else { Issue.record("not applying") }
    }

    @Test("No is the default: n, esc, enter or any other key leave the cluster as it is", arguments: [Key.character("n"), .escape, .enter, .character("a")])
    func anythingButYCancels(_ key: Key) throws {
        var (state, _) = try Self.screen(safety: [Self.cut])
        #expect(state.press(.tab).isEmpty)
        #expect(state.press(.enter).isEmpty, "enter on Apply must ask too")
        #expect(state.confirm?.intent == .applyDespiteSafetyErrors)
        let effects = state.press(key)
        #expect(!effects.contains { if case .apply = $0 { return true } else { return false } }, "\(effects)")
        #expect(state.confirm == nil)
        let apply = try #require(ApplyReducerTests.applyScreen(state), "the apply screen stays")
        #expect(apply.choice == .cancel)
        #expect(state.flash?.message.hasPrefix("not applied") == true)
    }

    @Test("without safety errors (warnings only) y applies at once")
    func warningsDoNotAsk() throws {
        var warning = Self.cut
        warning.severity = .warning
        var (state, document) = try Self.screen(safety: [warning])
        #expect(state.press(.character("y")) == [.apply(document)])
        #expect(state.confirm == nil)
    }

    @Test("the question's keys are a key table like every mode's")
    func confirmTable() {
        #expect(KeyMap.confirm.binding(for: .character("y"))?.command == .answerYes)
        for key in [Key.character("n"), .escape, .enter] { #expect(KeyMap.confirm.binding(for: key)?.command == .answerNo) }
    }
}
