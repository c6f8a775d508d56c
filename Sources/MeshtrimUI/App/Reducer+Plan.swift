import MeshtrimCore

/// `:plan`: the plan of the loaded mesh (``MeshPlanner`` on the UI's analysis, the options of `meshtrim plan`'s
/// defaults), pushed as a ``PlanScreen``.
func openPlan(_ state: inout AppState) -> [Effect] {
    guard let data = state.data else { return flash(&state, "the mesh is still loading", kind: .info) }
    if case .plan = state.top { return [] }
    let plan = MeshPlanner(analysis: data.analysis).plan()
    state.stack.append(.plan(PlanScreen(plan: plan)))
    clampTop(&state)
    return []
}

/// Keys of the plan screen: movement, `enter` (the Sidecar's YAML preview), `w` (write the plan directory).
func performOnPlan(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .plan(var screen) = state.top, let data = state.data else { return [] }
    let page = state.pageSize
    switch command {
    case .up: screen.cursor -= 1
    case .down: screen.cursor += 1
    case .pageUp: screen.cursor -= page
    case .pageDown: screen.cursor += page
    case .top: screen.cursor = 0
    case .bottom: screen.cursor = screen.lines.count - 1
    case .drillIn:
        guard let sidecar = screen.selectedSidecar else {
            return flash(&state, "enter opens a Sidecar's YAML: move to a Sidecar's line (in a wave)", kind: .info)
        }
        var preview = planPreview(sidecar, plan: screen.plan, data: data)
        preview.rewrap(width: state.width)
        state.stack.append(.preview(preview))
        clampTop(&state)
        return []
    case .write:
        guard !state.readOnly else {
            return flash(&state, "read-only: writing is switched off (started with --read-only)", kind: .error)
        }
        var prompt = PromptState(kind: .writePlanDirectory, text: screen.lastPath ?? "meshtrim-plan")
        planPromptChanged(&prompt)
        state.prompt = prompt
        return []
    default:
        return []
    }
    clampPlan(&screen, pageSize: page)
    state.top = .plan(screen)
    return []
}

/// Keeps the cursor on a line and on the page.
func clampPlan(_ screen: inout PlanScreen, pageSize: Int) {
    screen.cursor = max(0, min(screen.cursor, screen.lines.count - 1))
    if screen.cursor < screen.offset { screen.offset = screen.cursor }
    if screen.cursor >= screen.offset + max(1, pageSize) { screen.offset = screen.cursor - max(1, pageSize) + 1 }
    screen.offset = max(0, min(screen.offset, max(0, screen.lines.count - max(1, pageSize))))
    if screen.cursor < screen.offset { screen.offset = screen.cursor }
}

/// The write-plan prompt's live message.
func planPromptChanged(_ prompt: inout PromptState) {
    let empty = prompt.text.trimmed.isEmpty
    prompt.message =
        empty
        ? "give a directory (new or empty)"
        : "enter writes wave-N/*.yaml, kustomization.yaml and PLAN.md into a new or empty directory; esc cancels"
    prompt.messageIsError = empty
}

/// `enter` in the write-plan prompt: ``Effect/writePlan(_:path:)`` of the top plan screen's plan.
func confirmPlanWrite(_ state: inout AppState, _ prompt: PromptState) -> [Effect] {
    let path = prompt.text.trimmed
    guard !path.isEmpty else {
        var again = prompt
        again.message = "give a directory (esc cancels)"
        again.messageIsError = true
        state.prompt = again
        return []
    }
    state.prompt = nil
    guard case .plan(var screen) = state.top else { return [] }
    screen.lastPath = path
    state.top = .plan(screen)
    return [.writePlan(screen.plan, path: path)]
}

/// The YAML preview of one planned Sidecar: its manifest (the diff against the Sidecar it updates), validation,
/// the safety checks, and the plan's own figures for it.
func planPreview(_ sidecar: PlannedSidecar, plan: MeshPlan, data: MeshData) -> PreviewState {
    let manifest = sidecar.manifest
    let whom: String
    switch sidecar.kind {
    case .meshDefault: whom = "every sidecar without a Sidecar of its own (mesh-wide default)"
    case .namespace: whom = "every pod in \(manifest.namespace)"
    case .workload:
        whom = "workloads " + LabelSelector(sidecar.workloadSelector ?? [:]).description + " in " + manifest.namespace
    }
    var summary = [
        "Wave \(sidecar.wave) of the plan (\(sidecar.kind.rawValue)): \(sidecar.reason).",
        "For \(whom), once the whole plan is applied: \(Formatting.plural(sidecar.sidecarsAffected, "sidecar")); clusters "
            + "\(Formatting.count(sidecar.clustersBefore)) → \(Formatting.count(sidecar.clustersAfter)); Envoy memory "
            + "\(Formatting.bytes(sidecar.bytesBefore)) → ~\(Formatting.bytes(sidecar.bytesAfter)).",
    ]
    summary += sidecar.hostReasons.map { "\($0.host): \($0.reason)" }
    if sidecar.kind == .meshDefault {
        // Alone it would cut what the earlier waves' Sidecars keep; the plan checks it with them in place.
        summary.append("Safety: checked by the plan with the earlier waves applied (see CUT RISKS on the plan screen).")
    }
    let cuts = sidecar.cuts.map { cut in
        "✗ \(cut.sourceNamespace) → \(cut.host): \(Formatting.count(cut.requests)) requests from \(Formatting.plural(cut.pods.count, "pod")) would be cut"
    }
    var preview = PreviewState(
        target: EditorTarget(namespace: manifest.namespace, workloadSelector: sidecar.workloadSelector, workload: manifest.workload),
        manifest: manifest, problems: problemsOfShownYAML(manifest, version: data.istioVersion),
        replaces: sidecar.replaces?.meta.qualifiedName, replacedYAML: sidecar.replaces.map(SidecarManifest.yaml(of:)),
        summary: summary, cuts: cuts, safety: sidecar.kind == .meshDefault ? [] : data.analysis.safetyFindings(for: manifest))
    preview.isMeshDefault = sidecar.kind == .meshDefault
    return preview
}

/// The plan directory was written: said on the plan screen (previews and editors below it are not the ones written).
func planWritten(_ state: inout AppState, _ screen: PlanScreen, path: String) -> [Effect] {
    var written = screen
    written.lastPath = path
    state.top = .plan(written)
    return flash(
        &state, "✓ wrote the plan to \(path): \(Formatting.plural(screen.plan.sidecars.count, "Sidecar")) in "
            + "\(Formatting.plural(screen.plan.waves.count, "wave")), kustomization.yaml, PLAN.md", kind: .info)
}
