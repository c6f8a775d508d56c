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

            Examples:
              meshtrim --demo
              meshtrim --context prod
              meshtrim ui --snapshot mesh.json --read-only
            """
    )

    @OptionGroup var source: SourceOptions

    @Flag(name: .long, help: "No colours (bold and reverse stay). The NO_COLOR environment variable does the same.")
    var noColor = false

    @Flag(name: .long, help: "Hide and refuse actions that write anything.")
    var readOnly = false

    mutating func run() async throws {
        let meshSource = source.meshSource()
        if source.isLive, let problem = meshSource.precheck() {
            printError("meshtrim: \(problem)")
            throw ExitCode(2)
        }
        let noColorVariable = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let status = await UILaunch.run(
            UILaunch.Options(
                source: meshSource, colorEnabled: !(noColor || noColorVariable), readOnly: readOnly,
                istioVersion: try parseIstioVersion(source.istioVersion),
                proxyConcurrency: source.proxyConcurrency, portForwardConcurrency: source.portForwardConcurrency))
        if status != 0 { throw ExitCode(status) }
    }
}
