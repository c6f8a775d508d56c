import MeshtrimCore

/// The parts around every screen: the header (source, Istio version, totals), breadcrumbs, and the flash or prompt
/// line.
enum Chrome {
    /// The header line, most important first: `⎈ meshtrim  demo · Istio 1.31 · 1,534 sidecars · Envoy 53.8Gi · saving ~42.7Gi · …`.
    static func drawHeader(_ state: AppState, y: Int, into screen: inout Screen) {
        var x = screen.put("⎈ meshtrim", x: 1, y: y, style: Theme.brand)
        x += 2
        for fact in headerFacts(state, width: screen.width) {
            if fact.separated { x = screen.put(" · ", x: x, y: y, style: Theme.headerLabel) }
            x = screen.put(fact.text, x: x, y: y, style: fact.style, maxWidth: screen.width - x)
        }
    }

    /// The header's facts that fit in `width` columns, in order (the first always, cut if need be); the mesh-wide
    /// default in effect is given with its hosts when they fit, else by name.
    static func headerFacts(_ state: AppState, width: Int) -> [(text: String, style: CellStyle, separated: Bool)] {
        var x = 1 + "⎈ meshtrim".terminalWidth + 2
        var facts: [(String, CellStyle, String?)] = [(state.sourceLabel, Theme.bold, nil)]
        if let data = state.data {
            let totals = data.totals
            facts += [
                ("Istio \(data.istioVersion)", Theme.headerText, nil),
                ("\(Formatting.count(totals.sidecars)) sidecars", Theme.headerText, nil),
                // Unknown is `-`, not `0B`: a manifests-only mesh has no Envoy to measure.
                ("Envoy \(totals.observedSidecars == 0 ? "-" : Formatting.bytes(totals.envoyAllocatedBytes))", Theme.total, nil),
                ("saving \(totals.commonFixSavingBytes > 0 ? "~" + Formatting.bytes(totals.commonFixSavingBytes) : "-")", Theme.good, nil),
            ]
        }
        if state.readOnly { facts.append(("read-only", Theme.warning, nil)) }
        // A live cluster: when it was last read; a failed refresh goes right after the source (it must not be cut).
        if let status = state.live.status, let text = status.headerText {
            if status.refreshFailure != nil { facts.insert((text, Theme.danger, nil), at: 1) } else { facts.append((text, Theme.dim, nil)) }
        }
        if let data = state.data {
            // The mesh-wide default in effect: with its hosts when they fit, else by name.
            facts += [
                (data.meshDefaultText(short: false), data.meshDefaultSidecar == nil ? Theme.warning : Theme.good, data.meshDefaultText(short: true)),
                ("\(Formatting.count(data.totals.pods)) pods", Theme.headerText, nil),
                ("\(Formatting.count(data.totals.namespaces)) ns", Theme.headerText, nil),
            ]
        }
        var fitted: [(text: String, style: CellStyle, separated: Bool)] = []
        for (index, fact) in facts.enumerated() {
            guard index > 0 else {
                fitted.append((fact.0, fact.1, false))
                x += fact.0.terminalWidth
                continue
            }
            guard let text = [fact.0, fact.2].compactMap({ $0 }).first(where: { x + 3 + $0.terminalWidth <= width }) else { break }
            fitted.append((text, fact.1, true))
            x += 3 + text.terminalWidth
        }
        return fitted
    }

    /// Breadcrumbs on the left (` namespaces `, ` bookinfo `, …; the last highlighted) and `right` on the right.
    static func drawCrumbs(_ state: AppState, right: String, y: Int, into screen: inout Screen) {
        let rightWidth = right.terminalWidth
        let limit = screen.width - (rightWidth > 0 ? rightWidth + 2 : 0)
        var crumbs = state.breadcrumbs
        // Drop the oldest crumbs (keeping the root) until they fit.
        func width(_ list: [String]) -> Int { list.reduce(0) { $0 + $1.terminalWidth + 3 } }
        var elided = false
        while crumbs.count > 2 && width(crumbs) + (elided ? 2 : 0) > limit {
            crumbs.remove(at: 1)
            elided = true
        }
        var x = 0
        for (index, crumb) in crumbs.enumerated() {
            if index == 1 && elided { x = screen.put("… ", x: x, y: y, style: Theme.dim, maxWidth: max(0, limit - x)) }
            let last = index == crumbs.count - 1
            x = screen.put(" \(crumb) ", x: x, y: y, style: last ? Theme.crumbCurrent : Theme.crumb, maxWidth: max(0, limit - x))
            if !last { x = screen.put(" ", x: x, y: y, maxWidth: max(0, limit - x)) }
        }
        if rightWidth > 0 && rightWidth < screen.width {
            screen.put(right, x: screen.width - rightWidth - 1, y: y, style: Theme.dim)
        }
    }

    /// The flash line: an open prompt (label, text, cursor) or the flash message.
    static func drawStatus(_ state: AppState, y: Int, into screen: inout Screen) {
        if let prompt = state.prompt {
            var x = screen.put(prompt.kind.label, x: 1, y: y, style: Theme.promptLabel)
            let room = max(1, screen.width - x - 1)
            // Keep the end of long input visible.
            var text = prompt.text
            while text.terminalWidth > room - 1, !text.isEmpty { text.removeFirst() }
            x = screen.put(text, x: x, y: y)
            screen.put(" ", x: x, y: y, style: Theme.promptCursor)
            return
        }
        if let flash = state.flash {
            screen.put(" " + flash.message, x: 0, y: y, style: flash.kind == .error ? Theme.flashError : Theme.flashInfo, maxWidth: screen.width)
        }
    }

    /// `3/30` rows, plus the filter: what the crumbs line shows on the right of a list screen.
    static func listSummary(_ list: ListState, total: Int) -> String {
        var parts: [String] = []
        if !list.filter.isEmpty { parts.append("/" + list.filter) }
        let position = list.rows.isEmpty ? 0 : list.selection + 1
        parts.append("\(Formatting.count(position))/\(Formatting.count(list.rows.count))" + (list.rows.count != total ? " of \(Formatting.count(total))" : ""))
        return parts.joined(separator: "  ")
    }
}
