import MeshtrimCore

/// The egress editor: the host rows with checkboxes, and the live impact panel (beside the list from 100 columns,
/// below it otherwise).
enum EgressEditorView {
    /// A line of styled segments.
    typealias Line = [(String, CellStyle)]

    /// Draws the list and the impact panel into the body.
    static func draw(_ editor: EditorState, data: MeshData, layout: AppLayout, into screen: inout Screen) {
        let page = editor.isMeshDefault ? layout.meshDefaultPageSize : layout.pageSize(for: .editor)
        // The mesh-wide default's panel has more to say (a breakdown per namespace): it takes up to half the width.
        let panelWidth = editor.isMeshDefault && layout.editorPanelBeside ? max(layout.editorPanelWidth, min(72, screen.width / 2)) : layout.editorPanelWidth
        let listWidth = screen.width - panelWidth
        drawRows(editor, data: data, x: 0, y: layout.bodyTop, width: listWidth, height: page, into: &screen)
        if layout.editorPanelBeside {
            let x = listWidth
            for row in layout.bodyTop..<(layout.bodyTop + layout.bodyHeight) {
                screen.put("│", x: x, y: row, style: Theme.border)
            }
            let lines = anyPanelLines(editor, data: data, width: panelWidth - 3, rows: layout.bodyHeight, stacked: true)
            for (index, line) in lines.enumerated() {
                drawSegments(line, x: x + 2, y: layout.bodyTop + index, width: panelWidth - 3, into: &screen)
            }
        } else {
            let height = editor.isMeshDefault ? layout.meshDefaultPanelHeight : layout.editorPanelHeight
            let top = layout.bodyTop + layout.bodyHeight - height
            if height >= 4 {
                let title = "─ impact · Sidecar \(editor.target.namespace)/\(editor.sidecarName) · \(scopeText(editor)) "
                screen.put(title + String(repeating: "─", count: max(0, screen.width - title.terminalWidth)), x: 0, y: top, style: Theme.border)
                let lines = anyPanelLines(editor, data: data, width: screen.width - 2, rows: height - 1, stacked: false)
                for (index, line) in lines.enumerated() {
                    drawSegments(line, x: 1, y: top + 1 + index, width: screen.width - 2, into: &screen)
                }
            } else {
                for (index, line) in compactLines(editor).prefix(height).enumerated() {
                    drawSegments(line, x: 1, y: top + index, width: screen.width - 2, into: &screen)
                }
            }
        }
    }

    /// The mesh-wide default's panel or a namespace's or workload's.
    static func anyPanelLines(_ editor: EditorState, data: MeshData, width: Int, rows: Int, stacked: Bool) -> [Line] {
        guard let meshDefault = editor.meshDefault else { return panelLines(editor, data: data, width: width, rows: rows, stacked: stacked) }
        return MeshDefaultPanelView.lines(editor, meshDefault, data: data, width: width, rows: rows, stacked: stacked)
    }

    /// `namespace-wide · 5 sidecars`, `app=reviews · 2 sidecars` or `mesh-wide default · 1,234 sidecars`.
    static func scopeText(_ editor: EditorState) -> String {
        if let meshDefault = editor.meshDefault { return MeshDefaultPanelView.scopeText(meshDefault) }
        let scope = editor.target.workloadSelector.map { LabelSelector($0).description } ?? "namespace-wide"
        return scope + " · " + Formatting.plural(editor.impact.affectedPodCount, "sidecar")
    }

    // MARK: Rows

    /// The visible rows.
    static func drawRows(_ editor: EditorState, data: MeshData, x: Int, y: Int, width: Int, height: Int, into screen: inout Screen) {
        let cuts = editor.cutHosts
        // Per namespace, only the requests of its cut services: a partly chosen namespace is not cut as a whole.
        var cutNamespaces: [String: Int] = [:]
        for cut in editor.impact.cutDestinations {
            let namespace = cut.namespace
                ?? data.analysis.egressHost(for: ObservedDestination(host: cut.host, requests: 0), proxyNamespace: editor.target.namespace)
                .split(separator: "/").first.map(String.init) ?? ""
            cutNamespaces[namespace, default: 0] += cut.requests
        }
        for line in 0..<height {
            let position = editor.offset + line
            guard editor.rows.indices.contains(position) else { break }
            let row = editor.rows[position]
            let rowY = y + line
            drawRow(row, editor: editor, data: data, cuts: cuts, cutNamespaces: cutNamespaces, x: x, y: rowY, width: width, into: &screen)
            if position == editor.cursor { Table.highlight(y: rowY, x: x, width: width, into: &screen) }
        }
    }

    /// The glyph and style for a mark.
    static func checkbox(_ mark: HostMark) -> (String, CellStyle) {
        switch mark {
        case .selected: return ("☑", Theme.goodBold)
        case .covered: return ("✓", Theme.good)
        case .unselected: return ("☐", .plain)
        }
    }

    /// One row: expander, checkbox, host, explanation, and observed traffic on the right.
    static func drawRow(
        _ row: EditorRow, editor: EditorState, data: MeshData, cuts: Set<String>, cutNamespaces: [String: Int], x: Int, y: Int,
        width: Int, into screen: inout Screen
    ) {
        var left: Line = []
        var right: Line = []
        let mark = checkbox(editor.mark(for: row))
        switch row {
        case .section(let title):
            left = [(" " + title.uppercased(), Theme.section)]
        case .currentNamespace where editor.meshDefault != nil:
            // Mesh-wide, `.` is each sidecar's own namespace: its traffic is the calls within their namespaces.
            left = [("   ", .plain), mark, (" ./*", Theme.bold), ("  each sidecar's own namespace", Theme.dim)]
            if let impact = editor.meshDefault?.impact, impact.ownNamespaceRequests > 0 {
                let cut = impact.cuts.filter { $0.host.hasPrefix($0.sourceNamespace + "/") }.reduce(0) { $0 + $1.requests }
                right = trafficSegments(impact.ownNamespaceRequests, cut: cut)
            }
        case .currentNamespace:
            left = [("   ", .plain), mark, (" ./*", Theme.bold), ("  this namespace (\(editor.target.namespace))", Theme.dim)]
            if let requests = editor.observedByNamespace[editor.target.namespace] {
                right = trafficSegments(requests, cut: cutNamespaces[editor.target.namespace] ?? 0)
            }
        case .istiodNamespace(let namespace):
            left = [("   ", .plain), mark, (" \(namespace)/*", Theme.bold), ("  istiod namespace", Theme.dim)]
        case .namespace(let namespace):
            let expander = editor.expanded.contains(namespace) ? " ▾ " : " ▸ "
            let services = data.servicesByNamespace[namespace]?.count ?? 0
            let prefix = namespace + "/"
            let chosen = editor.hosts.count { $0.hasPrefix(prefix) && $0 != prefix + "*" }
            left = [(expander, Theme.dim), mark, (" \(namespace)/*", .plain), ("  " + Formatting.plural(services, "service"), Theme.dim)]
            if chosen > 0 { left.append((" · \(chosen) chosen", Theme.good)) }
            if let requests = editor.observedByNamespace[namespace] {
                right = trafficSegments(requests, cut: cutNamespaces[namespace] ?? 0)
            }
        case .service(let namespace, let hostname):
            left = [("     ", .plain), mark, (" " + hostname, .plain)]
            if let requests = editor.observedByHost[namespace + "/" + hostname] {
                right = trafficSegments(requests, cut: cuts.contains(hostname) ? requests : 0)
            }
        case .custom(let host):
            left = [("   ", .plain), mark, (" " + host, .plain), ("  custom", Theme.dim)]
            if let requests = editor.observedByHost[host] { right = trafficSegments(requests, cut: 0) }
        case .addCustom:
            left = [("   + add a custom host…", Theme.dim)]
        }
        let rightWidth = right.reduce(0) { $0 + $1.0.terminalWidth }
        let leftRoom = width - (rightWidth > 0 ? rightWidth + 2 : 0) - 1
        drawSegments(left, x: x, y: y, width: max(0, leftRoom), into: &screen)
        if rightWidth > 0, rightWidth + 4 < width {
            drawSegments(right, x: x + width - rightWidth - 1, y: y, width: rightWidth, into: &screen)
        }
    }

    /// `1,234 req` (green); `✗ 1,234 req cut` (red) when the selection would cut all of it, and
    /// `✗ 200 of 1,234 req cut` when it would cut `cut` of them (a namespace whose services are partly chosen).
    static func trafficSegments(_ requests: Int, cut: Int) -> Line {
        if cut <= 0 { return [("\(Formatting.count(requests)) req", Theme.good)] }
        if cut >= requests { return [("✗ \(Formatting.count(requests)) req cut", Theme.danger)] }
        return [("✗ \(Formatting.count(cut)) of \(Formatting.count(requests)) req cut", Theme.danger)]
    }

    // MARK: Impact panel

    /// The impact panel's lines, fitted into `rows` rows of `width` columns; `stacked` puts every fact on its own
    /// line (side panel).
    static func panelLines(_ editor: EditorState, data: MeshData, width: Int, rows: Int, stacked: Bool) -> [Line] {
        let impact = editor.impact
        var head: [Line] = []
        // The model behind every estimate: the fit on this mesh's proxies, or the measured table.
        let basis = data.analysis.memoryModel.summary(formatBytes: Formatting.bytes)
        let clusterChange = Formatting.percentChange(from: impact.clustersBefore, to: impact.clustersAfter)
        let memoryChange = Formatting.percentChange(from: impact.memoryBeforeBytes, to: impact.memoryAfterBytes)
        let clusters: Line = [
            ("clusters   ", Theme.dim), ("\(Formatting.count(impact.clustersBefore)) → \(Formatting.count(impact.clustersAfter))", Theme.bold),
            (clusterChange.isEmpty ? "" : " (\(clusterChange))", impact.clustersAfter < impact.clustersBefore ? Theme.good : Theme.dim),
        ]
        let memory: Line = [
            ("Envoy mem  ", Theme.dim), ("\(Formatting.bytes(impact.memoryBeforeBytes)) → ~\(Formatting.bytes(impact.memoryAfterBytes))", Theme.bold),
            (memoryChange.isEmpty ? "" : " (\(memoryChange))", impact.memoryAfterBytes < impact.memoryBeforeBytes ? Theme.good : Theme.dim),
        ]
        if stacked {
            head.append([("IMPACT ", Theme.panelTitle), ("Sidecar \(editor.target.namespace)/\(editor.sidecarName)", Theme.bold)])
            head.append([("           ", .plain), (scopeText(editor), Theme.dim)])
            head.append(clusters)
            head.append(memory)
            for text in Formatting.wrap("estimate: \(basis); working set falls only after the pods restart", width: max(10, width - 11)) {
                head.append([("           ", .plain), (text, Theme.dim)])
            }
        } else {
            head.append(clusters + [("   ", .plain)] + memory)
            for text in Formatting.wrap("estimate: \(basis); working set falls only after the pods restart", width: max(10, width), indent: "  ") {
                head.append([(text, Theme.dim)])
            }
        }
        if editor.hosts.isEmpty {
            // Nothing to write (hosts: [] is invalid): the figures above are those of no egress, i.e. */*.
            let text = "no hosts chosen: nothing to write; with no egress the pods import */* (1: common fix, 2: observed)"
            for line in (stacked ? Formatting.wrap(text, width: max(10, width)) : [text]) { head.append([(line, Theme.warning)]) }
        }
        var tail: [Line] = []
        let cuts = impact.cutDestinations
        if cuts.isEmpty {
            if editor.observedByHost.isEmpty {
                tail.append([("no traffic observed from these pods", Theme.dim)])
            } else {
                tail.append([("✓ keeps all observed traffic", Theme.good)])
            }
        } else {
            let total = cuts.reduce(0) { $0 + $1.requests }
            let text = "✗ cuts observed traffic: \(Formatting.plural(cuts.count, "destination")), \(Formatting.count(total)) req"
            for line in (stacked ? Formatting.wrap(text, width: max(10, width), indent: "  ") : [text]) { tail.append([(line, Theme.danger)]) }
        }
        var notes: [Line] = []
        for note in impact.notes {
            for (index, text) in Formatting.wrap(note, width: max(10, width - 2)).enumerated() {
                notes.append([(index == 0 ? "! " : "  ", Theme.warning), (text, Theme.warning)])
            }
        }
        var result = head
        let room = rows - result.count - tail.count
        var cutLines: [Line] = []
        let reservedForNotes = notes.isEmpty ? 0 : min(notes.count, 2)
        let cutRoom = max(0, room - reservedForNotes)
        for (index, cut) in cuts.enumerated() {
            if index == cutRoom - 1 && cuts.count > cutRoom {
                cutLines.append([("  … and \(cuts.count - index) more", Theme.danger)])
                break
            }
            if index >= cutRoom { break }
            let count = Formatting.count(cut.requests)
            let hostWidth = max(4, width - 2 - count.terminalWidth - 1)
            cutLines.append([("  " + cut.host.padded(toWidth: hostWidth) + " ", Theme.danger), (count, Theme.danger)])
        }
        result += tail + cutLines
        result += notes.prefix(max(0, rows - result.count))
        return Array(result.prefix(max(0, rows)))
    }

    /// Two short lines for a tiny panel.
    static func compactLines(_ editor: EditorState) -> [Line] {
        let impact = editor.impact
        let cuts = impact.cutDestinations
        return [
            [("clusters ", Theme.dim), ("\(Formatting.count(impact.clustersBefore))→\(Formatting.count(impact.clustersAfter))", Theme.bold),
             (" saves ~\(Formatting.bytes(impact.savingBytes))", Theme.good)],
            cuts.isEmpty
                ? [("✓ cuts no observed traffic", Theme.good)]
                : [("✗ cuts \(Formatting.plural(cuts.count, "destination"))", Theme.danger)],
        ]
    }
}
