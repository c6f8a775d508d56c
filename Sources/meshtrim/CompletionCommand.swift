import ArgumentParser

/// `meshtrim completion bash|zsh|fish`: the shell completion script ArgumentParser generates for every command
/// and option (the same as `meshtrim --generate-completion-script SHELL`).
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            Load it in the shell's start-up file, or install it where the shell looks for completions. The script \
            completes the meshtrim command name; it is the same as meshtrim --generate-completion-script SHELL.

            Examples:
              source <(meshtrim completion bash)                 # in ~/.bashrc
              meshtrim completion zsh > "${fpath[1]}/_meshtrim"  # zsh, then restart it
              meshtrim completion fish > ~/.config/fish/completions/meshtrim.fish
            """
    )

    @Argument(help: ArgumentHelp("The shell: bash, zsh or fish.", valueName: "shell"))
    var shell: Shell

    /// The shells ArgumentParser writes scripts for.
    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish

        var completionShell: CompletionShell {
            switch self {
            case .bash: return .bash
            case .zsh: return .zsh
            case .fish: return .fish
            }
        }
    }

    func run() throws {
        print(Meshtrim.completionScript(for: shell.completionShell))
    }
}
