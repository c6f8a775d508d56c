/// What a `:` command does; ``runCommand(_:_:)`` dispatches on these, never on the typed words.
public enum CommandAction: Hashable, Sendable {
    /// `:q`: quit meshtrim.
    case quit
    /// `:help`: open the `?` overlay.
    case help
    /// `:ns`: back to the namespaces screen.
    case namespaces
    /// `:pods [NS]`: the pods of a namespace (the current one without an argument).
    case pods
    /// `:mesh`: the egress editor of the mesh-wide default.
    case meshDefault
    /// `:plan`: the plan of the whole mesh.
    case plan
    /// `:ctx [NAME]`: list the kubeconfig's contexts, or switch to one.
    case context
}

/// What a `:` command's argument is, and so what `tab` completes it from.
public enum CommandArgument: Hashable, Sendable {
    /// No argument.
    case none
    /// An optional namespace, completed from the mesh's namespaces.
    case namespace
    /// An optional kubeconfig context name (not completed: the contexts are read by the launcher, not held in the
    /// state; `:ctx` alone lists them).
    case context

    /// The word shown for the argument in usage lines (`NS`, `NAME`), empty for none.
    public var placeholder: String {
        switch self {
        case .none: return ""
        case .namespace: return "NS"
        case .context: return "NAME"
        }
    }
}

/// One `:` command: the single source of its dispatch, its completion, the unknown-command error and its help line.
public struct CommandSpec: Hashable, Sendable {
    /// The name shown in errors and help (`ns`, `pods`).
    public var name: String
    /// Other names `tab` completes to and that run it (`namespaces`, `po`, `context`).
    public var aliases: [String]
    /// Spellings that run it but are not offered by completion (`namespace`, `q!`, `?`).
    public var otherSpellings: [String]
    /// Its argument.
    public var argument: CommandArgument
    /// The help overlay's description.
    public var description: String
    /// What it does.
    public var action: CommandAction

    /// Makes a command.
    public init(
        _ name: String, aliases: [String] = [], otherSpellings: [String] = [], argument: CommandArgument = .none,
        _ description: String, action: CommandAction
    ) {
        self.name = name
        self.aliases = aliases
        self.otherSpellings = otherSpellings
        self.argument = argument
        self.description = description
        self.action = action
    }

    /// The names `tab` completes to, in table order: the name, then the aliases.
    public var completedNames: [String] { [name] + aliases }

    /// Whether `word` runs this command.
    public func matches(_ word: String) -> Bool { completedNames.contains(word) || otherSpellings.contains(word) }

    /// How it is written without the colon: `pods NS`, `ctx NAME`, `ns`.
    public var usage: String { argument == .none ? name : "\(name) \(argument.placeholder)" }

    /// The help overlay's key column: `:pods [NS]`.
    public var helpLabel: String { argument == .none ? ":" + name : ":\(name) [\(argument.placeholder)]" }

    /// The help overlay's description, naming the aliases: `quit meshtrim (also :quit)`.
    public var helpDescription: String {
        aliases.isEmpty ? description : description + " (also " + aliases.map { ":" + $0 }.joined(separator: " ") + ")"
    }
}

extension CommandSpec {
    /// Every `:` command, in completion and help order.
    public static let all: [CommandSpec] = [
        CommandSpec("ns", aliases: ["namespaces"], otherSpellings: ["namespace"], "back to the namespaces screen", action: .namespaces),
        CommandSpec(
            "pods", aliases: ["po"], otherSpellings: ["pod"], argument: .namespace,
            "a namespace's pods (without NS: the current one's)", action: .pods),
        CommandSpec("mesh", otherSpellings: ["mesh-default"], "edit the mesh-wide default, as E", action: .meshDefault),
        CommandSpec("plan", "the plan of the whole mesh: every namespace's Sidecar", action: .plan),
        CommandSpec(
            "ctx", aliases: ["context"], argument: .context,
            "switch kubeconfig context (without NAME: list them)", action: .context),
        CommandSpec("help", otherSpellings: ["?"], "show this help", action: .help),
        CommandSpec("q", aliases: ["quit"], otherSpellings: ["q!"], "quit meshtrim", action: .quit),
    ]

    /// The command `word` runs, if any.
    public static func command(named word: String) -> CommandSpec? { all.first { $0.matches(word) } }

    /// Every name `tab` completes to, in table order.
    public static var completedNames: [String] { all.flatMap(\.completedNames) }

    /// The commands as a list of usages, for errors: `ns, pods NS, mesh, …` (`prefix` before each: `:`).
    public static func usageList(prefix: String = "") -> String {
        all.map { prefix + $0.usage }.joined(separator: ", ")
    }
}
