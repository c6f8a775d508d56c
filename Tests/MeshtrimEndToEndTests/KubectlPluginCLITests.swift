import Foundation
import MeshtrimTestSupport
import Testing

/// The binary installed as `kubectl-meshtrim` on PATH, run through the real `kubectl meshtrim …`: kubectl finds the
/// plugin, the output is meshtrim's, and usage and help name the command `kubectl meshtrim`.
@Suite("CLI: kubectl meshtrim", .enabled(if: shouldRunTests(needing: "kubectl")))
struct KubectlPluginCLITests {
    static let shop = packageRoot().appendingPathComponent("Tests/MeshtrimLabTests/Fixtures/shop.yaml").path

    /// A temporary directory holding the symlink `kubectl-meshtrim` → the built binary; removed afterwards.
    static func withPlugin(_ body: (_ path: String) throws -> Void) throws {
        try requireTool("kubectl")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("kubectl-meshtrim").path, withDestinationPath: try meshtrimBinaryPath())
        let path = directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        try body(path)
    }

    static func kubectl(_ arguments: [String], path: String) throws -> ProcessResult {
        // An empty kubeconfig: a plugin needs no cluster, and the test must not read the developer's.
        try runProcess(["kubectl"] + arguments, environment: ["PATH": path, "KUBECONFIG": "/dev/null"], timeout: .seconds(60))
    }

    @Test("kubectl meshtrim --help is meshtrim's help under the plugin's name")
    func help() throws {
        try Self.withPlugin { path in
            let result = try Self.kubectl(["meshtrim", "--help"], path: path)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.contains("USAGE: kubectl meshtrim <subcommand>"), "\(result.stdout)")
            for command in ["scope", "clusters", "recommend", "drift", "completion"] {
                #expect(result.stdout.contains("  \(command)"), "\(command)")
            }
            let scopeHelp = try Self.kubectl(["meshtrim", "scope", "--help"], path: path)
            #expect(scopeHelp.stdout.contains("USAGE: kubectl meshtrim scope"), "\(scopeHelp.stdout)")
        }
    }

    @Test("kubectl meshtrim prints what meshtrim prints: scope on manifests and the demo, report and drift on the demo")
    func sameOutputUnderBothNames() throws {
        try Self.withPlugin { path in
            for arguments in [
                ["scope", "--manifests", Self.shop, "-n", "shop", "--labels", "app=web"],
                ["scope", "--demo", "-n", "reporting", "--labels", "app=reporting-api"],
                ["report", "--demo", "-n", "messaging", "-o", "json"],
                ["drift", "--demo", "-n", "messaging"],
            ] {
                let plugin = try Self.kubectl(["meshtrim"] + arguments, path: path)
                let direct = try runProcess([try meshtrimBinaryPath()] + arguments, timeout: .seconds(60))
                #expect(plugin.exitCode == 0, "\(arguments): \(plugin.stderr)")
                #expect(!plugin.stdout.isEmpty)
                #expect(plugin.stdout == direct.stdout, "\(arguments)")
            }
        }
    }

    @Test("A usage error under kubectl names kubectl meshtrim and the subcommand, not the whole program")
    func usageErrorNamesThePlugin() throws {
        try Self.withPlugin { path in
            let result = try Self.kubectl(["meshtrim", "scope", "--manifests", Self.shop], path: path)
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains("Usage: kubectl meshtrim scope"), "\(result.stderr)")
            #expect(!result.stderr.contains("SUBCOMMANDS"), "\(result.stderr)")
        }
    }
}
