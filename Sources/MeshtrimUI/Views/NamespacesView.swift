import MeshtrimCore

/// The namespaces table: NAME, PODS, SIDECARS, ENVOY MEM, CLUSTERS/SIDECAR (`~` = some predicted), SIDECAR, SAVING,
/// DRIFT (new dependencies and trim candidates of the Sidecars in effect, `meshtrim drift`).
enum NamespacesView {
    /// The columns, most important last dropped: NAME, ENVOY MEM, SAVING, CLUSTERS/SIDECAR survive longest.
    static let columns: [TableColumn] = [
        .flexible("NAME", min: 12, preferred: 16, max: 24, priority: 100),
        .fixed("PODS", 5, priority: 40),
        .fixed("SIDECARS", 8, priority: 30),
        .fixed("ENVOY MEM", 9, priority: 90),
        .fixed("CLUSTERS/SIDECAR", 16, priority: 70),
        .flexible("SIDECAR", min: 8, max: 36, priority: 50),
        .fixed("SAVING", 8, priority: 80),
        .fixed("DRIFT", 8, priority: 20),
    ]

    /// The column each sort shows its arrow on.
    static func columnIndex(of sort: SortColumn) -> Int? {
        switch sort {
        case .name: return 0
        case .pods: return 1
        case .memory: return 3
        case .clusters: return 4
        case .saving: return 6
        default: return nil
        }
    }

    /// Draws the table into the body.
    static func draw(_ state: NamespacesScreen, data: MeshData, layout: AppLayout, into screen: inout Screen) {
        let slots = Table.layout(columns, width: screen.width)
        Table.drawHeader(
            columns, layout: slots, sortedColumn: state.list.sort.flatMap { columnIndex(of: $0.column) },
            descending: state.list.sort?.descending ?? false, y: layout.bodyTop, into: &screen)
        let page = layout.pageSize(for: .namespaces)
        let first = layout.firstListRow(for: .namespaces)
        if state.list.rows.isEmpty {
            let message = state.list.filter.isEmpty ? "no namespaces" : "no namespace matches /\(state.list.filter) (esc clears)"
            screen.put(message, x: 1, y: first, style: Theme.dim)
            return
        }
        let rows = data.analysis.namespaces
        for line in 0..<page {
            let position = state.list.offset + line
            guard state.list.rows.indices.contains(position) else { break }
            let index = state.list.rows[position]
            guard rows.indices.contains(index) else { continue }
            Table.drawRow(
                cells(
                    rows[index], predicted: data.namespacesWithPredictedClusters.contains(rows[index].name),
                    drift: data.driftByNamespace[rows[index].name]), columns: columns, layout: slots, y: first + line, width: screen.width,
                selected: position == state.list.selection, into: &screen)
        }
    }

    /// One namespace's cells; `predicted` marks the clusters average `~` (some counts are predictions); `drift` is
    /// `nil` where no Sidecar is in effect.
    static func cells(_ row: NamespaceSummary, predicted: Bool, drift: NamespaceDrift? = nil) -> [TableCell] {
        let sidecar: TableCell
        let inEffect = row.sidecarsInEffect.filter { $0 != "default" }
        if row.sidecars == 0 {
            sidecar = TableCell("-", Theme.dim)
        } else if inEffect.isEmpty {
            sidecar = TableCell("none (*/*)", Theme.dim, short: "none")
        } else {
            let more = row.sidecarsInEffect.count > 1 ? " +\(row.sidecarsInEffect.count - 1)" : ""
            sidecar = TableCell(inEffect[0] + more, Theme.good)
        }
        let memory = row.observedSidecars == 0 ? "-" : Formatting.bytes(row.envoyAllocatedBytes)
        let saving = row.commonFixSavingBytes > 0 ? "~" + Formatting.bytes(row.commonFixSavingBytes) : "-"
        return [
            TableCell(row.name),
            TableCell(Formatting.count(row.pods)),
            TableCell(Formatting.count(row.sidecars)),
            TableCell(memory, row.envoyAllocatedBytes >= 1_073_741_824 ? Theme.heavy : .plain),
            row.sidecars == 0
                ? TableCell("-")
                : TableCell((predicted ? "~" : "") + Formatting.average(row.averageClusters), predicted ? Theme.warning : .plain),
            sidecar,
            TableCell(saving, row.commonFixSavingBytes > 0 ? Theme.good : Theme.dim),
            drift.map { TableCell($0.text, $0.newDependencies > 0 ? Theme.warning : $0.hasDrift ? .plain : Theme.dim) }
                ?? TableCell("-", Theme.dim),
        ]
    }
}
