import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The `posix_spawn` call behind ``SpawnedProcess/spawn(_:)``: file actions for the three streams, the signal and
/// group attributes, `argv`/`envp`.
enum Spawner {
    /// Spawns and hands the pid and the parent's pipe ends to `make`.
    static func spawn<Result>(
        _ options: ProcessOptions, make: (pid_t, FileHandle?, FileHandle?, FileHandle?) -> Result
    ) throws -> Result {
        let arguments = options.arguments
        guard let program = arguments.first, !program.isEmpty else { throw ProcessError("no program to run was given") }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipes = PipeSet()
        defer { pipes.closeChildEnds() }
        do {
            try redirect(options.standardInput, to: 0, reading: true, actions: &actions, pipes: &pipes)
            try redirect(options.standardOutput, to: 1, reading: false, actions: &actions, pipes: &pipes)
            try redirect(options.standardError, to: 2, reading: false, actions: &actions, pipes: &pipes)
        } catch {
            pipes.closeParentEnds()
            throw error
        }
        if let directory = options.workingDirectory {
            guard let addChdir = chdirAction else {
                pipes.closeParentEnds()
                throw ProcessError("cannot start \(program) in \(directory): this C library has no posix_spawn chdir")
            }
            _ = addChdir(&actions, directory)
        }
        if options.closesOtherDescriptors, let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags: Int32 = 0
        if options.resetsSignals {
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            var allSignals = sigset_t()
            sigfillset(&allSignals)
            sigdelset(&allSignals, SIGKILL)
            sigdelset(&allSignals, SIGSTOP)
            posix_spawnattr_setsigdefault(&attributes, &allSignals)
            flags |= Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        }
        if options.group == .own {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = options.environment.variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard status == 0 else {
            pipes.closeParentEnds()
            throw ProcessError.cannotStart(arguments, code: status)
        }
        return make(pid, pipes.parentEnd(0), pipes.parentEnd(1), pipes.parentEnd(2))
    }

    private static func redirect(
        _ stream: ProcessStream, to descriptor: Int32, reading: Bool, actions: inout posix_spawn_file_actions_t,
        pipes: inout PipeSet
    ) throws {
        switch stream {
        case .inherit:
            break
        case .null:
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", reading ? O_RDONLY : O_WRONLY, 0)
        case let .file(path, append):
            let mode = reading ? O_RDONLY : O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
            posix_spawn_file_actions_addopen(&actions, descriptor, path, mode, 0o644)
        case .standardOutput:
            posix_spawn_file_actions_adddup2(&actions, 1, descriptor)
        case .pipe:
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                throw ProcessError("cannot create a pipe: \(ProcessError.reason(errno))", code: errno)
            }
            // ends[0] reads, ends[1] writes; the child gets the end matching its stream.
            let (child, parent) = reading ? (ends[0], ends[1]) : (ends[1], ends[0])
            // Close-on-exec on both ends, so children spawned meanwhile by other threads inherit neither; dup2
            // clears the flag on the child's copy.
            _ = fcntl(parent, F_SETFD, FD_CLOEXEC)
            if child != descriptor {
                _ = fcntl(child, F_SETFD, FD_CLOEXEC)
                posix_spawn_file_actions_adddup2(&actions, child, descriptor)
            }
            pipes.add(descriptor: descriptor, child: child, parent: parent)
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because the Glibc module
    /// does not import it; `nil` where the C library lacks it.
    private static let closeFromAction:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
            return unsafeBitCast(
                symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), looked up the same way.
    private static let chdirAction:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
            return unsafeBitCast(
                symbol,
                to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
        }()
}

/// The pipes made for one spawn: the child's ends are closed in the parent after the spawn, the parent's ends
/// become `FileHandle`s.
private struct PipeSet {
    private var childEnds: [Int32] = []
    private var parentEnds: [Int32: Int32] = [:]

    mutating func add(descriptor: Int32, child: Int32, parent: Int32) {
        childEnds.append(child)
        parentEnds[descriptor] = parent
    }

    func parentEnd(_ descriptor: Int32) -> FileHandle? {
        parentEnds[descriptor].map { FileHandle(fileDescriptor: $0, closeOnDealloc: false) }
    }

    mutating func closeChildEnds() {
        childEnds.forEach { close($0) }
        childEnds = []
    }

    mutating func closeParentEnds() {
        parentEnds.values.forEach { close($0) }
        parentEnds = [:]
    }
}
