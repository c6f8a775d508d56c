import MeshtrimCore

/// One pod's sidecar: a memory panel, then its clusters in istioctl's columns plus TRAFFIC and WHY.
enum SidecarDetailView {
    /// istioctl's `proxy-config clusters` columns, then observed traffic and the engine's reason.
    static let columns: [TableColumn] = [
        .flexible("SERVICE FQDN", min: 20, preferred: 35, max: 48, priority: 100),
        .fixed("PORT", 5, priority: 90),
        .flexible("SUBSET", min: 6, max: 12, priority: 75),
        .fixed("DIRECTION", 9, .left, priority: 40),
        .fixed("TYPE", 12, .left, priority: 50),
        .flexible("DESTINATION RULE", min: 16, max: 40, priority: 30),
        .fixed("TRAFFIC", 11, priority: 80),
        .flexible("WHY", min: 10, preferred: 15, priority: 70),
    ]

    /// The column each sort shows its arrow on.
    static func columnIndex(of sort: SortColumn) -> Int? {
        switch sort {
        case .name: return 0
        case .traffic: return 6
        default: return nil
        }
    }

    /// Draws the panel and the table into the body; a live `status` says whether the figures are stale.
    static func draw(_ state: DetailScreen, data: MeshData, layout: AppLayout, status: LiveStatus? = nil, into screen: inout Screen) {
        guard let summary = data.pod(at: state.podIndex) else { return }
        drawPanel(state, summary: summary, data: data, layout: layout, status: status, into: &screen)
        let headerRow = layout.bodyTop + layout.detailPanelHeight
        let slots = Table.layout(columns, width: screen.width)
        Table.drawHeader(
            columns, layout: slots, sortedColumn: state.list.sort.flatMap { columnIndex(of: $0.column) },
            descending: state.list.sort?.descending ?? false, y: headerRow, into: &screen)
        if layout.detailPanelHeight == 0, let tag = namesTag(state) {
            // No panel on small terminals: a short tag at the right of the column header says where names stand.
            let x = screen.width - tag.0.terminalWidth - 1
            if x > 14 {
                screen.fill(x: x - 1, y: headerRow, width: tag.0.terminalWidth + 1, height: 1)
                screen.put(tag.0, x: x, y: headerRow, style: tag.1)
            }
        }
        let page = layout.pageSize(for: .detail, showsReason: state.showsReason)
        let first = headerRow + 1
        if state.list.rows.isEmpty {
            screen.put(state.list.filter.isEmpty ? "no clusters" : "no cluster matches /\(state.list.filter) (esc clears)", x: 1, y: first, style: Theme.dim)
        }
        let clusters = state.scope.clusters
        for line in 0..<page {
            let position = state.list.offset + line
            guard state.list.rows.indices.contains(position) else { break }
            let index = state.list.rows[position]
            guard clusters.indices.contains(index) else { continue }
            var rowCells = cells(clusters[index], traffic: state.trafficByHost[clusters[index].serviceFQDN])
            if case .actual(let actual) = state.clusterNames, !actual.contains(clusters[index].name) {
                rowCells[rowCells.count - 1] = TableCell("✗ not in Envoy · " + clusters[index].reason.description, Theme.warning)
            }
            Table.drawRow(
                rowCells, columns: columns,
                layout: slots, y: first + line, width: screen.width, selected: position == state.list.selection, into: &screen)
        }
        if state.showsReason, let index = state.list.selectedSource, clusters.indices.contains(index) {
            drawReason(clusters[index], traffic: state.trafficByHost[clusters[index].serviceFQDN], layout: layout, into: &screen)
        }
    }

    /// One cluster's cells.
    static func cells(_ cluster: PredictedCluster, traffic: Int?) -> [TableCell] {
        [
            TableCell(cluster.serviceFQDN),
            TableCell(cluster.port.map(String.init) ?? "-"),
            TableCell(cluster.subset.isEmpty ? "-" : cluster.subset),
            TableCell(cluster.direction.rawValue),
            TableCell(cluster.type),
            TableCell(cluster.destinationRule.isEmpty ? "-" : cluster.destinationRule),
            traffic.map { TableCell(Formatting.count($0), Theme.good) } ?? TableCell("-", Theme.dim),
            TableCell(cluster.reason.description, Theme.dim),
        ]
    }

    /// The memory panel: what Envoy uses, clusters actual vs predicted, the model, the Sidecar in effect.
    static func drawPanel(
        _ state: DetailScreen, summary: PodSummary, data: MeshData, layout: AppLayout, status: LiveStatus? = nil, into screen: inout Screen
    ) {
        let height = layout.detailPanelHeight
        guard height > 0 else { return }
        let y = layout.bodyTop
        let observation = summary.observation
        var segments: [(String, CellStyle)] = [("Envoy ", Theme.panelTitle)]
        if let observation, observation.envoyAllocatedBytes != nil || observation.workingSetBytes != nil {
            segments += [
                ("allocated ", Theme.dim), (Formatting.bytes(observation.envoyAllocatedBytes), Theme.heavy),
                ("  heap ", Theme.dim), (Formatting.bytes(observation.envoyHeapBytes), .plain),
                ("  physical ", Theme.dim), (Formatting.bytes(observation.envoyPhysicalBytes), .plain),
                ("  working set ", Theme.dim), (Formatting.bytes(observation.workingSetBytes), .plain),
                ("  (\(observation.source))", Theme.dim),
            ]
        } else {
            segments += [("no observation: numbers below are predictions", Theme.warning)]
        }
        drawSegments(segments, x: 1, y: y, width: screen.width - 2, into: &screen)
        // A failed last read: the figures above are older; this takes the line under them (the Sidecar line).
        let stale = StaleMarks.detailSegments(pod: PodKey(namespace: state.namespace, name: state.podName), status: status)
        if let stale, height < 4 {
            // A short panel: saying the figures are stale matters more than the cluster line.
            drawSegments(stale, x: 1, y: y + 1, width: screen.width - 2, into: &screen)
            return
        }
        let predicted = summary.predictedClusters
        let model = data.analysis.memoryModel
        var clusters: [(String, CellStyle)] = [("Clusters ", Theme.panelTitle)]
        let names = namesSegments(state)
        if let actual = summary.activeClusters, !state.clusterNames.isActual {
            clusters += [(Formatting.count(actual), Theme.bold), (" actual", Theme.dim), ("  ", .plain)]
        }
        clusters += [("~" + Formatting.count(predicted), Theme.warning), (" predicted", Theme.dim)]
        if names.isEmpty {
            clusters += [
                ("  model ~\(Formatting.bytes(model.estimatedBytes(clusters: summary.clusterCount)))", .plain),
                (" at \(Formatting.count(summary.clusterCount)) (\(model.basis))", Theme.dim),
            ]
        } else {
            clusters += [(" · ", Theme.dim)] + names
        }
        drawSegments(clusters, x: 1, y: y + 1, width: screen.width - 2, into: &screen)
        guard height >= 4 else { return }
        if let stale {
            drawSegments(stale, x: 1, y: y + 2, width: screen.width - 2, into: &screen)
        } else {
            drawSidecarLine(state, y: y + 2, into: &screen)
        }
        drawPanelFooter(state, y: y + 3, into: &screen)
    }

    /// The Sidecar in effect and why.
    static func drawSidecarLine(_ state: DetailScreen, y: Int, into screen: inout Screen) {
        let sidecar = state.scope.sidecar.map { $0.meta.qualifiedName } ?? "none: default scope */*"
        drawSegments(
            [("Sidecar ", Theme.panelTitle), (sidecar, state.scope.sidecar == nil ? Theme.warning : Theme.good),
             (" · " + state.scope.sidecarReason, Theme.dim)],
            x: 1, y: y, width: screen.width - 2, into: &screen)
    }

    /// The panel's last line: the names' differences, the first warning, or the scope's counts.
    static func drawPanelFooter(_ state: DetailScreen, y: Int, into screen: inout Screen) {
        let warnings = state.scope.warnings
        if let details = namesDetails(state) {
            drawSegments(details, x: 1, y: y, width: screen.width - 2, into: &screen)
        } else if let warning = warnings.first {
            let more = warnings.count > 1 ? " (+\(warnings.count - 1) more)" : ""
            drawSegments([("! ", Theme.warning), (warning + more, Theme.warning)], x: 1, y: y, width: screen.width - 2, into: &screen)
        } else {
            let outbound = state.scope.outboundClusters.count
            drawSegments(
                [("\(Formatting.count(state.scope.services.count)) services imported · \(Formatting.count(outbound)) outbound clusters · outbound policy \(state.scope.outboundTrafficPolicy.rawValue)", Theme.dim)],
                x: 1, y: y, width: screen.width - 2, into: &screen)
        }
    }

    /// What is known about the actual cluster names on a live source, for the clusters line: "actual (N names,
    /// fetched HH:MM:SS)" and whether they match the prediction, "fetching…", or that only the prediction is
    /// shown. Empty for file sources.
    static func namesSegments(_ state: DetailScreen) -> [(String, CellStyle)] {
        switch state.clusterNames {
        case .unavailable:
            return []
        case .fetching:
            return [("names: ", Theme.dim), ("fetching…", Theme.warning)]
        case .actual(let actual):
            let difference = actual.difference(from: state.scope.clusters.map(\.name))
            let same = difference.onlyInEnvoy.isEmpty && difference.notInEnvoy.isEmpty
            return [
                ("actual", Theme.bold), (" (\(Formatting.plural(actual.names.count, "name")), fetched \(actual.fetchedAt))", Theme.dim),
                same ? (" = predicted", Theme.good) : (" ≠ predicted", Theme.warning),
            ]
        case .notPermitted:
            return [("names: predicted", Theme.warning), (" (not permitted)", Theme.dim)]
        case .failed:
            return [("names: predicted", Theme.warning), (" (fetch failed)", Theme.dim)]
        }
    }

    /// The line under the Sidecar line when there is something to say about the names: the differences between
    /// Envoy's names and the prediction, the RBAC note, or the error; `nil` otherwise.
    static func namesDetails(_ state: DetailScreen) -> [(String, CellStyle)]? {
        switch state.clusterNames {
        case .unavailable, .fetching:
            return nil
        case .actual(let actual):
            let difference = actual.difference(from: state.scope.clusters.map(\.name))
            guard !difference.onlyInEnvoy.isEmpty || !difference.notInEnvoy.isEmpty else { return nil }
            let only = difference.onlyInEnvoy
            let missing = difference.notInEnvoy
            // The rows mark what Envoy lacks; the names only Envoy has appear nowhere else, so they are listed.
            var line: [(String, CellStyle)] = []
            if !only.isEmpty { line.append(("\(Formatting.count(only.count)) only in Envoy", Theme.warning)) }
            if !missing.isEmpty {
                line.append(((only.isEmpty ? "" : ", ") + "\(Formatting.count(missing.count)) not in Envoy (✗ below)", Theme.warning))
            }
            if only.isEmpty {
                line += [(": ", Theme.dim), (listed(missing), .plain)]
            } else {
                line += [(missing.isEmpty ? ": " : " · only in Envoy: ", Theme.dim), (listed(only), .plain)]
            }
            return line
        case .notPermitted(let message):
            return [(message, Theme.warning)]
        case .failed(let message):
            return [("cluster names: ", Theme.panelTitle), (message, Theme.danger)]
        }
    }

    /// The names' state in a few columns, for terminals too small for the panel.
    static func namesTag(_ state: DetailScreen) -> (String, CellStyle)? {
        switch state.clusterNames {
        case .unavailable: return nil
        case .fetching: return ("names…", Theme.warning)
        case .actual(let actual):
            let difference = actual.difference(from: state.scope.clusters.map(\.name))
            if difference.onlyInEnvoy.isEmpty && difference.notInEnvoy.isEmpty { return ("actual = predicted", Theme.good) }
            return ("actual +\(difference.onlyInEnvoy.count) −\(difference.notInEnvoy.count)", Theme.warning)
        case .notPermitted: return ("names: not permitted", Theme.warning)
        case .failed: return ("names: failed", Theme.danger)
        }
    }

    /// The first names of a list, then how many more.
    static func listed(_ names: [String], limit: Int = 3) -> String {
        let shown = names.prefix(limit).joined(separator: ", ")
        return names.count > limit ? shown + " (+\(names.count - limit) more)" : shown
    }

    /// The reason panel at the bottom of the body, for `enter` on a cluster.
    static func drawReason(_ cluster: PredictedCluster, traffic: Int?, layout: AppLayout, into screen: inout Screen) {
        let height = layout.reasonPanelHeight
        let top = layout.bodyTop + layout.bodyHeight - height
        screen.fill(x: 0, y: top, width: screen.width, height: height)
        if height == 1 {
            drawSegments([("why: ", Theme.panelTitle), (cluster.reason.description, .plain)], x: 1, y: top, width: screen.width - 2, into: &screen)
            return
        }
        screen.put(String(repeating: "─", count: screen.width), x: 0, y: top, style: Theme.border)
        screen.put(" " + cluster.name + " ", x: 2, y: top, style: Theme.panelTitle, maxWidth: screen.width - 4)
        drawSegments([("why: ", Theme.panelTitle), (cluster.reason.description, .plain)], x: 1, y: top + 1, width: screen.width - 2, into: &screen)
        let trafficText = traffic.map { "\(Formatting.count($0)) requests observed to \(cluster.serviceFQDN)" } ?? "no traffic observed to \(cluster.serviceFQDN)"
        drawSegments([("traffic: ", Theme.panelTitle), (trafficText, traffic == nil ? Theme.dim : Theme.good)], x: 1, y: top + 2, width: screen.width - 2, into: &screen)
    }
}

/// Draws styled segments left to right, clipped at `width` columns.
func drawSegments(_ segments: [(String, CellStyle)], x: Int, y: Int, width: Int, into screen: inout Screen) {
    var column = x
    let end = x + max(0, width)
    for (text, style) in segments {
        guard column < end else { break }
        let room = end - column
        let shown = text.terminalWidth > room ? text.truncated(toWidth: room) : text
        column = screen.put(shown, x: column, y: y, style: style, maxWidth: room)
    }
}
