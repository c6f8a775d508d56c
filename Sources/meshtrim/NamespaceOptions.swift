import ArgumentParser
import MeshtrimCore

/// `-n NAMESPACE` or `-A`, as kubectl spells them: one namespace, or all of them (the default). One option group for
/// the commands that read the whole mesh but can show one namespace (`report`, `drift`), so their names, help, the
/// refusal of both at once and the "not found" message cannot drift apart.
struct NamespaceOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Only this namespace.")
    var namespace: String?

    @Flag(name: [.customShort("A"), .long], help: "All namespaces (the default).")
    var allNamespaces = false

    /// The namespace asked for, as the list a mesh source takes (`nil`: all).
    var selected: [String]? { namespace.map { [$0] } }

    func validate() throws {
        if namespace != nil && allNamespaces { throw ValidationError("give -n NAMESPACE or -A, not both") }
    }

    /// Throws when the namespace asked for is not in the mesh `analysis` read: neither a Namespace of its
    /// inventory nor the namespace of one of its pods.
    func requireKnown(in analysis: MeshAnalysis) throws {
        guard let namespace, !analysis.namespaces.contains(where: { $0.name == namespace }) else { return }
        throw RuntimeError("namespace \(namespace) not found in \(analysis.source)")
    }
}
