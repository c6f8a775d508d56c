import Foundation
import MeshtrimTestSupport
import Testing

/// How the real binary fails: a runtime failure (unreadable or damaged file, unwritable output, unreachable server)
/// is one `Error:` line naming the file or server and exit status 1; a usage error is exit status 64 with the
/// usage of the subcommand that was called, never the whole program's.
@Suite("CLI: runtime failures and usage errors")
struct CLIErrorTests {
    /// One call of the binary and how it must fail.
    struct Failure: CustomTestStringConvertible, Sendable {
        /// What the row checks.
        let label: String
        /// Arguments; `FILE` becomes a file holding ``content`` (when given) in a fresh directory, `DIR` that directory.
        let arguments: [String]
        /// What `FILE` holds; `nil`: `FILE` does not exist.
        var content: String?
        /// Text the message must contain (`FILE` and `DIR` substituted).
        let message: String
        var testDescription: String { label }
    }

    /// A kubeconfig whose only cluster listens nowhere (port 1 on the loopback).
    static let unreachableKubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: nowhere
          cluster: {server: "https://127.0.0.1:1"}
        contexts:
        - name: nowhere
          context: {cluster: nowhere, user: nobody}
        current-context: nowhere
        users:
        - name: nobody
          user: {token: abc}
        """

    static let runtimeFailures: [Failure] = [
        Failure(label: "report: missing snapshot", arguments: ["report", "--snapshot", "FILE"], message: "FILE"),
        Failure(
            label: "report: damaged snapshot", arguments: ["report", "--snapshot", "FILE"], content: "{\"vers",
            message: "not a meshtrim snapshot"),
        Failure(label: "report: unknown namespace", arguments: ["report", "--demo", "-n", "nosuch"], message: "namespace nosuch not found in demo"),
        Failure(
            label: "report: unreachable cluster", arguments: ["report", "--kubeconfig", "FILE"], content: unreachableKubeconfig,
            message: "https://127.0.0.1:1"),
        Failure(label: "recommend: unknown namespace", arguments: ["recommend", "--demo", "-n", "nosuch"], message: "namespace nosuch not found"),
        Failure(
            label: "scope: missing manifests", arguments: ["scope", "--manifests", "FILE", "-n", "x"],
            message: "FILE: no such file or directory"),
        Failure(
            label: "scope: unknown pod", arguments: ["scope", "--manifests", "FILE", "-n", "x", "--pod", "nope"], content: "",
            message: "no pod or workload 'nope' in namespace x"),
        Failure(label: "clusters: missing config dump", arguments: ["clusters", "--config-dump", "FILE"], message: "FILE: no such file"),
        Failure(
            label: "generate-demo: output exists", arguments: ["generate-demo", "-o", "FILE"], content: "{}",
            message: "FILE exists; pass --force to replace it"),
        Failure(
            label: "snapshot: unreachable cluster", arguments: ["snapshot", "--kubeconfig", "FILE", "-o", "DIR/out.json"],
            content: unreachableKubeconfig, message: "https://127.0.0.1:1"),
        Failure(
            label: "generate-demo: unwritable output", arguments: ["generate-demo", "-o", "/proc/meshtrim-test.json"],
            message: "cannot write /proc/"),
        Failure(label: "drift: unknown namespace", arguments: ["drift", "--demo", "-n", "nosuch"], message: "namespace nosuch not found in demo"),
        Failure(
            label: "clusters: unknown pod (predicted)", arguments: ["clusters", "nope", "-n", "x", "--demo", "--predicted"],
            message: "pod nope not found in namespace x (demo)"),
        Failure(
            label: "clusters: unreachable cluster", arguments: ["clusters", "nope", "--kubeconfig", "FILE"], content: unreachableKubeconfig,
            message: "https://127.0.0.1:1"),
    ]

    static let usageErrors: [Failure] = [
        Failure(label: "report: unknown flag", arguments: ["report", "--bogus"], message: "meshtrim report"),
        Failure(label: "report: bad Istio version", arguments: ["report", "--demo", "--istio-version", "one"], message: "meshtrim report"),
        Failure(
            label: "scope: bad labels", arguments: ["scope", "--manifests", "FILE", "-n", "x", "--labels", "app"], content: "",
            message: "meshtrim scope"),
        Failure(
            label: "scope: bad Istio version", arguments: ["scope", "--manifests", "FILE", "-n", "x", "--istio-version", "one"],
            content: "", message: "meshtrim scope"),
        Failure(
            label: "recommend: empty workload selector", arguments: ["recommend", "--demo", "-n", "x", "--workload", ","],
            message: "meshtrim recommend"),
        Failure(label: "validate: nothing to check", arguments: ["validate"], message: "meshtrim validate"),
        Failure(label: "lab: concurrency below 1", arguments: ["lab", "--concurrency", "0"], message: "meshtrim lab"),
        Failure(label: "clusters: no config dump", arguments: ["clusters"], message: "meshtrim clusters"),
        Failure(label: "bench: unknown group", arguments: ["bench", "--only", "scope,network"], message: "meshtrim bench"),
        Failure(label: "validate: bad Istio version", arguments: ["validate", "FILE", "--istio-version", "one"], content: "", message: "meshtrim validate"),
        Failure(label: "drift: -n and -A", arguments: ["drift", "--demo", "-n", "x", "-A"], message: "meshtrim drift"),
        Failure(label: "drift: window without Prometheus", arguments: ["drift", "--demo", "--window", "7d"], message: "meshtrim drift"),
        Failure(label: "drift: bad output", arguments: ["drift", "--demo", "-o", "yaml"], message: "meshtrim drift"),
        Failure(
            label: "clusters: --why without a pod", arguments: ["clusters", "--config-dump", "FILE", "--why"], content: "{}",
            message: "meshtrim clusters"),
        Failure(label: "clusters: --demo without --predicted", arguments: ["clusters", "p", "--demo"], message: "meshtrim clusters"),
        Failure(label: "completion: unknown shell", arguments: ["completion", "powershell"], message: "meshtrim completion"),
    ]

    private func run(_ failure: Failure) throws -> (result: ProcessResult, expected: String) {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("input.yaml").path
        if let content = failure.content { try content.write(toFile: file, atomically: true, encoding: .utf8) }
        func substitute(_ text: String) -> String {
            text.replacingOccurrences(of: "FILE", with: file).replacingOccurrences(of: "DIR", with: directory.path)
        }
        let result = try runProcess([try meshtrimBinaryPath()] + failure.arguments.map(substitute), timeout: .seconds(60))
        return (result, substitute(failure.message))
    }

    @Test("a runtime failure is one line naming the file or server, exit 1, no usage", arguments: runtimeFailures)
    func runtimeFailure(_ failure: Failure) throws {
        let (result, expected) = try run(failure)
        #expect(result.exitCode == 1, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("note:") && !$0.hasPrefix("warning:") }
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:"), "\(result.stderr)")
    }

    @Test("a usage error exits 64 with the subcommand's own usage", arguments: usageErrors)
    func usageError(_ failure: Failure) throws {
        let (result, expected) = try run(failure)
        #expect(result.exitCode == 64, "\(result.stderr)")
        #expect(result.stderr.contains("Usage: \(expected) "), "\(result.stderr)")
        #expect(!result.stderr.contains("SUBCOMMANDS"), "\(result.stderr)")
    }
}
