import Foundation

/// What a program run to completion by ``CapturedRun/run(_:input:environment:workingDirectory:group:timeout:grace:closesOtherDescriptors:)`` left behind.
public struct CapturedRun: Sendable {
    /// How it ended (exit code or signal, peak memory).
    public var termination: ProcessTermination
    /// Everything it wrote to standard output.
    public var standardOutput: Data
    /// Everything it wrote to standard error.
    public var standardError: Data
    /// Wall-clock time from spawn to exit.
    public var duration: Duration

    /// The exit status as a shell reports it (128 + signal number for a signal).
    public var exitCode: Int32 { termination.shellStatus }
    /// Standard output as UTF-8 text (invalid bytes become U+FFFD).
    public var stdout: String { String(decoding: standardOutput, as: UTF8.self) }
    /// Standard error as UTF-8 text.
    public var stderr: String { String(decoding: standardError, as: UTF8.self) }

    /// Runs `arguments` to completion with output captured.
    ///
    /// Output goes to temporary files rather than pipes, so a chatty child cannot block on a full pipe and a daemon
    /// that inherits the descriptors (`tmux new-session`) cannot keep the run from ending.
    ///
    /// - Parameters:
    ///   - arguments: the program (looked up on `PATH`) followed by its arguments.
    ///   - input: text fed to standard input; `nil` connects it to `/dev/null`.
    ///   - timeout: after this long the child (and its group, when it has its own) is stopped and the run throws.
    ///   - grace: with a value, SIGTERM first and SIGKILL only after this long; without, SIGKILL at once.
    /// - Throws: ``ProcessError`` when the program cannot be started or does not finish within `timeout`.
    public static func run(
        _ arguments: [String], input: String? = nil, environment: ProcessEnvironment = .inherited,
        workingDirectory: String? = nil, group: ProcessGroup = .own, timeout: Duration = .seconds(60),
        grace: Duration? = nil, closesOtherDescriptors: Bool = false
    ) throws -> CapturedRun {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("meshtrim-process-\(UUID().uuidString.prefix(12))").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ProcessError("cannot create a temporary directory for the output of \(arguments.first ?? "a program"): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputPath = "\(directory)/stdout"
        let errorPath = "\(directory)/stderr"
        var inputStream = ProcessStream.null
        if let input {
            let inputPath = "\(directory)/stdin"
            guard FileManager.default.createFile(atPath: inputPath, contents: Data(input.utf8)) else {
                throw ProcessError("cannot write the input for \(arguments.first ?? "a program") to \(inputPath)")
            }
            inputStream = .file(inputPath)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let child = try SpawnedProcess.spawn(
            ProcessOptions(
                arguments, environment: environment, workingDirectory: workingDirectory, standardInput: inputStream,
                standardOutput: .file(outputPath), standardError: .file(errorPath), group: group,
                closesOtherDescriptors: closesOtherDescriptors))
        let termination = try child.wait(timeout: timeout, grace: grace)
        let duration = clock.now - start
        if termination.timedOut { throw ProcessError.timedOut(arguments, after: timeout) }
        return CapturedRun(
            termination: termination, standardOutput: FileManager.default.contents(atPath: outputPath) ?? Data(),
            standardError: FileManager.default.contents(atPath: errorPath) ?? Data(), duration: duration)
    }
}
