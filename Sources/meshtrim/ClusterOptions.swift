import ArgumentParser

/// `--kubeconfig` and `--context`, as kubectl spells them: which cluster a command reads or writes. One option group
/// for every command that talks to a cluster (the mesh sources, `snapshot`, `apply`), so their names, help and
/// defaults cannot drift apart.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The kubeconfig file (default: KUBECONFIG, then ~/.kube/config).", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("The kubeconfig context (default: the current context).", valueName: "name"))
    var context: String?

    /// Whether either option was given (a live cluster was chosen explicitly).
    var isGiven: Bool { kubeconfig != nil || context != nil }
}
