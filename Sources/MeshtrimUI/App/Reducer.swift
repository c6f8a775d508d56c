import MeshtrimCore

/// How long flashes stay, in milliseconds.
enum FlashDuration {
    /// Info messages.
    static let info = 4_000
    /// Errors stay longer: they usually need reading.
    static let error = 10_000
}

/// The one place state changes: applies `action` to `state` and returns the I/O to perform.
///
/// Pure and synchronous (no clock, no files, no terminal), so every key on every screen is unit-tested. Keys go
/// through the open dialog first (confirm, prompt, label picker, help), then the top screen's key table.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
    if case .loaded = action { state.live.demand = nil }  // a new cluster (or :ctx) gets the demand again
    let effects = reduceAction(&state, action)
    if effects.contains(where: {
        switch $0 {
        case .writeFile, .writePlan: true
        default: false
        }
    }) { state.isWriting = true }
    return effects + liveEffects(&state)
}

/// ``reduce(_:_:)`` without the live-source effects that follow every action.
func reduceAction(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .key(let key):
        return reduceKey(&state, key)
    case .resize(let width, let height):
        state.width = max(0, width)
        state.height = max(0, height)
        rewrapPreviews(&state)
        rewrapApplyScreens(&state)
        clampTop(&state)
        return []
    case .mouse(let event):
        return reduceMouse(&state, event)
    case .tick(let id):
        if state.flash?.id == id { state.flash = nil }
        return []
    case .loadProgress(let message):
        if case .loading = state.load { state.load = .loading(message) }
        return []
    case .loaded(let data):
        state.load = .loaded(data)
        state.sourceLabel = data.analysis.source
        var root = NamespacesScreen()
        root.list.rows = namespaceRows(data: data, list: root.list)
        state.stack = [.namespaces(root)]
        return []
    case .loadFailed(let message):
        state.load = .failed(message)
        return []
    case .fileWritten(let path):
        state.isWriting = false
        if case .plan(let plan) = state.top { return planWritten(&state, plan, path: path) }
        updatePreviews(&state) { $0.lastPath = path }
        markEditorSaved(&state)
        let manifest = topPreview(state)?.manifest
        let what = manifest.map { " (Sidecar \($0.namespace)/\($0.name), \(Formatting.plural($0.uniqueHosts.count, "host")))" } ?? ""
        return flash(&state, "✓ wrote \(path)\(what)", kind: .info)
    case .fileExists(let path):
        state.isWriting = false
        guard let preview = topPreview(state) else {
            return flash(&state, "not written: \(path) already exists", kind: .error)
        }
        state.prompt = nil
        state.confirm = ConfirmState(
            question: "\(path) exists. Overwrite? (y/N)", intent: .overwrite(path: path, contents: preview.manifest.yaml))
        return []
    case .fileWriteFailed(let message, let path):
        state.isWriting = false
        return flash(&state, "cannot write \(path): \(message)", kind: .error)
    case .refreshed(let data):
        applyRefresh(&state, data)
        return []
    case .notice(let message):
        return flash(&state, message, kind: .info)
    case .liveStatus(let status):
        state.live.status = status
        return []
    case .clusterNamesArrived(let pod, let status):
        applyClusterNames(&state, pod: pod, status: status)
        return []
    case .applyChecked(let check):
        return applyChecked(&state, check)
    case .applied(let result):
        return applied(&state, result)
    case .applyFailed(let document, let failure):
        return applyFailed(&state, document: document, failure: failure)
    }
}

// MARK: - Keys

/// Routes a key: ctrl-c always quits; while the terminal is too small only `q` (quit) does anything, and while a
/// write is on its way nothing does; then confirm, prompt, picker and help get it; then the screen's table.
func reduceKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if key == .control("c") { return quit(&state) }
    // Nothing but the size warning is drawn: a key must not act on a screen (or answer a question) no one sees.
    if state.layout.isTooSmall { return key == .character("q") ? quit(&state) : [] }
    // A write is on its way and may come back as a question: what was typed meanwhile was not meant for the
    // screen the question is about to cover (`a`, `y` are apply keys in the preview), nor can it answer it.
    if state.isWriting { return [] }
    switch state.modal {
    case .question: return reduceConfirmKey(&state, key)
    case .prompt: return reducePromptKey(&state, key)
    case .labelPicker: return reducePickerKey(&state, key)
    case .help: return reduceHelpKey(&state, key)
    case nil: break
    }
    guard state.data != nil else {
        switch KeyMap.loading.binding(for: key)?.command {
        case .quit: return quit(&state)
        case .help:
            state.help = HelpState()
            return []
        default: return []
        }
    }
    let kind = state.top.kind
    guard let binding = KeyMap.binding(for: key, on: kind) else { return [] }
    if binding.isDangerous && state.readOnly {
        return flash(&state, "read-only: \(binding.hint.isEmpty ? "this" : binding.hint) is switched off (started with --read-only)", kind: .error)
    }
    return perform(&state, binding.command)
}

/// Performs a command on the top screen.
func perform(_ state: inout AppState, _ command: Command) -> [Effect] {
    switch command {
    case .quit:
        return quit(&state)
    case .help:
        state.help = HelpState()
        return []
    case .commandPrompt:
        state.prompt = PromptState(kind: .command, message: commandCompletions(state, text: "").message)
        return []
    case .back:
        return back(&state)
    case .refresh:
        return [.refresh] + flash(&state, "refreshing…", kind: .info)
    case .openMeshDefault:
        return openMeshDefaultEditor(&state)
    default:
        break
    }
    switch state.top {
    case .namespaces, .pods, .detail:
        return performOnList(&state, command)
    case .editor:
        return performOnEditor(&state, command)
    case .preview:
        return performOnPreview(&state, command)
    case .apply:
        return performOnApply(&state, command)
    case .plan:
        return performOnPlan(&state, command)
    }
}

/// `q`, `ctrl-c`, `:q`.
func quit(_ state: inout AppState) -> [Effect] {
    state.isQuitting = true
    state.prompt = nil
    state.confirm = nil
    return [.quit]
}

/// `esc`: close the reason panel, clear the filter, or pop the screen.
func back(_ state: inout AppState) -> [Effect] {
    if case .detail(var detail) = state.top, detail.showsReason {
        detail.showsReason = false
        state.top = .detail(detail)
        clampTop(&state)
        return []
    }
    if var list = state.top.list, !list.filter.isEmpty, let data = state.data {
        list.filter = ""
        var route = state.top
        route.list = list
        refreshRows(&route, data: data, pageSize: state.pageSize)
        state.top = route
        return []
    }
    guard state.stack.count > 1 else {
        return flash(&state, "this is the top screen: q quits", kind: .info)
    }
    if let asked = leaveEditor(&state) { return asked }
    state.stack.removeLast()
    clampTop(&state)
    return []
}

/// Shows a flash and schedules its expiry.
func flash(_ state: inout AppState, _ message: String, kind: Flash.Kind) -> [Effect] {
    let id = state.nextFlashID
    state.nextFlashID += 1
    state.flash = Flash(message, kind: kind, id: id)
    return [.scheduleTick(id: id, milliseconds: kind == .error ? FlashDuration.error : FlashDuration.info)]
}

/// Keeps the top screen's selection and scroll valid after a resize or a change of rows.
func clampTop(_ state: inout AppState) {
    let page = state.pageSize
    switch state.top {
    case .namespaces, .pods, .detail:
        var route = state.top
        if var list = route.list {
            list.select(list.selection, pageSize: page)
            route.list = list
        }
        state.top = route
    case .editor(var editor):
        clampEditor(&editor, pageSize: page)
        state.top = .editor(editor)
    case .preview(var preview):
        preview.offset = clampedPreviewOffset(preview.offset, lines: preview.lines.count, page: page)
        state.top = .preview(preview)
    case .apply(var apply):
        apply.offset = clampedPreviewOffset(apply.offset, lines: apply.lines.count, page: page)
        state.top = .apply(apply)
    case .plan(var plan):
        clampPlan(&plan, pageSize: page)
        state.top = .plan(plan)
    }
    if var help = state.help {
        help.offset = min(help.offset, max(0, helpLineCount(state) - max(1, state.layout.bodyHeight - 2)))
        state.help = help
    }
}

/// The topmost preview on the stack.
func topPreview(_ state: AppState) -> PreviewState? {
    for route in state.stack.reversed() {
        if case .preview(let preview) = route { return preview }
    }
    return nil
}

/// Applies `change` to every preview on the stack.
func updatePreviews(_ state: inout AppState, _ change: (inout PreviewState) -> Void) {
    for index in state.stack.indices {
        if case .preview(var preview) = state.stack[index] {
            change(&preview)
            state.stack[index] = .preview(preview)
        }
    }
}

// MARK: - Confirm, help

/// The yes/no dialog, by ``KeyMap/confirm``: `y` does it; anything else (the default) cancels.
func reduceConfirmKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    guard let confirm = state.confirm else { return [] }
    state.confirm = nil
    let yes = KeyMap.confirm.binding(for: key)?.command == .answerYes
    switch (yes, confirm.intent) {
    case (true, .overwrite(let path, let contents)):
        return [.writeFile(path: path, contents: contents, overwrite: true)]
    case (false, .overwrite(let path, _)):
        return flash(&state, "not written: \(path) was left as it was", kind: .info)
    case (true, .writeDespiteSafetyErrors):
        return openWritePrompt(&state, safetyConfirmed: true)
    case (false, .writeDespiteSafetyErrors):
        return flash(&state, "not written: fix the SAFETY errors, or press w and answer y", kind: .info)
    case (true, .applyDespiteSafetyErrors):
        return startApply(&state, safetyConfirmed: true)
    case (false, .applyDespiteSafetyErrors):
        return cancelApplyQuestion(&state)
    case (_, .discardEditorChanges):
        return answerDiscard(&state, yes: yes)
    }
}

/// Lines in the help overlay of the top screen.
func helpLineCount(_ state: AppState) -> Int {
    KeyMap.helpLines(for: state.top.kind, readOnly: state.readOnly, live: state.canApplyToCluster).count
}

/// Keys while `?` is open, by ``KeyMap/helpOverlay``: scroll, `esc`/`?` close, `q` quits.
func reduceHelpKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    guard var help = state.help else { return [] }
    let page = max(1, state.layout.bodyHeight - 2)
    let maximum = max(0, helpLineCount(state) - page)
    switch KeyMap.helpOverlay.binding(for: key)?.command {
    case .back:
        state.help = nil
        return []
    case .quit:
        return quit(&state)
    case .up: help.offset -= 1
    case .down: help.offset += 1
    case .pageUp: help.offset -= page
    case .pageDown: help.offset += page
    case .top: help.offset = 0
    case .bottom: help.offset = maximum
    default: return []
    }
    help.offset = max(0, min(help.offset, maximum))
    state.help = help
    return []
}
