import MeshtrimCore

/// Keys while a prompt is open, by ``KeyMap/prompt``: `enter` confirms, `esc` cancels, `ctrl-u` clears, `ctrl-w`
/// deletes a word, `backspace` a character, `tab` completes; any other character is typed.
func reducePromptKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    guard var prompt = state.prompt else { return [] }
    switch KeyMap.prompt.binding(for: key)?.command {
    case .cancelPrompt:
        state.prompt = nil
        if prompt.kind == .filter { applyFilter(&state, prompt.previousFilter) }
        return []
    case .confirmPrompt:
        return confirmPrompt(&state, prompt)
    case .deletePromptCharacter:
        if !prompt.text.isEmpty { prompt.text.removeLast() }
    case .clearPrompt:
        prompt.text = ""
    case .deletePromptWord:
        while prompt.text.last == " " { prompt.text.removeLast() }
        while let last = prompt.text.last, last != " ", last != "/" { prompt.text.removeLast() }
    case .completePrompt:
        guard prompt.kind == .command else { return [] }
        prompt.text = commandCompletions(state, text: prompt.text).completed
    default:
        guard case .character(let character) = key else { return [] }
        prompt.text.append(character)
    }
    promptTextChanged(&state, &prompt)
    state.prompt = prompt
    return []
}

/// Live feedback as the text changes: the filter applies, commands list completions, hosts validate.
func promptTextChanged(_ state: inout AppState, _ prompt: inout PromptState) {
    switch prompt.kind {
    case .filter:
        applyFilter(&state, prompt.text)
    case .command:
        prompt.message = commandCompletions(state, text: prompt.text).message
        prompt.messageIsError = false
    case .addHost:
        if let data = state.data { validateHostPrompt(&prompt, data: data) }
    case .writePath:
        prompt.message = prompt.text.trimmed.isEmpty ? "give a file path" : nil
        prompt.messageIsError = prompt.text.trimmed.isEmpty
    case .writePlanDirectory:
        planPromptChanged(&prompt)
    }
}

/// Sets the top list's filter and recomputes its rows.
func applyFilter(_ state: inout AppState, _ filter: String) {
    guard let data = state.data, var list = state.top.list, list.filter != filter else { return }
    list.filter = filter
    var route = state.top
    route.list = list
    refreshRows(&route, data: data, pageSize: state.pageSize)
    state.top = route
}

/// `enter` in a prompt.
func confirmPrompt(_ state: inout AppState, _ prompt: PromptState) -> [Effect] {
    switch prompt.kind {
    case .filter:
        state.prompt = nil
        applyFilter(&state, prompt.text)
        return []
    case .command:
        state.prompt = nil
        return runCommand(&state, prompt.text)
    case .addHost:
        guard let data = state.data, case .editor(var editor) = state.top else {
            state.prompt = nil
            return []
        }
        var checked = prompt
        validateHostPrompt(&checked, data: data)
        let host = prompt.text.trimmed
        if host.isEmpty || checked.messageIsError {
            if host.isEmpty { checked.message = "type a host (namespace/dnsName) or press esc" }
            checked.messageIsError = true
            state.prompt = checked
            return []
        }
        state.prompt = nil
        if !hasOwnRow(host, data: data), !editor.customHosts.contains(host) { editor.customHosts.append(host) }
        if !editor.hosts.contains(host) { editor.hosts.append(host) }
        hostsChanged(&editor, data: data)
        let focus: EditorRow = hasOwnRow(host, data: data) ? (editor.rows.first { $0.host == host } ?? .custom(host)) : .custom(host)
        rebuildRows(&editor, data: data, focus: focus)
        clampEditor(&editor, pageSize: state.pageSize)
        state.top = .editor(editor)
        return flash(&state, "added \(host)", kind: .info)
    case .writePath:
        let path = prompt.text.trimmed
        guard !path.isEmpty else {
            var again = prompt
            again.message = "give a file path (esc cancels)"
            again.messageIsError = true
            state.prompt = again
            return []
        }
        state.prompt = nil
        guard let preview = topPreview(state) else { return [] }
        return [.writeFile(path: path, contents: preview.manifest.yaml, overwrite: false)]
    case .writePlanDirectory:
        return confirmPlanWrite(&state, prompt)
    }
}

/// Completion for a `:` command line, from ``CommandSpec/all``: what `tab` makes of it, and the hint listing the
/// candidates.
func commandCompletions(_ state: AppState, text: String) -> (completed: String, message: String) {
    let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    if parts.count <= 1 {
        let word = parts.first ?? ""
        let candidates = CommandSpec.completedNames.filter { $0.hasPrefix(word) }
        guard !candidates.isEmpty else {
            return (text, "unknown command; try \(CommandSpec.usageList())")
        }
        let takesNamespace = CommandSpec.command(named: candidates[0])?.argument == .namespace
        let completed = candidates.count == 1 ? candidates[0] + (takesNamespace ? " " : "") : commonPrefix(candidates)
        return (completed.count >= word.count ? completed : word, candidates.joined(separator: " · "))
    }
    guard CommandSpec.command(named: parts[0])?.argument == .namespace, let data = state.data else { return (text, "") }
    let word = parts[1]
    let candidates = data.namespaceNames.filter { $0.hasPrefix(word) }
    guard !candidates.isEmpty else { return (text, "no namespace starts with \(word)") }
    let completed = candidates.count == 1 ? candidates[0] : commonPrefix(candidates)
    let shown = candidates.prefix(8).joined(separator: " · ") + (candidates.count > 8 ? " · …" : "")
    return (parts[0] + " " + (completed.count >= word.count ? completed : word), shown)
}

/// The longest prefix all `words` share.
func commonPrefix(_ words: [String]) -> String {
    guard var prefix = words.first else { return "" }
    for word in words.dropFirst() {
        while !word.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
}

/// Runs a `:` command, looked up in ``CommandSpec/all``.
func runCommand(_ state: inout AppState, _ text: String) -> [Effect] {
    let words = text.trimmed.split(separator: " ").map(String.init)
    guard let name = words.first else { return [] }
    guard let command = CommandSpec.command(named: name) else {
        return flash(&state, "unknown command :\(name) (try \(CommandSpec.usageList(prefix: ":")))", kind: .error)
    }
    switch command.action {
    case .quit:
        return quit(&state)
    case .help:
        state.help = HelpState()
        return []
    case .namespaces:
        state.stack.removeSubrange(1...)
        clampTop(&state)
        return []
    case .pods:
        guard let data = state.data else { return [] }
        let namespace = words.count > 1 ? words[1] : currentNamespace(state)
        guard let namespace else { return flash(&state, "which namespace? :pods NAMESPACE", kind: .error) }
        guard data.podIndicesByNamespace[namespace] != nil || data.namespaceNames.contains(namespace) else {
            return flash(&state, "no namespace \(namespace)", kind: .error)
        }
        state.stack.removeSubrange(1...)
        if case .namespaces(var root) = state.top,
            let row = data.analysis.namespaces.firstIndex(where: { $0.name == namespace }),
            let position = root.list.rows.firstIndex(of: row)
        {
            root.list.select(position, pageSize: state.pageSize)
            state.top = .namespaces(root)
        }
        pushPods(&state, namespace: namespace, data: data)
        clampTop(&state)
        return []
    case .meshDefault:
        return openMeshDefaultEditor(&state)
    case .plan:
        return openPlan(&state)
    case .context:
        return [.switchContext(words.count > 1 ? words[1] : nil)]
    }
}

/// The namespace the person is looking at: the top screen's, or the one selected on the namespaces screen.
func currentNamespace(_ state: AppState) -> String? {
    for route in state.stack.reversed() {
        switch route {
        case .pods(let screen): return screen.namespace
        case .detail(let screen): return screen.namespace
        case .editor(let editor): return editor.target.namespace
        case .preview(let preview): return preview.target.namespace
        case .apply(let apply): return apply.document.namespace
        case .plan: continue
        case .namespaces(let screen):
            guard let data = state.data, let index = screen.list.selectedSource else { return nil }
            return data.analysis.namespaces.indices.contains(index) ? data.analysis.namespaces[index].name : nil
        }
    }
    return nil
}
