import Foundation
import MeshtrimTestSupport
import Testing

/// The real `meshtrim` binary in a real terminal (tmux): the whole journey from the demo to a written Sidecar,
/// resizing, ctrl-c, tiny terminals, and a write that fails.
@Suite("meshtrim UI in tmux", .enabled(if: shouldRunTests(needing: "tmux")), .serialized, .timeLimit(.minutes(3)))
struct UIJourneyTests {
    /// The demo takes a moment to load in a debug build on a busy machine.
    static let loadTimeout: Duration = .seconds(30)

    /// A fresh empty directory to run meshtrim in.
    static func workDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-ui-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `meshtrim ARGS` started from `directory`.
    static func session(_ arguments: [String], in directory: URL, width: Int, height: Int, environment: [String: String] = [:]) throws -> TmuxSession {
        let binary = try meshtrimBinaryPath()
        let command = "cd \(shellQuoted(directory.path)) && exec \(shellQuoted(binary)) " + arguments.map(shellQuoted).joined(separator: " ")
        return try TmuxSession(["sh", "-c", command], width: width, height: height, environment: environment)
    }

    /// The last non-empty line of a screen.
    static func line(_ screen: String, _ row: Int) -> String {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        return row < lines.count ? String(lines[row]) : ""
    }

    @Test("demo → namespace → pod → clusters → egress editor → toggles → preview → write, then the file validates")
    func journey() async throws {
        try requireTool("tmux")
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try Self.session(["--demo"], in: directory, width: 120, height: 40)

        // The first frame comes at once (loading), then the namespaces, biggest Envoy memory first.
        try await session.waitForScreen(timeout: Self.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        var screen = try session.screen()
        #expect(screen.contains("⎈ meshtrim"))
        #expect(screen.contains("ENVOY MEM↓"))

        // Filter to payments and open it.
        try session.type("/payments")
        try session.press("Enter")
        try await session.waitForScreen { $0.contains("/payments") && $0.contains("1/1 of") }
        try session.press("Enter")
        try await session.waitForScreen { $0.contains("WORKING SET") && $0.contains(" payments ") }

        // A pod's sidecar: memory panel and istioctl's columns; enter explains a cluster.
        try session.press("Enter")
        screen = try await session.waitForScreen { $0.contains("SERVICE FQDN") && $0.contains("DESTINATION RULE") }
        #expect(screen.contains("Envoy allocated"))
        try session.press("Enter")
        try await session.waitForScreen { $0.contains("why: ") }
        try session.press("Escape")
        try await session.waitForScreen { !$0.contains("why: ") }

        // The egress editor for this workload: the label picker preselects app.
        try session.press("e")
        screen = try await session.waitForScreen { $0.contains("workloadSelector for") }
        #expect(screen.contains("☑ app="))
        try session.press("Enter")
        screen = try await session.waitForScreen { $0.contains("IMPACT") && $0.contains("0 hosts") }
        // ./* and istio-system/* by hand, then a custom host.
        try session.press("Home", "Space")
        try await session.waitForScreen { $0.contains("1 host") }
        try session.press("Down", "Space")
        screen = try await session.waitForScreen { $0.contains("2 hosts") }
        #expect(screen.contains("☑ ./*"))
        #expect(screen.contains("☑ istio-system/*"))
        #expect(screen.contains("clusters"))
        #expect(screen.contains("working set falls only after"))
        try session.press("a")
        try session.type("*/api.example")
        try await session.waitForScreen { $0.contains("add host: */api.example") && $0.contains("✓ valid") }
        try session.press("Enter")
        try await session.waitForScreen { $0.contains("3 hosts") && $0.contains("☑ */api.example") }

        // The preview validates; w writes to the default file name in the current directory.
        try session.press("y")
        // Waits for the validation line itself: a capture can land while the frame is still being written.
        screen = try await session.waitForScreen { $0.contains("VALIDATION") && $0.contains("✓ valid: Istio's webhook would accept it") }
        #expect(screen.contains("✓ valid: Istio's webhook would accept it"))
        try session.press("w")
        screen = try await session.waitForScreen { $0.contains("write to: sidecar-payments-") }
        let prompt = screen.split(separator: "\n").first { $0.contains("write to: ") }.map(String.init) ?? ""
        let fileName = prompt.components(separatedBy: "write to: ").last?.trimmingCharacters(in: .whitespaces) ?? ""
        #expect(fileName.hasSuffix(".yaml"))
        try session.press("Enter")
        screen = try await session.waitForScreen { $0.contains("✓ wrote ") }
        let written = directory.appendingPathComponent(fileName).path
        #expect(FileManager.default.fileExists(atPath: written))

        // Writing again asks first, and the default answer keeps the file.
        try session.press("w", "Enter")
        // (The dialog wraps a long path, so "exists." and the question may be on two lines.)
        try await session.waitForScreen { $0.contains("exists.") && $0.contains("Overwrite? (y/N)") }
        try session.press("n")
        try await session.waitForScreen { $0.contains("left as it was") }

        try session.press("q")
        screen = try await session.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("meshtrim: wrote \(written)"))
        #expect(screen.contains("[exited 0]"))

        // The file is a valid Sidecar with exactly the chosen hosts.
        let validation = try runProcess([try meshtrimBinaryPath(), "validate", written])
        #expect(validation.exitCode == 0, "\(validation.stdout)\(validation.stderr)")
        let yaml = try String(contentsOfFile: written, encoding: .utf8)
        let hosts = yaml.split(separator: "\n").filter { $0.hasPrefix("    - ") }.map {
            $0.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        #expect(hosts == ["./*", "istio-system/*", "*/api.example"])
        #expect(yaml.contains("namespace: payments"))
        #expect(yaml.contains("workloadSelector:"))
    }

    @Test("Resizing redraws: the hint bar moves to the new last row; 20×6 still works")
    func resize() async throws {
        try requireTool("tmux")
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try Self.session(["--demo"], in: directory, width: 100, height: 30)
        var screen = try await session.waitForScreen(timeout: Self.loadTimeout) { Self.line($0, 29).contains("enter pods") }
        #expect(screen.contains("CLUSTERS/SIDECAR"))
        try session.resize(width: 60, height: 15)
        screen = try await session.waitForScreen { Self.line($0, 14).contains("enter pods") }
        #expect(!Self.line(screen, 29).contains("enter pods"))
        try session.resize(width: 20, height: 6)
        try await session.waitForScreen { Self.line($0, 5).contains("enter") }
        try session.resize(width: 12, height: 4)
        try await session.waitForScreen { $0.contains("terminal") && $0.contains("small") }
        try session.resize(width: 100, height: 30)
        try await session.waitForScreen { Self.line($0, 29).contains("enter pods") }
        try session.press("q")
        screen = try await session.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("[exited 0]"))
    }

    @Test("ctrl-c quits cleanly from anywhere and gives the normal screen back")
    func controlC() async throws {
        try requireTool("tmux")
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try Self.session(["--demo"], in: directory, width: 100, height: 30)
        try await session.waitForScreen(timeout: Self.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        try session.press("e")
        try await session.waitForScreen { $0.contains("IMPACT") }
        try session.press("a")
        try session.type("half-typed")
        try await session.waitForScreen { $0.contains("add host: half-typed") }
        try session.press("C-c")
        let screen = try await session.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("[exited 0]"))
        #expect(!screen.contains("CLUSTERS/SIDECAR"), "the alternate screen is gone")
        #expect(!screen.contains("IMPACT"))
    }

    @Test("A 20×6 terminal: every screen opens without a crash")
    func tinyTerminal() async throws {
        try requireTool("tmux")
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try Self.session(["--demo"], in: directory, width: 20, height: 6)
        try await session.waitForScreen(timeout: Self.loadTimeout) { $0.contains("NAME") }
        for key in ["Enter", "Enter", "Enter", "Escape", "e", "Enter", "1", "Right", "y", "d", "?", "Escape", "Escape", "Escape", ":"] {
            try session.press(key)
            try await Task.sleep(for: .milliseconds(80))
        }
        try session.press("Escape")
        // Leaving the changed editor asks "discard changes?" (any key but y says no): answer it, then quit.
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if try session.screen().contains("Discard the") {
                try session.press("y")
                try await session.waitForScreen { !$0.contains("Discard the") }
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try session.press("q")
        let screen = try await session.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("[exited 0]"))
    }

    @Test("Writing where it cannot (a file as the directory, a missing directory) shows why and keeps the editor")
    func unwritablePath() async throws {
        try requireTool("tmux")
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A regular file where the directory should be: fails even for root.
        let blocker = directory.appendingPathComponent("not-a-directory")
        try "x".write(to: blocker, atomically: true, encoding: .utf8)
        let session = try Self.session(["--demo"], in: directory, width: 120, height: 40)
        try await session.waitForScreen(timeout: Self.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        try session.press("e")
        try await session.waitForScreen { $0.contains("IMPACT") }
        try session.press("1")
        try await session.waitForScreen { $0.contains("2 hosts") }
        try session.press("y")
        try await session.waitForScreen { $0.contains("VALIDATION") }
        try session.press("w", "C-u")
        try session.type(blocker.path + "/sidecar.yaml")
        try session.press("Enter")
        var screen = try await session.waitForScreen { $0.contains("cannot write") }
        #expect(screen.contains("file, not a directory"))
        try session.press("w", "C-u")
        try session.type("/nonexistent-meshtrim-dir/sidecar.yaml")
        try session.press("Enter")
        screen = try await session.waitForScreen { $0.contains("/nonexistent-meshtrim-dir does not exist") }
        // Back in the editor, the choice is still there.
        try session.press("Escape")
        screen = try await session.waitForScreen { $0.contains("IMPACT") }
        #expect(screen.contains("2 hosts"))
        #expect(screen.contains("☑ ./*"))
        try session.press("q")
        screen = try await session.waitForScreen { $0.contains("[exited") }
        #expect(screen.contains("[exited 0]"))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-meshtrim-dir"))
    }

    @Test("NO_COLOR: attributes but no colours")
    func noColor() async throws {
        try requireTool("tmux")
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try Self.session(["--demo"], in: directory, width: 100, height: 30, environment: ["NO_COLOR": "1"])
        try await session.waitForScreen(timeout: Self.loadTimeout) { $0.contains("CLUSTERS/SIDECAR") }
        let escaped = try session.screen(escapes: true)
        let parameters = escaped.components(separatedBy: "\u{1B}[").dropFirst().compactMap { chunk -> [Int]? in
            guard let end = chunk.firstIndex(of: "m") else { return nil }
            return chunk[..<end].split(separator: ";").compactMap { Int($0) }
        }
        #expect(parameters.contains { $0.contains(7) }, "the selection is in reverse video")
        #expect(!parameters.contains { $0.contains { (30...37).contains($0) || (40...47).contains($0) || (90...97).contains($0) } })
        try session.press("q")
        try await session.waitForScreen { $0.contains("[exited 0]") }
    }

    @Test("Without a source and without a kubeconfig meshtrim explains and exits 2; without a terminal it refuses and exits 2")
    func noSourceNoTerminal() throws {
        let binary = try meshtrimBinaryPath()
        // No source means the kubeconfig's current context; with no kubeconfig at all meshtrim says what to do.
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-no-kube-\(UUID().uuidString.prefix(8))").path
        let bare = try runProcess([binary], environment: ["KUBECONFIG": nil, "HOME": home, "KUBERNETES_SERVICE_HOST": nil])
        #expect(bare.exitCode == 2)
        #expect(bare.stderr.contains("--demo"))
        #expect(bare.stderr.contains("no cluster to read"))
        let piped = try runProcess([binary, "--demo"])
        #expect(piped.exitCode == 2)
        #expect(piped.stderr.contains("needs a terminal"))
        let missing = try runProcess([binary, "--snapshot", "/nonexistent/snap.json"])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("no such file"))
    }
}
