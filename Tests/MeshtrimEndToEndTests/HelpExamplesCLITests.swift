import Foundation
import MeshtrimTestSupport
import Testing

/// Every command's `--help` ends with examples a person can copy, and names itself in its usage line.
@Suite("CLI: help shows examples")
struct HelpExamplesCLITests {
    /// The subcommands `meshtrim --help` lists (first word of each SUBCOMMANDS row, aliases dropped), without
    /// ArgumentParser's own `help`.
    static func subcommands() throws -> [String] {
        let help = try runProcess([try meshtrimBinaryPath(), "--help"]).stdout
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        // The rows end at the first empty line (a "See 'meshtrim help …'" line follows).
        let rows = help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
        return rows.compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
        }.filter { $0 != "help" }
    }

    @Test("meshtrim --help and every subcommand's --help show an Examples section")
    func everyCommandHasExamples() throws {
        let binary = try meshtrimBinaryPath()
        let root = try runProcess([binary, "--help"])
        #expect(root.stdout.contains("Examples:"))
        let commands = try Self.subcommands()
        #expect(commands.count >= 14, "\(commands)")
        for command in ["scope", "clusters", "recommend", "plan", "drift", "completion", "apply", "ui"] {
            #expect(commands.contains(command), "\(command) in \(commands)")
        }
        for command in commands {
            let help = try runProcess([binary, command, "--help"])
            #expect(help.exitCode == 0, "\(command): \(help.stderr)")
            #expect(help.stdout.contains("Examples:\n  "), "\(command) --help has no examples")
            #expect(help.stdout.contains("USAGE: meshtrim \(command)"), "\(command)")
        }
    }
}
