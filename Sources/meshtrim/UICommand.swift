import ArgumentParser
import Foundation

/// The terminal UI: `meshtrim [--demo | --snapshot FILE | --manifests PATH… | --context NAME]` (the default
/// subcommand); without a source it reads the kubeconfig's current context.
///
/// A subcommand of its own, so that its options (`--manifests`, `--read-only`, …) never shadow the same options
/// of `scope`, `report` and the others.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "The terminal UI (what `meshtrim` runs when no subcommand is given).",
        discussion: """
            Keys: enter drills in, esc goes back, e edits egress, space toggles, y previews the YAML, w writes it, \
            / filters, : runs a command, ? shows every key, q quits.
            """
    )

    @Flag(name: .long, help: "Browse the bundled demo mesh (~30 namespaces, 1,500 pods); no cluster needed.")
    var demo = false

    @Option(name: .long, help: "Browse a snapshot captured by `meshtrim snapshot` (or generated).")
    var snapshot: String?

    @Option(name: .long, help: "Browse plain Kubernetes/Istio manifests (repeatable; files or directories). Predictions only.")
    var manifests: [String] = []

    @Flag(name: .long, help: "No colours (bold and reverse stay). The NO_COLOR environment variable does the same.")
    var noColor = false

    @Flag(name: .long, help: "Hide and refuse actions that write anything.")
    var readOnly = false

    @Option(name: .long, help: "The Istio version whose behaviour to model (default: the mesh's, else 1.31).")
    var istioVersion: String?

    @Option(name: .long, help: ArgumentHelp("Live cluster: the kubeconfig file (default: KUBECONFIG, then ~/.kube/config).", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("Live cluster: the kubeconfig context (default: the current context).", valueName: "name"))
    var context: String?

    func validate() throws {
        let sources = (demo ? 1 : 0) + (snapshot == nil ? 0 : 1) + (manifests.isEmpty ? 0 : 1)
        if sources > 1 { throw ValidationError("give one of --demo, --snapshot FILE or --manifests PATH") }
        if sources > 0 && (kubeconfig != nil || context != nil) {
            throw ValidationError("--kubeconfig and --context choose a live cluster; leave them out with --demo, --snapshot or --manifests")
        }
    }

    mutating func run() async throws {
        let source: UISource
        if demo {
            source = .demo
        } else if let snapshot {
            source = .snapshot(snapshot)
        } else if !manifests.isEmpty {
            source = .manifests(manifests)
        } else {
            source = .live(kubeconfig: kubeconfig, context: context)
            if let problem = UILaunch.precheck(source) {
                printError("meshtrim: \(problem)")
                throw ExitCode(2)
            }
        }
        let noColorVariable = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let status = await UILaunch.run(
            UILaunch.Options(
                source: source, colorEnabled: !(noColor || noColorVariable), readOnly: readOnly,
                istioVersion: try parseIstioVersion(istioVersion)))
        if status != 0 { throw ExitCode(status) }
    }
}
