import MeshtrimCore

/// `a` in the YAML preview: opens the apply screen and asks the cluster for the check (RBAC, live object, dry-run).
///
/// Refused with a hint for sources that are not a live cluster; `--read-only` refuses it before (the binding is
/// dangerous).
func openApply(_ state: inout AppState) -> [Effect] {
    guard !state.readOnly else {
        return flash(&state, "read-only: applying is switched off (started with --read-only)", kind: .error)
    }
    guard case .preview(let preview) = state.top else { return [] }
    guard state.canApplyToCluster else {
        return flash(
            &state,
            "apply needs a live cluster: this mesh comes from \(state.sourceLabel); w writes the YAML for kubectl apply, "
                + "or start meshtrim on a cluster (--context NAME)",
            kind: .error)
    }
    let version = state.data?.istioVersion ?? .defaultVersion
    let document = ApplyDocument(manifest: preview.manifest, version: version)
    let impact = preview.summary.filter { $0.hasPrefix("For ") || $0.hasPrefix("Clusters ") }
    var apply = ApplyState(
        document: document, estimate: impact.isEmpty ? Array(preview.summary.prefix(2)) : impact, safety: preview.safety)
    apply.rewrap(width: state.width)
    state.stack.append(.apply(apply))
    return [.checkApply(document)]
}

/// Commands of the apply screen: scroll, choose, confirm, `y`, `d`.
func performOnApply(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .apply(var apply) = state.top else { return [] }
    let page = state.pageSize
    if let offset = scrolledTextOffset(apply.offset, by: command, lines: apply.lines.count, page: page) {
        apply.offset = offset
        state.top = .apply(apply)
        return []
    }
    switch command {
    case .jumpToDiff:
        apply.offset = apply.lines.firstIndex { $0.kind == .heading && $0.text.hasPrefix("DIFF") } ?? apply.offset
    case .toggleChoice:
        apply.choice = apply.choice == .cancel ? .apply : .cancel
    case .confirmChoice:
        guard apply.choice == .apply else { return cancelApply(&state) }
        return startApply(&state)
    case .apply:
        return startApply(&state)
    default:
        return []
    }
    apply.offset = clampedPreviewOffset(apply.offset, lines: apply.lines.count, page: page)
    state.top = .apply(apply)
    return []
}

/// Leaves the apply screen without applying.
func cancelApply(_ state: inout AppState) -> [Effect] {
    guard case .apply(let apply) = state.top else { return [] }
    if case .applying = apply.phase {
        return flash(&state, "applying Sidecar \(apply.document.qualifiedName)…: wait for the answer", kind: .info)
    }
    state.stack.removeLast()
    clampTop(&state)
    return flash(&state, "not applied: Sidecar \(apply.document.qualifiedName) was left as it is in the cluster", kind: .info)
}

/// `y`, or `enter` on Apply: applies when the check allows it, else says why not.
///
/// When the safety checks found errors it asks first, naming them (default No), as `w` and `meshtrim apply`
/// (which needs `--ignore-safety`) do; `safetyConfirmed` is the yes.
func startApply(_ state: inout AppState, safetyConfirmed: Bool = false) -> [Effect] {
    guard !state.readOnly else {
        return flash(&state, "read-only: applying is switched off (started with --read-only)", kind: .error)
    }
    guard case .apply(var apply) = state.top else { return [] }
    switch apply.phase {
    case .checking:
        return flash(&state, "still checking with the cluster; Apply is possible once the dry-run answered", kind: .info)
    case .applying:
        return flash(&state, "already applying…", kind: .info)
    case .failed:
        return flash(&state, "not applied: see the error; esc goes back to the preview", kind: .error)
    case .checked(let check):
        guard check.mayApply else {
            return flash(&state, "cannot apply: \(refusalReason(check)); nothing was changed", kind: .error)
        }
        if apply.safety.hasErrors && !safetyConfirmed {
            state.confirm = ConfirmState(question: safetyQuestion(apply), intent: .applyDespiteSafetyErrors)
            return []
        }
        apply.phase = .applying(check)
        apply.choice = .apply
        apply.rewrap(width: state.width)
        state.top = .apply(apply)
        return [.apply(apply.document)]
    }
}

/// The second question before applying a Sidecar whose safety checks found errors: each error by code and what it
/// says (the first few), then the question.
func safetyQuestion(_ apply: ApplyState) -> String {
    let errors = apply.safety.filter { $0.severity == .error }
    let named = errors.prefix(3).map { "\($0)" }
    let more = errors.count > 3 ? "; … (\(errors.count - 3) more, see ✗ safety)" : ""
    return "The safety checks found \(Formatting.plural(errors.count, "error")): \(named.joined(separator: "; "))\(more). "
        + "Apply Sidecar \(apply.document.qualifiedName) to the cluster anyway? (y/N)"
}

/// No to the safety question: the apply screen stays, with the choice back on Cancel.
func cancelApplyQuestion(_ state: inout AppState) -> [Effect] {
    if case .apply(var apply) = state.top {
        apply.choice = .cancel
        state.top = .apply(apply)
    }
    return flash(&state, "not applied: fix the ✗ safety errors, or press y and answer y to the question", kind: .info)
}

/// Why a check does not allow applying, in a few words.
func refusalReason(_ check: ApplyCheck) -> String {
    if case .denied(let reason) = check.permission { return reason }
    switch check.dryRun {
    case .rejected(let failure): return failure.message
    case .skipped(let reason): return reason
    case .accepted: return "not allowed"
    }
}

/// The apply screen waiting for `document`, as a stack index.
func applyScreenIndex(_ state: AppState, document: ApplyDocument) -> Int? {
    state.stack.lastIndex { route in
        if case .apply(let apply) = route { return apply.document == document }
        return false
    }
}

/// ``Action/applyChecked(_:)``: shows the check; the choice stays on Cancel.
func applyChecked(_ state: inout AppState, _ check: ApplyCheck) -> [Effect] {
    guard let index = applyScreenIndex(state, document: check.document), case .apply(var apply) = state.stack[index],
        case .checking = apply.phase
    else { return [] }
    apply.phase = .checked(check)
    apply.choice = .cancel
    apply.offset = 0
    apply.rewrap(width: state.width)
    state.stack[index] = .apply(apply)
    clampTop(&state)
    return []
}

/// ``Action/applied(_:)``: back to the preview, a flash saying what happened, and a refresh so the numbers update.
func applied(_ state: inout AppState, _ result: ApplyResult) -> [Effect] {
    var pods = 0
    if let index = applyScreenIndex(state, document: result.document), case .apply(let apply) = state.stack[index] {
        pods = apply.check?.pods.count ?? 0
        state.stack.remove(at: index)
        clampTop(&state)
    }
    let what = result.created ? "created" : "configured"
    return [.refresh]
        + flash(
            &state,
            "✓ applied Sidecar \(result.document.qualifiedName) (\(what), field manager meshtrim); \(Formatting.plural(pods, "pod")) "
                + "\(pods == 1 ? "gets" : "get") it over xDS, none restarted; refreshing…" + (result.note.map { " (\($0))" } ?? ""),
            kind: .info)
}

/// ``Action/applyFailed(_:_:)``: the error in full on the apply screen; nothing changed.
func applyFailed(_ state: inout AppState, document: ApplyDocument, failure: ApplyFailure) -> [Effect] {
    guard let index = applyScreenIndex(state, document: document), case .apply(var apply) = state.stack[index] else {
        return flash(&state, "not applied: \(failure.description)", kind: .error)
    }
    apply.phase = .failed(apply.check, failure)
    apply.choice = .cancel
    apply.offset = 0
    apply.rewrap(width: state.width)
    state.stack[index] = .apply(apply)
    clampTop(&state)
    return flash(&state, "✗ not applied: \(failure.message)", kind: .error)
}

/// Rewraps every apply screen on the stack after a resize.
func rewrapApplyScreens(_ state: inout AppState) {
    for index in state.stack.indices {
        if case .apply(var apply) = state.stack[index], apply.wrapWidth != state.width {
            apply.rewrap(width: state.width)
            state.stack[index] = .apply(apply)
        }
    }
}
