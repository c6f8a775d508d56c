/// Everything about how to start a child process.
public struct ProcessOptions: Sendable {
    /// The program followed by its arguments. A program without `/` is looked up on `PATH` (of this process).
    public var arguments: [String]
    /// The child's environment.
    public var environment: ProcessEnvironment
    /// The directory the child starts in; `nil` keeps the caller's.
    public var workingDirectory: String?
    /// Standard input.
    public var standardInput: ProcessStream
    /// Standard output.
    public var standardOutput: ProcessStream
    /// Standard error.
    public var standardError: ProcessStream
    /// A process group of its own, or the caller's.
    public var group: ProcessGroup
    /// Start with an empty signal mask and every handler at its default: test runners and servers block signals
    /// (SIGCHLD, SIGWINCH, SIGTERM) that children such as tmux, Envoy and the app rely on.
    public var resetsSignals: Bool
    /// Close every descriptor above 2 in the child (glibc 2.34+), so a daemon it leaves behind holds none of the
    /// caller's files or pipes open.
    public var closesOtherDescriptors: Bool
    /// The child is killed (SIGKILL) when this process dies, even by SIGKILL, so a server's children (the lab's
    /// Envoys) never outlive it: it starts under `setpriv --pdeathsig KILL` (util-linux), from one long-lived thread,
    /// because Linux sends the parent-death signal when the *thread* that started the child ends. Where
    /// `/usr/bin/setpriv` is missing the child starts as it is.
    public var diesWithParent: Bool

    /// Options with the usual defaults: inherited environment, `/dev/null` in, output inherited, own group, clean
    /// signal state.
    public init(
        _ arguments: [String], environment: ProcessEnvironment = .inherited, workingDirectory: String? = nil,
        standardInput: ProcessStream = .null, standardOutput: ProcessStream = .inherit,
        standardError: ProcessStream = .inherit, group: ProcessGroup = .own, resetsSignals: Bool = true,
        closesOtherDescriptors: Bool = false, diesWithParent: Bool = false
    ) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.group = group
        self.resetsSignals = resetsSignals
        self.closesOtherDescriptors = closesOtherDescriptors
        self.diesWithParent = diesWithParent
    }
}
