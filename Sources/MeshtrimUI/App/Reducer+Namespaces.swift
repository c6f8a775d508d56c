import MeshtrimCore

/// The namespaces screen: `enter` opens the pods, `e` the namespace-wide egress editor.
func performOnNamespaces(_ state: inout AppState, _ command: Command, data: MeshData) -> [Effect] {
    guard case .namespaces(let screen) = state.top else { return [] }
    guard let index = screen.list.selectedSource, data.analysis.namespaces.indices.contains(index) else {
        return command == .drillIn || command == .openEditor ? flash(&state, "no namespace selected", kind: .info) : []
    }
    let namespace = data.analysis.namespaces[index]
    switch command {
    case .drillIn:
        pushPods(&state, namespace: namespace.name, data: data)
        return []
    case .openEditor:
        // In the root namespace a Sidecar without a selector is the mesh-wide default.
        if namespace.name == data.analysis.inventory.meshConfig.rootNamespace { return openMeshDefaultEditor(&state) }
        return openEditor(&state, target: EditorTarget(namespace: namespace.name), data: data)
    default:
        return []
    }
}

/// Pushes the pods screen of `namespace`, sorted by memory.
func pushPods(_ state: inout AppState, namespace: String, data: MeshData) {
    var screen = PodsScreen(namespace: namespace)
    screen.list.rows = podRows(data: data, namespace: namespace, list: screen.list)
    state.stack.append(.pods(screen))
}
