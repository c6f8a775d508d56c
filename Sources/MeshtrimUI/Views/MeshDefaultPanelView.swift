import MeshtrimCore

/// The egress editor's impact panel for the mesh-wide default: the observed traffic it would cut, per source
/// namespace, first and in red; the totals; then the per-namespace breakdown (largest saving first, then the
/// namespaces that keep a Sidecar of their own), scrolled with `]` and `[`.
enum MeshDefaultPanelView {
    /// A line of styled segments.
    typealias Line = [(String, CellStyle)]

    /// The cut section's title: red, reversed, the width of the panel.
    static let banner = CellStyle(foreground: .red, bold: true, reverse: true)

    /// One line of the breakdown.
    enum Entry {
        case affected(MeshDefaultImpact.NamespaceRow)
        case unaffectedTitle(Int)
        case unaffected(MeshDefaultImpact.NamespaceRow)
    }

    /// `mesh-wide default · 1,234 sidecars`.
    static func scopeText(_ meshDefault: MeshDefaultEditing) -> String {
        "mesh-wide default · " + Formatting.plural(meshDefault.impact.sidecarsAffected, "sidecar")
    }

    /// The panel's lines, fitted into `rows` rows of `width` columns; `stacked` is the side panel (a title, every
    /// figure on its own line).
    static func lines(
        _ editor: EditorState, _ meshDefault: MeshDefaultEditing, data: MeshData, width: Int, rows: Int, stacked: Bool
    ) -> [Line] {
        let impact = meshDefault.impact
        var head: [Line] = []
        if stacked {
            head.append([("IMPACT ", Theme.panelTitle), ("mesh-wide default \(editor.target.namespace)/\(editor.sidecarName)", Theme.bold)])
            let scope = "\(Formatting.plural(impact.sidecarsAffected, "sidecar")) in \(Formatting.plural(impact.namespaces.count, "namespace")) "
                + "without a Sidecar of their own (gateways never)"
            for text in Formatting.wrap(scope, width: max(10, width - 2)) { head.append([("  ", .plain), (text, Theme.dim)]) }
        }
        head += cutLines(editor, meshDefault, width: width, room: stacked ? max(2, rows / 3) : (rows >= 9 ? 3 : 2))
        head += totalLines(impact, data: data, width: width, stacked: stacked)
        let room = rows - head.count
        guard room > 0 else { return Array(head.prefix(max(0, rows))) }
        return head + breakdownLines(meshDefault, width: width, rows: room, stacked: stacked)
    }

    /// The red section: what it would cut, per source namespace, biggest first (or that it cuts nothing).
    static func cutLines(_ editor: EditorState, _ meshDefault: MeshDefaultEditing, width: Int, room: Int) -> [Line] {
        let impact = meshDefault.impact
        var lines: [Line] = []
        if editor.hosts.isEmpty {
            lines.append([("no hosts chosen: nothing to write; with no egress every sidecar imports */* (1: common fix)", Theme.warning)])
        }
        let cuts = impact.cuts
        guard !cuts.isEmpty else {
            lines.append(
                editor.observedByHost.isEmpty
                    ? [("no traffic observed from these sidecars", Theme.dim)]
                    : [("✓ keeps all observed traffic of these sidecars", Theme.good)])
            return lines
        }
        let total = cuts.reduce(0) { $0 + $1.requests }
        let title = "✗ CUTS OBSERVED TRAFFIC: \(Formatting.plural(cuts.count, "destination")), \(Formatting.count(total)) req"
        for text in Formatting.wrap(title, width: max(10, width - 2), indent: "  ") {
            lines.append([((" " + text).padded(toWidth: width), banner)])
        }
        var listed: [Line] = []
        var shown = 0
        for cut in cuts {
            // `orders → payments/charge.payments.svc.cluster.local, 4,210 req`, on two lines when it is too long.
            let lead = "  \(cut.sourceNamespace) → "
            let tail = ", \(Formatting.count(cut.requests)) req"
            var entry: [Line]
            if (lead + cut.host + tail).terminalWidth <= width {
                entry = [[(lead, Theme.danger), (cut.host, Theme.danger), (tail, Theme.danger)]]
            } else {
                entry = [
                    [(lead, Theme.danger), (Formatting.count(cut.requests) + " req", Theme.danger)],
                    [("    " + cut.host.truncatedInMiddle(toWidth: max(8, width - 4)), Theme.danger)],
                ]
            }
            let last = shown == cuts.count - 1
            guard listed.count + entry.count + (last ? 0 : 1) <= room else { break }
            listed += entry
            shown += 1
        }
        lines += listed
        if shown < cuts.count {
            lines.append([("  … and \(cuts.count - shown) more: each namespace's count is below", Theme.danger)])
        }
        return lines
    }

    /// Sidecars, clusters and Envoy memory now → after, and the model behind the estimate (side panel).
    static func totalLines(_ impact: MeshDefaultImpact, data: MeshData, width: Int, stacked: Bool) -> [Line] {
        let clusterChange = Formatting.percentChange(from: impact.clustersBefore, to: impact.clustersAfter)
        let memoryChange = Formatting.percentChange(from: impact.bytesBefore, to: impact.bytesAfter)
        let clusters: Line = [
            ("clusters   ", Theme.dim), ("\(Formatting.count(impact.clustersBefore)) → \(Formatting.count(impact.clustersAfter))", Theme.bold),
            (clusterChange.isEmpty ? "" : " (\(clusterChange))", impact.clustersAfter < impact.clustersBefore ? Theme.good : Theme.dim),
        ]
        let memory: Line = [
            ("Envoy mem  ", Theme.dim), ("\(Formatting.bytes(impact.bytesBefore)) → ~\(Formatting.bytes(impact.bytesAfter))", Theme.bold),
            (memoryChange.isEmpty ? "" : " (\(memoryChange))", impact.bytesAfter < impact.bytesBefore ? Theme.good : Theme.dim),
        ]
        guard stacked else { return [clusters + [("   ", .plain)] + memory] }
        let basis = data.analysis.memoryModel.summary(formatBytes: Formatting.bytes)
        var lines = [clusters, memory]
        for text in Formatting.wrap("estimate: \(basis); working set falls only after the pods restart", width: max(10, width - 11)) {
            lines.append([("           ", .plain), (text, Theme.dim)])
        }
        return lines
    }

    /// Every line of the breakdown, in order.
    static func entries(_ impact: MeshDefaultImpact) -> [Entry] {
        var entries = impact.namespaces.map(Entry.affected)
        if !impact.unaffected.isEmpty {
            entries.append(.unaffectedTitle(impact.unaffected.count))
            entries += impact.unaffected.map(Entry.unaffected)
        }
        return entries
    }

    /// The breakdown from its scroll offset, in `rows` rows: one line per namespace when there is room for its
    /// figures, else two.
    static func breakdownLines(_ meshDefault: MeshDefaultEditing, width: Int, rows: Int, stacked: Bool) -> [Line] {
        let all = entries(meshDefault.impact)
        guard !all.isEmpty else { return [[("no sidecar gets the mesh-wide default: every namespace has its own Sidecar", Theme.dim)]] }
        let offset = max(0, min(meshDefault.breakdownOffset, all.count - 1))
        let above = offset > 0 ? "↑ \(offset) above · " : ""
        var lines: [Line] = [[("PER NAMESPACE", Theme.section), ("  \(above)by saving · ] [ scroll", Theme.dim)]]
        let nameWidth = min(18, max(9, all.reduce(0) { partial, entry in
            if case .affected(let row) = entry { return max(partial, row.namespace.terminalWidth) }
            return partial
        }))
        let oneLine = width >= nameWidth + 58
        var index = offset
        while index < all.count {
            let entryLines = entryText(all[index], nameWidth: nameWidth, width: width, oneLine: oneLine)
            let left = all.count - index
            // Keep the last row for "↓ more" unless this is the last entry.
            let needed = entryLines.count + (left > 1 ? 1 : 0)
            if lines.count + needed > rows {
                if lines.count < rows { lines.append([("  ↓ \(left) more (] scrolls)", Theme.dim)]) }
                break
            }
            lines += entryLines
            index += 1
        }
        return Array(lines.prefix(max(0, rows)))
    }

    /// `row` as if none of its sidecars kept a Sidecar of their own.
    static func withoutKept(_ row: MeshDefaultImpact.NamespaceRow) -> MeshDefaultImpact.NamespaceRow {
        var copy = row
        copy.keptSidecars = 0
        return copy
    }

    /// The lines of one breakdown entry.
    static func entryText(_ entry: Entry, nameWidth: Int, width: Int, oneLine: Bool) -> [Line] {
        switch entry {
        case .unaffectedTitle(let count):
            return [[("UNAFFECTED", Theme.section), ("  \(count == 1 ? "1 namespace keeps its" : "\(Formatting.count(count)) namespaces keep their") own Sidecar", Theme.dim)]]
        case .unaffected(let row):
            return [[("  " + row.namespace.truncated(toWidth: nameWidth).padded(toWidth: nameWidth), .plain),
                     ("  keeps " + (row.keptBy ?? "its own Sidecar"), Theme.dim)]]
        case .affected(let row) where row.keptSidecars > 0:
            // Some of its sidecars keep a workload Sidecar of their own: say so under the figures.
            var lines = entryText(.affected(withoutKept(row)), nameWidth: nameWidth, width: width, oneLine: oneLine)
            let text = "    +\(Formatting.plural(row.keptSidecars, "sidecar")) keep \(row.keptBy ?? "their own Sidecar")"
            lines.append([(text.truncated(toWidth: width), Theme.dim)])
            return lines
        case .affected(let row):
            let clusters = "\(Formatting.count(row.clustersBefore)) → \(Formatting.count(row.clustersAfter))"
            let memory = "\(Formatting.bytes(row.bytesBefore)) → ~\(Formatting.bytes(row.bytesAfter))"
            let cut: (String, CellStyle) = row.cuts.isEmpty
                ? ("", .plain)
                : ("  ✗ \(Formatting.count(row.cuts.count)) cut", Theme.danger)
            let sidecars = Formatting.plural(row.sidecars, "sidecar")
            if oneLine {
                return [[
                    ("  " + row.namespace.truncated(toWidth: nameWidth).padded(toWidth: nameWidth), Theme.bold),
                    (" " + sidecars.padded(toWidth: 12), Theme.dim),
                    ("clusters " + clusters.padded(toWidth: 15), .plain),
                    ("mem " + memory, .plain), cut,
                ]]
            }
            return [
                [("  " + row.namespace, Theme.bold), ("  " + sidecars, Theme.dim), cut],
                [("    clusters \(clusters) · mem \(memory)".truncated(toWidth: width), .plain)],
            ]
        }
    }
}
