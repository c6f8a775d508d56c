import MeshtrimCore

/// Commands shared by the list screens (namespaces, pods, detail): movement, sort, filter; the rest goes to the
/// screen's own sub-reducer.
func performOnList(_ state: inout AppState, _ command: Command) -> [Effect] {
    guard let data = state.data, var list = state.top.list else { return [] }
    let page = state.pageSize
    switch command {
    case .up: list.move(by: -1, pageSize: page)
    case .down: list.move(by: 1, pageSize: page)
    case .pageUp: list.move(by: -page, pageSize: page)
    case .pageDown: list.move(by: page, pageSize: page)
    case .top: list.select(0, pageSize: page)
    case .bottom: list.select(list.rows.count - 1, pageSize: page)
    case .sort(let column):
        list.sort = (list.sort ?? SortOrder(column, descending: !column.startsDescending)).pressing(column)
        var route = state.top
        route.list = list
        refreshRows(&route, data: data, pageSize: page)
        // A new order is read from the top: show its first row, not the old selection somewhere in the middle.
        if var sorted = route.list {
            sorted.select(0, pageSize: page)
            route.list = sorted
        }
        state.top = route
        return []
    case .filter:
        state.prompt = PromptState(kind: .filter, text: list.filter, previousFilter: list.filter)
        return []
    default:
        switch state.top {
        case .namespaces: return performOnNamespaces(&state, command, data: data)
        case .pods: return performOnPods(&state, command, data: data)
        case .detail: return performOnDetail(&state, command, data: data)
        case .editor, .preview, .apply, .plan: return []
        }
    }
    var route = state.top
    route.list = list
    state.top = route
    return []
}

/// Recomputes a list screen's rows from its filter and sort, keeping the selected row when it stays.
func refreshRows(_ route: inout Route, data: MeshData, pageSize: Int) {
    switch route {
    case .namespaces(var screen):
        screen.list.replaceRows(namespaceRows(data: data, list: screen.list), pageSize: pageSize)
        route = .namespaces(screen)
    case .pods(var screen):
        screen.list.replaceRows(podRows(data: data, namespace: screen.namespace, list: screen.list), pageSize: pageSize)
        route = .pods(screen)
    case .detail(var screen):
        screen.list.replaceRows(clusterRows(screen: screen, list: screen.list), pageSize: pageSize)
        route = .detail(screen)
    case .editor, .preview, .apply, .plan:
        break
    }
}

/// Sorts `indices` by `key` (ascending), then applies the direction; ties keep the name order.
private func ordered<Key: Comparable>(_ indices: [Int], descending: Bool, key: (Int) -> Key, name: (Int) -> String) -> [Int] {
    indices.sorted { left, right in
        let a = key(left)
        let b = key(right)
        if a != b { return descending ? a > b : a < b }
        return name(left) < name(right)
    }
}

/// Namespace rows (indices into `analysis.namespaces`) for a filter and sort.
public func namespaceRows(data: MeshData, list: ListState) -> [Int] {
    let rows = data.analysis.namespaces
    let shown = rows.indices.filter { index in
        list.filter.isEmpty || ListFilter.matches(rows[index].name + " " + rows[index].sidecarsInEffect.joined(separator: " "), filter: list.filter)
    }
    guard let sort = list.sort else { return shown }
    let name: (Int) -> String = { rows[$0].name }
    switch sort.column {
    case .name:
        return sort.descending ? shown.sorted { rows[$0].name > rows[$1].name } : shown.sorted { rows[$0].name < rows[$1].name }
    case .pods: return ordered(shown, descending: sort.descending, key: { rows[$0].pods }, name: name)
    case .memory: return ordered(shown, descending: sort.descending, key: { rows[$0].envoyAllocatedBytes }, name: name)
    case .clusters: return ordered(shown, descending: sort.descending, key: { rows[$0].averageClusters }, name: name)
    case .saving: return ordered(shown, descending: sort.descending, key: { rows[$0].commonFixSavingBytes }, name: name)
    case .workingSet, .destinations, .traffic: return shown
    }
}

/// Pod rows (indices into `analysis.pods`) of a namespace for a filter and sort.
public func podRows(data: MeshData, namespace: String, list: ListState) -> [Int] {
    let pods = data.analysis.pods
    let all = data.podIndicesByNamespace[namespace] ?? []
    let shown = list.filter.isEmpty
        ? all
        : all.filter { ListFilter.matches(pods[$0].pod.name + " " + (pods[$0].sidecar ?? ""), filter: list.filter) }
    guard let sort = list.sort else { return shown }
    let name: (Int) -> String = { pods[$0].pod.name }
    switch sort.column {
    case .name:
        return sort.descending ? shown.sorted { name($0) > name($1) } : shown.sorted { name($0) < name($1) }
    case .memory: return ordered(shown, descending: sort.descending, key: { pods[$0].envoyAllocatedBytes ?? -1 }, name: name)
    case .workingSet: return ordered(shown, descending: sort.descending, key: { pods[$0].workingSetBytes ?? -1 }, name: name)
    case .clusters: return ordered(shown, descending: sort.descending, key: { pods[$0].pod.hasSidecar ? pods[$0].clusterCount : -1 }, name: name)
    case .destinations: return ordered(shown, descending: sort.descending, key: { pods[$0].observedDestinationCount }, name: name)
    case .pods, .saving, .traffic: return shown
    }
}

/// Cluster rows (indices into the scope's clusters) for a filter and sort; unsorted keeps istioctl's order.
public func clusterRows(screen: DetailScreen, list: ListState) -> [Int] {
    let clusters = screen.scope.clusters
    let shown = clusters.indices.filter { index in
        list.filter.isEmpty
            || ListFilter.matches(clusters[index].name + " " + clusters[index].reason.description, filter: list.filter)
    }
    guard let sort = list.sort else { return shown }
    let name: (Int) -> String = { clusters[$0].name }
    switch sort.column {
    case .name:
        let key: (Int) -> String = { clusters[$0].serviceFQDN + "|" + String(clusters[$0].port ?? 0) + "|" + clusters[$0].subset }
        return sort.descending ? shown.sorted { key($0) > key($1) } : shown.sorted { key($0) < key($1) }
    case .traffic:
        return ordered(shown, descending: sort.descending, key: { screen.trafficByHost[clusters[$0].serviceFQDN] ?? 0 }, name: name)
    default:
        return shown
    }
}
