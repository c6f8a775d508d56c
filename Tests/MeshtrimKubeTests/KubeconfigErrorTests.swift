import Foundation
import MeshtrimKube
import Testing

/// A kubeconfig that cannot be used is named with the file, the position and what was expected.
@Suite("Kubeconfig errors")
struct KubeconfigErrorTests {
    private func load(_ name: String, _ contents: Data, in directory: String) throws -> KubeconfigError? {
        let path = "\(directory)/\(name)"
        try contents.write(to: URL(fileURLWithPath: path))
        return #expect(throws: KubeconfigError.self) { try KubeconfigLoader.load(explicitPath: path, environment: [:]) }
    }

    @Test("a KUBECONFIG that is a directory says so, not NSCocoaErrorDomain error 256")
    func directory() throws {
        let directory = try makeTemporaryDirectory("meshtrim-kubeconfig-dir")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = #expect(throws: KubeconfigError.self) {
            try KubeconfigLoader.load(environment: ["KUBECONFIG": directory])
        }
        #expect(error?.message == "the kubeconfig \(directory) is a directory; expected a file")
        let explicit = #expect(throws: KubeconfigError.self) { try KubeconfigLoader.load(explicitPath: directory, environment: [:]) }
        #expect(explicit?.message == "the kubeconfig \(directory) is a directory; expected a file")
    }

    @Test("garbage is named: binary with its offset, non-UTF-8 with its offset, a scalar with what was expected")
    func garbage() throws {
        let directory = try makeTemporaryDirectory("meshtrim-kubeconfig-garbage")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = try load("binary", Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x00, 0x00]), in: directory)
        #expect(binary?.message == "the kubeconfig \(directory)/binary holds binary data (a NUL byte at byte offset 5); expected a kubeconfig (YAML)")
        let latin1 = try load("latin1", Data("current-context: caf".utf8) + Data([0xE9, 0x0A]), in: directory)
        #expect(latin1?.message == "the kubeconfig \(directory)/latin1 is not UTF-8 text (an invalid byte at byte offset 20); expected a kubeconfig (YAML)")
        let scalar = try load("scalar", Data("just some words\n".utf8), in: directory)
        #expect(scalar?.message == "\(directory)/scalar:1:1: the kubeconfig is not a mapping; expected apiVersion: v1, kind: Config with clusters, users and contexts")
        #expect(scalar?.message.contains("correct format") == false)
    }

    @Test("broken YAML names line and column")
    func brokenYAML() throws {
        let directory = try makeTemporaryDirectory("meshtrim-kubeconfig-yaml")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = try load("broken", Data("apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: \"https://x\"\nusers: []\n".utf8), in: directory)
        let message = try #require(error?.message)
        #expect(message.hasPrefix("\(directory)/broken:6:"), "\(message)")
        #expect(message.contains("the kubeconfig is not valid YAML: "), "\(message)")
    }

    @Test("a billion-laughs kubeconfig is refused, not expanded")
    func aliasBomb() throws {
        let directory = try makeTemporaryDirectory("meshtrim-kubeconfig-laughs")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var lines = ["apiVersion: v1", "kind: Config", "preferences:", "  a0: &a0 lol"]
        for level in 1...9 {
            lines.append("  a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["extensions: [{name: x, extension: *a9}]"]
        let error = try load("laughs", Data((lines.joined(separator: "\n") + "\n").utf8), in: directory)
        #expect(error?.message == "the kubeconfig \(directory)/laughs expands to more than 1000000 YAML nodes through aliases (*anchor)")
    }
}
