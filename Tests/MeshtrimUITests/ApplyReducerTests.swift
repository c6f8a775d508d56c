import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// The apply flow in the reducer: `a` in the YAML preview on a live cluster, the check, the default Cancel, `y`,
/// refusals, results; read-only and file sources refuse it; and its screens as goldens.
@Suite("Apply flow")
struct ApplyReducerTests {
    /// The preview of the common fix for `shipping`, on a live cluster (or not).
    static func preview(live: Bool = true, readOnly: Bool = false, width: Int = 80, height: Int = 24) -> AppState {
        var state = TestMesh.state(width: width, height: height, readOnly: readOnly)
        state.canApplyToCluster = live
        state.goToNamespace("shipping")
        state.press(.character("e"), .character("1"), .character("y"))
        return state
    }

    /// The check a cluster would answer for `document`: `live` is the live object's JSON (nil: new).
    static func check(_ document: ApplyDocument, live: String? = nil, dryRun: DryRunOutcome? = nil, permission: ApplyPermission = .allowed) -> ApplyCheck {
        ApplyCheck(
            document: document, exists: live != nil, permission: permission, diff: ApplyDiff.diff(live: live, document: document),
            dryRun: dryRun ?? .accepted(created: live == nil), pods: [PodKey(namespace: "shipping", name: "shipping-7d9f-abcde"), PodKey(namespace: "shipping", name: "shipping-7d9f-fghij")],
            notes: [])
    }

    static let liveShipping = """
        {"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"default","namespace":"shipping",\
        "uid":"1234","resourceVersion":"77","managedFields":[{"manager":"kubectl"}]},"spec":{"egress":[{"hosts":["*/*"]}]}}
        """

    /// The state after `a` and the cluster's answer.
    static func checked(_ makeCheck: (ApplyDocument) -> ApplyCheck, width: Int = 80, height: Int = 24) throws -> AppState {
        var state = preview(width: width, height: height)
        let effects = state.press(.character("a"))
        guard case .checkApply(let document)? = effects.first else {
            throw CheckError("a did not ask for a check: \(effects)")
        }
        _ = reduce(&state, .applyChecked(makeCheck(document)))
        return state
    }

    struct CheckError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func applyScreen(_ state: AppState) -> ApplyState? {
        if case .apply(let apply) = state.top { return apply }
        return nil
    }

    @Test("a asks the cluster for the check of the preview's Sidecar and shows it with Cancel chosen")
    func checkThenDefaultCancel() throws {
        var state = Self.preview()
        let preview = try #require(state.top.previewScreen, "the scenario starts on the preview")
        let effects = state.press(.character("a"))
        #expect(effects == [.checkApply(ApplyDocument(manifest: preview.manifest, version: TestMesh.data.istioVersion))])
        let waiting = try #require(Self.applyScreen(state))
        #expect(waiting.phase == .checking)
        #expect(waiting.lines.contains { $0.text.contains("checking: RBAC") })
        #expect(state.breadcrumbs.last == "apply")

        guard case .checkApply(let document)? = effects.first else { throw CheckError("a did not ask for a check: \(effects)") }
        _ = reduce(&state, .applyChecked(Self.check(document, live: Self.liveShipping)))
        let apply = try #require(Self.applyScreen(state))
        #expect(apply.choice == .cancel)
        #expect(apply.canApply)
        let text = apply.lines.map(\.text)
        #expect(text.contains { $0.hasPrefix("Sidecar shipping/default from the YAML preview (exists, will be changed)") })
        #expect(text.contains { $0.hasPrefix("✓ RBAC") })
        #expect(text.contains { $0.hasPrefix("✓ server-side dry-run") })
        #expect(text.contains { $0.contains("2 pods will get the new config") })
        #expect(text.contains { $0.hasPrefix("Nothing is restarted") })
        #expect(text.contains("-    - '*/*'"), "\(text)")
        #expect(text.contains { $0.hasPrefix("Clusters ") }, "the estimate from the preview is shown")
        // The preview's safety findings come along, with their severity.
        #expect(!preview.safety.isEmpty, "the shipping fix should have a finding to show")
        for finding in preview.safety {
            let marker = finding.severity == .error ? "✗ safety: " : finding.severity == .warning ? "! safety: " : "safety: "
            #expect(text.contains { $0.hasPrefix(marker) && $0.contains("[\(finding.code)]") }, "\(finding)")
        }
        #expect(state.checkInvariants() == [])

        // enter on the default (Cancel) applies nothing and goes back to the preview.
        let cancelled = state.press(.enter)
        #expect(!cancelled.contains { if case .apply = $0 { return true } else { return false } })
        guard case .preview = state.top else { Issue.record("enter did not go back to the preview"); return }
        #expect(state.flash?.message.hasPrefix("not applied") == true)
    }

    @Test("tab then enter, or y, applies; the result refreshes and goes back to the preview")
    func applyByChoiceOrY() throws {
        var state = try Self.checked { Self.check($0) }
        let document = try #require(Self.applyScreen(state)).document
        #expect(state.press(.tab).isEmpty)
        #expect(Self.applyScreen(state)?.choice == .apply)
        #expect(state.press(.enter) == [.apply(document)])
        if case .applying? = Self.applyScreen(state)?.phase {} else { Issue.record("not applying") }
        #expect(!state.press(.character("y")).contains(.apply(document)), "a second y while applying")

        var byY = try Self.checked { Self.check($0) }
        #expect(byY.press(.character("y")) == [.apply(document)])

        let effects = reduce(&byY, .applied(ApplyResult(document: document, created: true, generation: 1, managers: ["meshtrim"])))
        #expect(effects.contains(.refresh))
        guard case .preview = byY.top else { Issue.record("the apply screen stayed after success"); return }
        #expect(byY.flash?.message.hasPrefix("✓ applied Sidecar shipping/default (created, field manager meshtrim); 2 pods get it over xDS") == true)
        #expect(byY.checkInvariants() == [])
    }

    @Test("A refused dry-run, RBAC denial or failed apply is shown and Apply is refused")
    func refusals() throws {
        let invalid = ApplyFailure(.invalid, statusCode: 422, "the API server rejected Sidecar shipping/default (422 Invalid): bad host", hint: "fix it")
        var rejected = try Self.checked { Self.check($0, dryRun: .rejected(invalid)) }
        #expect(Self.applyScreen(rejected)?.canApply == false)
        #expect(Self.applyScreen(rejected)?.lines.contains { $0.kind == .error && $0.text.contains("rejected Sidecar shipping/default (422") } == true)
        #expect(!rejected.press(.character("y")).contains { if case .apply = $0 { return true } else { return false } })
        #expect(rejected.flash?.message.hasPrefix("cannot apply: the API server rejected") == true)
        rejected.press(.tab)
        #expect(!rejected.press(.enter).contains { if case .apply = $0 { return true } else { return false } })

        var denied = try Self.checked {
            Self.check($0, dryRun: .skipped("not run, since RBAC denies the apply"), permission: .denied("user \"viewer\" may not patch sidecars"))
        }
        #expect(Self.applyScreen(denied)?.lines.contains { $0.text.hasPrefix("✗ RBAC: user \"viewer\"") } == true)
        #expect(!denied.press(.character("y")).contains { if case .apply = $0 { return true } else { return false } })

        var failed = try Self.checked { Self.check($0) }
        let document = try #require(Self.applyScreen(failed)).document
        failed.press(.character("y"))
        let conflict = ApplyFailure(.conflict, statusCode: 409, "field-manager conflict on Sidecar shipping/default (409): conflict with \"helm\"", hint: "use --force-conflicts")
        _ = reduce(&failed, .applyFailed(document, conflict))
        let screen = try #require(Self.applyScreen(failed))
        #expect(screen.lines.first?.text.hasPrefix("✗ not applied: field-manager conflict") == true)
        #expect(screen.lines.contains { $0.text == "Nothing was changed in the cluster." })
        #expect(failed.flash?.kind == .error)
        #expect(!failed.press(.character("y")).contains { if case .apply = $0 { return true } else { return false } })
        failed.press(.escape)
        guard case .preview = failed.top else { Issue.record("esc did not go back"); return }
    }

    @Test("Read-only hides and refuses a; file sources refuse it with a hint")
    func readOnlyAndFileSources() {
        var readOnly = Self.preview(readOnly: true)
        #expect(!KeyMap.hints(for: .preview, readOnly: true).contains { $0.command == .apply })
        #expect(KeyMap.hints(for: .preview, readOnly: false).contains { $0.command == .apply })
        #expect(!KeyMap.helpLines(for: .preview, readOnly: true).contains { if case .binding("a", _) = $0 { return true } else { return false } })
        #expect(!render(readOnly).text.contains("a apply"))
        let effects = readOnly.press(.character("a"))
        #expect(!effects.contains { if case .checkApply = $0 { return true } else { return false } })
        #expect(readOnly.flash?.message.hasPrefix("read-only") == true)
        guard case .preview = readOnly.top else { Issue.record("read-only left the preview"); return }

        var demo = Self.preview(live: false)
        #expect(!demo.press(.character("a")).contains { if case .checkApply = $0 { return true } else { return false } })
        #expect(demo.flash?.message.hasPrefix("apply needs a live cluster: this mesh comes from test-mesh.json") == true)
        guard case .preview = demo.top else { Issue.record("a file source left the preview"); return }
    }

    @Test("Apply screens match their goldens at 80×24, 120×40 and 40×10")
    func goldens() throws {
        let invalid = ApplyFailure(
            .invalid, statusCode: 422,
            "the API server rejected Sidecar shipping/default (422 Invalid): admission webhook \"validation.istio.io\" denied the request: "
                + "configuration is invalid: invalid egress host shipping: namespace must be a valid DNS label or *",
            hint: "fix the Sidecar (meshtrim validate shows Istio's rules) and apply again")
        for (width, height) in ScreenGoldenTests.sizes {
            let checked = try Self.checked({ Self.check($0, live: Self.liveShipping) }, width: width, height: height)
            #expect(checked.checkInvariants() == [])
            try assertGolden(render(checked).golden, named: "apply-checked-\(width)x\(height)")
            var chosen = checked
            chosen.press(.tab)
            try assertGolden(render(chosen).golden, named: "apply-chosen-\(width)x\(height)")
            let refused = try Self.checked({ Self.check($0, dryRun: .rejected(invalid)) }, width: width, height: height)
            try assertGolden(render(refused).golden, named: "apply-refused-\(width)x\(height)")
        }
    }

    @Test("The apply screen survives every size and resize")
    func everySize() throws {
        var state = try Self.checked { Self.check($0, live: Self.liveShipping) }
        for width in [0, 5, 20, 40, 80, 130] {
            for height in [0, 3, 6, 10, 24, 45] {
                _ = reduce(&state, .resize(width: width, height: height))
                #expect(state.checkInvariants() == [], "\(width)x\(height)")
                let screen = render(state)
                #expect(screen.width == width && screen.height == height)
            }
        }
        state.press(.end)
        #expect(state.checkInvariants() == [])
    }
}
