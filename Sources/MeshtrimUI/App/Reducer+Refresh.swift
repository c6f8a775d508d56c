/// A refresh of the same source: new numbers under the screens the person is on.
///
/// Lists keep their filter, sort and selected row (by name, since indices move when pods come and go); a pod
/// screen whose namespace is gone and a detail screen whose pod is gone are closed. The editor and the YAML
/// preview are left alone: they describe a Sidecar being written, not the numbers.
func applyRefresh(_ state: inout AppState, _ data: MeshData) {
    let old = state.data
    state.load = .loaded(data)
    state.sourceLabel = data.analysis.source
    var stack: [Route] = []
    for route in state.stack {
        switch route {
        case .namespaces(var screen):
            var selected: String?
            if let old, let index = screen.list.selectedSource, old.analysis.namespaces.indices.contains(index) {
                selected = old.analysis.namespaces[index].name
            }
            screen.list.rows = namespaceRows(data: data, list: screen.list)
            if let selected, let position = screen.list.rows.firstIndex(where: { data.analysis.namespaces[$0].name == selected }) {
                screen.list.selection = position
            }
            stack.append(.namespaces(screen))
        case .pods(var screen):
            guard data.podIndicesByNamespace[screen.namespace] != nil || data.namespaceNames.contains(screen.namespace) else { break }
            let selected = screen.list.selectedSource.flatMap { old?.pod(at: $0)?.pod.name }
            screen.list.rows = podRows(data: data, namespace: screen.namespace, list: screen.list)
            if let selected, let position = screen.list.rows.firstIndex(where: { data.pod(at: $0)?.pod.name == selected }) {
                screen.list.selection = position
            }
            stack.append(.pods(screen))
        case .detail(var screen):
            guard let below = stack.last, case .pods = below else { break }
            guard let index = data.podIndicesByNamespace[screen.namespace]?.first(where: { data.pod(at: $0)?.pod.name == screen.podName }),
                let summary = data.pod(at: index)
            else { break }
            screen.podIndex = index
            screen.scope = data.analysis.scope(for: summary.pod)
            var traffic: [String: Int] = [:]
            for destination in summary.observation?.destinations ?? [] {
                traffic[destination.host, default: 0] += destination.requests
            }
            screen.trafficByHost = traffic
            screen.list.rows = clusterRows(screen: screen, list: screen.list)
            stack.append(.detail(screen))
        case .editor, .preview, .apply, .plan:
            stack.append(route)
        }
    }
    state.stack = stack.isEmpty ? [.namespaces(NamespacesScreen())] : stack
    clampTop(&state)
}
