import MeshtrimCore

/// Pushes the YAML preview of the editor's current choice.
func pushPreview(_ state: inout AppState, editor: EditorState, data: MeshData) {
    var preview = makePreview(editor: editor, data: data)
    preview.rewrap(width: state.width)
    state.stack.append(.preview(preview))
}

/// The preview of an editor's choice: manifest, validation, impact summary, and the replaced Sidecar for the diff.
public func makePreview(editor: EditorState, data: MeshData) -> PreviewState {
    let manifest = editor.manifest
    let problems = problemsOfShownYAML(manifest, version: data.istioVersion)  // exactly the YAML shown
    // The diff starts from the object as it is in the file or cluster, not from meshtrim's reading of it.
    let replacedYAML = editor.replaces.map(SidecarManifest.yaml(of:))
    let impact = editor.impact
    let whom = editor.meshDefault.map { "every sidecar without a Sidecar of its own (mesh-wide default, \(Formatting.plural($0.impact.namespaces.count, "namespace")))" }
        ?? editor.target.workloadSelector.map { "workloads " + LabelSelector($0).description + " in " + editor.target.namespace }
        ?? "every pod in " + editor.target.namespace
    var summary = [
        "For \(whom): \(Formatting.plural(impact.affectedPodCount, "sidecar")) affected.",
        "Clusters \(Formatting.count(impact.clustersBefore)) → \(Formatting.count(impact.clustersAfter)) "
            + "(\(Formatting.percentChange(from: impact.clustersBefore, to: impact.clustersAfter))); Envoy memory "
            + "\(Formatting.bytes(impact.memoryBeforeBytes)) → ~\(Formatting.bytes(impact.memoryAfterBytes)); estimate: "
            + "\(data.analysis.memoryModel.summary(formatBytes: Formatting.bytes)); working set falls only after the "
            + "pods restart.",
    ]
    summary += impact.notes
    let cuts = editor.meshDefault.map { meshDefault in
        // Mesh-wide, the risk is a call across namespaces: each cut says who makes it.
        meshDefault.impact.cuts.map { cut in
            "✗ \(cut.sourceNamespace) → \(cut.host): \(Formatting.count(cut.requests)) requests from \(Formatting.plural(cut.pods.count, "pod")) would be cut"
        }
    } ?? impact.cutDestinations.map { cut in
        "✗ \(cut.host): \(Formatting.count(cut.requests)) requests from \(Formatting.plural(cut.pods.count, "pod")) would be cut"
    }
    let safety = data.analysis.safetyFindings(for: manifest, impact: impact)
    var preview = PreviewState(
        target: editor.target, manifest: manifest, problems: problems,
        replaces: editor.replaces?.meta.qualifiedName, replacedYAML: replacedYAML, summary: summary, cuts: cuts,
        safety: safety)
    preview.isMeshDefault = editor.isMeshDefault
    return preview
}

extension PreviewState {
    /// Rebuilds ``lines`` for a terminal `width` (messages wrap; YAML and diff lines do not).
    public mutating func rewrap(width: Int) {
        let wrapAt = max(10, width - 2)
        var lines: [PreviewLine] = []
        func add(_ text: String, _ kind: PreviewLine.Kind, indent: String = "  ") {
            for line in Formatting.wrap(text, width: wrapAt, indent: indent) { lines.append(PreviewLine(line, kind)) }
        }
        let mode = isMeshDefault ? "mesh-wide default"
            : manifest.workloadSelector.isEmpty ? "namespace-wide" : "workloadSelector " + LabelSelector(manifest.workloadSelector).description
        add("Sidecar \(manifest.namespace)/\(manifest.name) (\(mode)) → \(lastPath ?? manifest.fileName)", .heading)
        for line in summary { add(line, .note) }
        lines.append(PreviewLine("", .note))
        lines.append(PreviewLine("SAFETY", .heading))
        if safety.isEmpty {
            add("✓ no findings: no observed traffic cut, istiod namespace imported, no conflicting Sidecars", .success)
        }
        for finding in safety {
            let mark: String
            let kind: PreviewLine.Kind
            switch finding.severity {
            case .error: (mark, kind) = ("✗", .error)
            case .warning: (mark, kind) = ("!", .warning)
            case .info: (mark, kind) = ("i", .note)
            }
            add("\(mark) \(finding.code) \(finding.message)", kind, indent: "    ")
        }
        lines.append(PreviewLine("", .note))
        lines.append(PreviewLine("VALIDATION", .heading))
        if problems.isEmpty {
            add("✓ valid: Istio's webhook would accept it", .success)
        }
        for problem in problems {
            add((problem.severity == .error ? "✗ " : "! ") + problem.description, problem.severity == .error ? .error : .warning, indent: "    ")
        }
        lines.append(PreviewLine("", .note))
        lines.append(PreviewLine("YAML", .heading))
        for line in manifest.yaml.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            lines.append(PreviewLine(String(line), .yaml))
        }
        lines.append(PreviewLine("", .note))
        diffStart = lines.count
        if let replaces, let replacedYAML {
            lines.append(PreviewLine("DIFF against \(replaces) (as it is in the mesh)", .heading))
            let old = replacedYAML.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            let new = manifest.yaml.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            let diff = LineDiff.unified(from: old, to: new)
            if diff.isEmpty {
                add("no change: the same as \(replaces)", .note)
            } else {
                lines.append(PreviewLine("--- \(replaces) (in the mesh)", .diffHeader))
                lines.append(PreviewLine("+++ \(manifest.fileName)", .diffHeader))
                for line in diff {
                    switch line {
                    case .context(let text): lines.append(PreviewLine(" " + text, .context))
                    case .added(let text): lines.append(PreviewLine("+" + text, .added))
                    case .removed(let text): lines.append(PreviewLine("-" + text, .removed))
                    case .hunk(let text): lines.append(PreviewLine(text, .diffHeader))
                    }
                }
            }
        } else {
            lines.append(PreviewLine("DIFF", .heading))
            add("no Sidecar \(manifest.namespace)/\(manifest.name) in the mesh: this creates a new one", .note)
        }
        self.lines = lines
        wrapWidth = width
    }
}

/// The offset clamped so the last page is full.
func clampedPreviewOffset(_ offset: Int, lines: Int, page: Int) -> Int {
    max(0, min(offset, lines - max(1, page)))
}

/// The offset after a scroll command on a text screen of `lines` lines (the preview, the apply screen), clamped so
/// the last page is full; `nil` when `command` does not scroll.
func scrolledTextOffset(_ offset: Int, by command: Command, lines: Int, page: Int) -> Int? {
    let moved: Int
    switch command {
    case .up: moved = offset - 1
    case .down: moved = offset + 1
    case .pageUp: moved = offset - page
    case .pageDown: moved = offset + page
    case .top: moved = 0
    case .bottom: moved = lines
    default: return nil
    }
    return clampedPreviewOffset(moved, lines: lines, page: page)
}

/// Commands of the YAML preview: scroll, `d` diff, `w` write.
func performOnPreview(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard case .preview(var preview) = state.top else { return [] }
    let page = state.pageSize
    if let offset = scrolledTextOffset(preview.offset, by: command, lines: preview.lines.count, page: page) {
        preview.offset = offset
        state.top = .preview(preview)
        return []
    }
    switch command {
    case .jumpToDiff: preview.offset = preview.diffStart
    case .write: return openWritePrompt(&state)
    case .apply: return openApply(&state)
    default: return []
    }
    preview.offset = clampedPreviewOffset(preview.offset, lines: preview.lines.count, page: page)
    state.top = .preview(preview)
    return []
}

/// Opens the write prompt with the default path (`sidecar-<ns>[-<workload>].yaml`, or the last path written).
///
/// When the safety checks found errors it asks first (default No); `safetyConfirmed` is the yes.
func openWritePrompt(_ state: inout AppState, safetyConfirmed: Bool = false) -> [Effect] {
    guard !state.readOnly else {
        return flash(&state, "read-only: writing is switched off (started with --read-only)", kind: .error)
    }
    guard case .preview(let preview) = state.top else { return [] }
    if preview.hasSafetyErrors && !safetyConfirmed {
        var codes: [String] = []
        for finding in preview.safety where finding.severity == .error && !codes.contains(finding.code) {
            codes.append(finding.code)
        }
        let errors = preview.safety.count { $0.severity == .error }
        state.confirm = ConfirmState(
            question: "The safety checks found \(Formatting.plural(errors, "error")) (\(codes.joined(separator: ", ")); "
                + "see SAFETY). Write the file anyway? (y/N)",
            intent: .writeDespiteSafetyErrors)
        return []
    }
    var prompt = PromptState(kind: .writePath, text: preview.lastPath ?? preview.manifest.fileName)
    if preview.hasErrors {
        prompt.message = "! Istio's webhook would reject this Sidecar (see VALIDATION); enter writes anyway"
        prompt.messageIsError = true
    } else {
        prompt.message = "enter writes (never over an existing file without asking), esc cancels"
    }
    state.prompt = prompt
    return []
}

/// Rewraps every preview on the stack after a resize.
func rewrapPreviews(_ state: inout AppState) {
    let width = state.width
    updatePreviews(&state) { preview in
        if preview.wrapWidth != width { preview.rewrap(width: width) }
    }
}
