/// Where a child's standard input, output or error goes.
public enum ProcessStream: Sendable, Equatable {
    /// The caller's own descriptor (a terminal stays a terminal).
    case inherit
    /// `/dev/null`.
    case null
    /// A file read from (for standard input) or written to (for output); `append` keeps what is there, otherwise
    /// the file is truncated. Created with mode 0644 when missing.
    case file(String, append: Bool = false)
    /// A new pipe: the parent's end is ``SpawnedProcess/standardOutput`` / ``SpawnedProcess/standardError`` (or
    /// ``SpawnedProcess/standardInput``), to read (or write) and close.
    case pipe
    /// For standard error only: the same place as standard output (`2>&1`).
    case standardOutput
}

/// The environment a child starts with.
public enum ProcessEnvironment: Sendable, Equatable {
    /// This process's environment with changes: a value sets a variable, `nil` removes it.
    case inherit(changing: [String: String?] = [:])
    /// Exactly these variables and no others.
    case exactly([String: String])

    /// This process's environment unchanged.
    public static var inherited: ProcessEnvironment { .inherit(changing: [:]) }

    /// The `NAME=value` list for `envp`.
    var variables: [String: String] {
        switch self {
        case let .exactly(variables):
            return variables
        case let .inherit(changes):
            var variables = ProcessInfoEnvironment.current
            for (name, value) in changes { variables[name] = value }
            return variables
        }
    }
}

/// Whether a child gets a process group of its own.
public enum ProcessGroup: Sendable, Equatable {
    /// A new group led by the child: Ctrl-C on the caller's terminal does not reach it, and a timeout can kill the
    /// child together with everything it started (daemons, grandchildren).
    case own
    /// The caller's group: a prompting program stays in the terminal's foreground group and can read the terminal
    /// (a background group reading it gets `EIO` or is stopped), and Ctrl-C reaches the child too.
    case caller
}
