import MeshtrimCore

/// The pods table: NAME, READY, PROXY, ENVOY MEM, WORKING SET, CLUSTERS (`~` = predicted), SIDECAR, DESTS.
enum PodsView {
    /// The columns; PROXY and READY go first when narrow.
    static let columns: [TableColumn] = [
        .flexible("NAME", min: 16, preferred: 22, max: 44, priority: 100),
        .fixed("READY", 5, priority: 35),
        .fixed("PROXY", 7, .left, priority: 10),
        .fixed("ENVOY MEM", 9, priority: 90),
        .fixed("WORKING SET", 11, priority: 60),
        .fixed("CLUSTERS", 8, priority: 80),
        .flexible("SIDECAR", min: 8, max: 36, priority: 50),
        .fixed("DESTS", 5, priority: 45),
    ]

    /// The column each sort shows its arrow on.
    static func columnIndex(of sort: SortColumn) -> Int? {
        switch sort {
        case .name: return 0
        case .memory: return 3
        case .workingSet: return 4
        case .clusters: return 5
        case .destinations: return 7
        default: return nil
        }
    }

    /// Draws the table into the body; a live `status` with failed reads marks those rows stale (``StaleMarks``).
    static func draw(_ state: PodsScreen, data: MeshData, layout: AppLayout, status: LiveStatus? = nil, into screen: inout Screen) {
        let columns = StaleMarks.anyStale(status) ? Self.columns + [StaleMarks.readColumn] : Self.columns
        let slots = Table.layout(columns, width: screen.width)
        Table.drawHeader(
            columns, layout: slots, sortedColumn: state.list.sort.flatMap { columnIndex(of: $0.column) },
            descending: state.list.sort?.descending ?? false, y: layout.bodyTop, into: &screen)
        let page = layout.pageSize(for: .pods)
        let first = layout.firstListRow(for: .pods)
        if state.list.rows.isEmpty {
            let message = state.list.filter.isEmpty ? "no pods in \(state.namespace)" : "no pod matches /\(state.list.filter) (esc clears)"
            screen.put(message, x: 1, y: first, style: Theme.dim)
            return
        }
        for line in 0..<page {
            let position = state.list.offset + line
            guard state.list.rows.indices.contains(position) else { break }
            guard let summary = data.pod(at: state.list.rows[position]) else { continue }
            let rowCells = StaleMarks.podCells(
                cells(summary), pod: PodKey(namespace: summary.pod.namespace, name: summary.pod.name), hasSidecar: summary.pod.hasSidecar,
                memoryColumn: 3, clustersColumn: 5, status: status)
            Table.drawRow(
                rowCells, columns: columns, layout: slots, y: first + line, width: screen.width,
                selected: position == state.list.selection, into: &screen)
        }
    }

    /// One pod's cells.
    static func cells(_ summary: PodSummary) -> [TableCell] {
        let pod = summary.pod
        guard pod.hasSidecar else {
            return [
                TableCell(pod.name, cutsInMiddle: true), TableCell(pod.readyText), TableCell("-", Theme.dim), TableCell("-", Theme.dim),
                TableCell(Formatting.bytes(summary.workingSetBytes), Theme.dim), TableCell("-", Theme.dim),
                TableCell("no proxy", Theme.dim), TableCell("-", Theme.dim),
            ]
        }
        let ready = pod.readyContainers == pod.totalContainers ? Theme.headerText : Theme.warning
        let memory = summary.envoyAllocatedBytes
        return [
            TableCell(pod.name, cutsInMiddle: true),
            TableCell(pod.readyText, ready),
            TableCell(pod.proxyVersion ?? "?"),
            TableCell(Formatting.bytes(memory), (memory ?? 0) >= 200 * 1_048_576 ? Theme.heavy : .plain),
            TableCell(Formatting.bytes(summary.workingSetBytes)),
            TableCell(
                Formatting.clusters(summary.clusterCount, predicted: !summary.isClusterCountActual),
                summary.isClusterCountActual ? .plain : Theme.warning),
            summary.sidecar.map { TableCell($0, Theme.good) }
                ?? (pod.isGateway ? TableCell("gateway (*/*)", Theme.dim, short: "gateway") : TableCell("none (*/*)", Theme.dim, short: "none")),
            TableCell(summary.observedDestinationCount == 0 ? "-" : Formatting.count(summary.observedDestinationCount)),
        ]
    }
}
