import Foundation
import MeshtrimTestSupport
import Testing

/// Hostile and mistaken input through the real binary: refused early with a short message and exit 1, in bounded
/// time (each run has a generous timeout; `runProcess` throws if it does not finish).
@Suite("CLI: hostile input")
struct HostileInputCLITests {
    /// A sparse file of `size` zero bytes in `directory` (no disk used).
    private func zeros(_ name: String, size: Int, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
        return path
    }

    @Test("a 1 GiB file is refused from its size by --manifests, --snapshot, validate and clusters")
    func refusesHugeFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = try zeros("big.yaml", size: 1 << 30, in: directory)
        let message = "is 1024.0 MiB; meshtrim reads input files of at most 256 MiB"
        for arguments in [
            ["report", "--manifests", big], ["report", "--snapshot", big], ["validate", big], ["clusters", "--config-dump", big],
        ] {
            let result = try runProcess([try meshtrimBinaryPath()] + arguments, timeout: .seconds(60))
            #expect(result.exitCode == 1, "\(arguments): \(result.stderr.prefix(300))")
            #expect(result.stderr.contains("\(big): "), "\(arguments): \(result.stderr.prefix(300))")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr.prefix(300))")
            #expect(result.stderr.utf8.count < 1_000)
        }
    }

    @Test("32 MiB of NUL bytes is binary data: named with its offset, nothing quoted")
    func refusesZeros() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try zeros("zeros.yaml", size: 32 << 20, in: directory)
        for arguments in [
            ["scope", "--manifests", path, "-n", "x"], ["report", "--snapshot", path], ["validate", path],
            ["clusters", "--config-dump", path],
        ] {
            let result = try runProcess([try meshtrimBinaryPath()] + arguments, timeout: .seconds(60))
            #expect(result.exitCode == 1, "\(arguments): \(result.stderr.prefix(300))")
            #expect(result.stderr.contains("\(path): "), "\(arguments): \(result.stderr.prefix(300))")
            #expect(result.stderr.contains("holds binary data (a NUL byte at byte offset 0)"), "\(arguments): \(result.stderr.prefix(300))")
            #expect(!result.stderr.contains("\0"))
            #expect(result.stderr.utf8.count < 1_000)
        }
    }

    /// A Sidecar with a billion-laughs chain (10^9 leaves) under a field meshtrim does not model.
    static let laughs: String = {
        var lines = [
            "apiVersion: networking.istio.io/v1", "kind: Sidecar", "metadata:", "  name: default", "  namespace: shop",
            "bomb:", "  a0: &a0 lol",
        ]
        for level in 1...9 {
            lines.append("  a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["spec:", "  egress:", "  - hosts: [\"./*\"]", "  unmodelled: *a9"]
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test("validate, report and scope finish on a billion-laughs Sidecar; validate names it")
    func readersFinishOnAliasBomb() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sidecar = directory.appendingPathComponent("laughs.yaml").path
        try Self.laughs.write(toFile: sidecar, atomically: false, encoding: .utf8)
        let validate = try runProcess([try meshtrimBinaryPath(), "validate", sidecar], timeout: .seconds(60))
        #expect(validate.exitCode == 1)
        #expect((validate.stdout + validate.stderr).contains("\(sidecar):1: error: not valid YAML: the document expands to more than 1000000 YAML nodes"), "\(validate.stdout)")
        for arguments in [["report", "--manifests", sidecar], ["scope", "--manifests", sidecar, "-n", "shop", "--labels", "app=x"]] {
            let result = try runProcess([try meshtrimBinaryPath()] + arguments, timeout: .seconds(60))
            #expect(result.exitCode == 0, "\(arguments): \(result.stderr)")
        }
    }

    @Test("apply -f of a billion-laughs Sidecar is refused at once, and a 1 GiB file from its size")
    func applyRefusesAliasBomb() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sidecar = directory.appendingPathComponent("laughs.yaml").path
        try Self.laughs.write(toFile: sidecar, atomically: false, encoding: .utf8)
        // Nothing listens on port 1: reading the documents comes before any request.
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        try """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]

            """.write(toFile: kubeconfig, atomically: false, encoding: .utf8)
        let result = try runProcess(
            [try meshtrimBinaryPath(), "apply", "-f", sidecar, "--kubeconfig", kubeconfig, "--yes"], timeout: .seconds(60))
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.stderr.contains("\(sidecar):1: the document expands to more than 1000000 YAML nodes"), "\(result.stderr)")
        let big = try zeros("big.yaml", size: 1 << 30, in: directory)
        let huge = try runProcess(
            [try meshtrimBinaryPath(), "apply", "-f", big, "--kubeconfig", kubeconfig, "--yes"], timeout: .seconds(60))
        #expect(huge.exitCode == 1)
        #expect(huge.stderr.contains("\(big): is 1024.0 MiB; meshtrim reads input files of at most 256 MiB"), "\(huge.stderr)")
    }

    @Test("a truncated snapshot and a string version are named with the file, the position and what was expected")
    func snapshotMessages() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let truncated = directory.appendingPathComponent("truncated.json").path
        try "{\n  \"version\": 1,\n  \"inventory\": {\"pods\": [".write(toFile: truncated, atomically: false, encoding: .utf8)
        let cut = try runProcess([try meshtrimBinaryPath(), "report", "--snapshot", truncated])
        #expect(cut.exitCode == 1)
        #expect(
            cut.stderr.contains(
                "\(truncated):3:26: not a meshtrim snapshot (not valid JSON: expected a value or ']' but found the end of the file (line 3, column 26, byte offset 43))"),
            "\(cut.stderr)")
        let stringVersion = directory.appendingPathComponent("string.json").path
        try #"{"version": "1", "inventory": {}}"#.write(toFile: stringVersion, atomically: false, encoding: .utf8)
        let typed = try runProcess([try meshtrimBinaryPath(), "report", "--snapshot", stringVersion])
        #expect(typed.exitCode == 1)
        #expect(
            typed.stderr.contains(#"not a meshtrim snapshot ("version" is a string ("1"); expected a whole number, the format version (1))"#),
            "\(typed.stderr)")
        #expect(!typed.stderr.contains("not valid JSON"))
    }
}
