import MeshtrimCore

/// How a live source's stale figures look: a pod whose last read failed keeps its older figures, dimmed with a
/// `✗`, and a READ column says how old they are; nothing changes while every read succeeds.
enum StaleMarks {
    /// The column added to the pods table while some sidecar's last read failed.
    static let readColumn = TableColumn.fixed("READ", 12, .left, priority: 85)

    /// Whether anything is stale (the READ column is shown).
    static func anyStale(_ status: LiveStatus?) -> Bool { !(status?.failedReads.isEmpty ?? true) }

    /// A pods-table row with its stale marks: memory and clusters marked `✗`, and the READ cell (`✗ 12m ago`, or
    /// `ok` for a fresh row), when `status` says some read failed; the row as it is otherwise.
    static func podCells(_ cells: [TableCell], pod: PodKey, hasSidecar: Bool, memoryColumn: Int, clustersColumn: Int, status: LiveStatus?) -> [TableCell] {
        guard let status, anyStale(status) else { return cells }
        guard hasSidecar else { return cells + [TableCell("-", Theme.dim)] }
        guard let age = status.staleAge(for: pod) else { return cells + [TableCell("ok", Theme.dim)] }
        var marked = cells
        for index in [memoryColumn, clustersColumn] where marked.indices.contains(index) {
            marked[index] = TableCell("✗" + marked[index].text, Theme.warning)
        }
        return marked + [TableCell("✗ " + age, Theme.warning)]
    }

    /// The detail panel's line about a pod whose last read failed: when its figures were read, and when and why
    /// the last read failed; `nil` when fresh.
    static func detailSegments(pod: PodKey, status: LiveStatus?) -> [(String, CellStyle)]? {
        guard let status, let failed = status.failedReads[pod] else { return nil }
        var segments: [(String, CellStyle)] = [("✗ stale ", Theme.danger)]
        if let read = failed.figuresReadAt {
            segments.append(("figures read \(read.clock) (\(read.age(at: status.now)))", Theme.warning))
        } else {
            segments.append(("never read", Theme.warning))
        }
        segments += [
            (" · last read failed \(failed.failedAt.clock) (\(failed.failedAt.age(at: status.now))): ", Theme.warning),
            (failed.message, Theme.danger),
        ]
        return segments
    }
}
