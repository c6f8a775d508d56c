import ArgumentParser

/// `meshtrim`: the terminal UI (the default subcommand, `ui`) and the scriptable commands.
@main
struct Meshtrim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ProgramName.current,
        abstract: "Find bloated Istio sidecars and write the Sidecar resource that trims them.",
        discussion: """
            With no subcommand meshtrim opens the terminal UI. Use --demo to browse the bundled demo mesh \
            without a cluster. Installed as kubectl-meshtrim on PATH it also runs as kubectl meshtrim.

            Examples:
              meshtrim --demo
              meshtrim report -n shop
              meshtrim drift -A
              meshtrim clusters POD -n shop --why
            """,
        version: "0.1.0",
        subcommands: [UICommand.self, ScopeCommand.self, ValidateCommand.self, ClustersCommand.self, ReportCommand.self, SnapshotCommand.self, GenerateDemoCommand.self, LabCommand.self, BenchCommand.self, ApplyCommand.self, RecommendCommand.self, PlanCommand.self, CheckCommand.self, DriftCommand.self, CompletionCommand.self],
        defaultSubcommand: UICommand.self
    )
}
