import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim completion bash|zsh|fish`: ArgumentParser's scripts, naming every command; bash parses its script.
@Suite("CLI: shell completion")
struct CompletionCLITests {
    @Test("Each shell's script is produced, equals --generate-completion-script, and completes the commands", arguments: ["bash", "zsh", "fish"])
    func script(shell: String) throws {
        let binary = try meshtrimBinaryPath()
        let result = try runProcess([binary, "completion", shell])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.count > 1_000)
        for command in ["scope", "clusters", "drift", "recommend"] { #expect(result.stdout.contains(command), "\(command)") }
        let generated = try runProcess([binary, "--generate-completion-script", shell])
        #expect(generated.stdout == result.stdout)
    }

    @Test("bash -n accepts the bash script")
    func bashParsesIt() throws {
        try requireTool("bash")
        let script = try runProcess([try meshtrimBinaryPath(), "completion", "bash"])
        #expect(script.exitCode == 0)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-completion-\(UUID().uuidString).bash")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(script.stdout.utf8).write(to: file)
        let check = try runProcess(["bash", "-n", file.path])
        #expect(check.exitCode == 0, "\(check.stderr)")
        #expect(check.stderr.isEmpty)
        // Sourcing it defines the completion function and registers it for meshtrim.
        let sourced = try runProcess(["bash", "-c", "source \(file.path) && complete -p meshtrim"])
        #expect(sourced.exitCode == 0, "\(sourced.stderr)")
        #expect(sourced.stdout.contains("meshtrim"))
    }

    @Test("An unknown shell is a usage error of completion")
    func unknownShell() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "completion", "powershell"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("Usage: meshtrim completion"), "\(result.stderr)")
        #expect(!result.stderr.contains("SUBCOMMANDS"))
    }
}
