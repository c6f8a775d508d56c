import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimTestSupport
import Testing

/// `meshtrim plan` as a script runs it, on the bundled demo: the JSON keys of issue #14, YAML that reads back, and the
/// `--out` directory (layout, kustomization, PLAN.md, a non-empty directory refused without --force, replaced with it).
@Suite("CLI: plan")
struct PlanCLITests {
    let demoSnapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/meshtrim/Resources/demo-snapshot.json").path

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("-o json: meshDefault, sidecars, waves, unknownDestinations, totals in order; the same plan as the engine's")
    func json() throws {
        let result = try runProcess(
            [try meshtrimBinaryPath(), "plan", "--snapshot", demoSnapshot, "--allow-partial", "-o", "json", "--memory-price", "4"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try OrderedJSON(parsing: Data(result.stdout.utf8))
        #expect(Array((json.objectMembers ?? []).map(\.key).prefix(5)) == ["meshDefault", "sidecars", "waves", "unknownDestinations", "totals"])
        let plan = MeshPlanner(analysis: MeshAnalysis(snapshot: try MeshSnapshot.load(from: demoSnapshot), source: demoSnapshot))
            .plan(options: .init(memoryPricePerGiBMonth: 4))
        #expect(json["sidecars"]?.arrayValue?.count == plan.sidecars.count)
        #expect(json["totals"]?["bytesBefore"] == .number(String(plan.totals.bytesBefore)))
        #expect(json["totals"]?["cuts"]?.arrayValue?.isEmpty == true)
        #expect(json["totals"]?["costAfter"] != nil)
    }

    /// The demo captured five sidecars it could not read: a plan from the rest could cut what only they call.
    @Test("sidecars that could not be read: exit 1 naming them; --allow-partial plans and marks the output")
    func partial() throws {
        let refused = try runProcess([try meshtrimBinaryPath(), "plan", "--snapshot", demoSnapshot, "-o", "json"])
        #expect(refused.exitCode == 1)
        #expect(refused.stdout.isEmpty, "nothing to pipe into kubectl")
        #expect(refused.stderr.contains("could not be read ("))
        #expect(refused.stderr.contains("--allow-partial"))
        #expect(!refused.stderr.contains("USAGE"))
        let allowed = try runProcess(
            [try meshtrimBinaryPath(), "plan", "--snapshot", demoSnapshot, "--allow-partial", "-o", "json"])
        #expect(allowed.exitCode == 0, "\(allowed.stderr)")
        let json = try OrderedJSON(parsing: Data(allowed.stdout.utf8))
        #expect(json["partial"] == .bool(true))
        #expect(json["partialReason"]?.stringValue?.contains("could not be read") == true)
        let yaml = try runProcess([try meshtrimBinaryPath(), "plan", "--snapshot", demoSnapshot, "--allow-partial", "-o", "yaml"])
        #expect(yaml.stdout.hasPrefix("# PARTIAL: "))
    }

    @Test("-o yaml: every planned Sidecar as one document, readable by meshtrim validate")
    func yaml() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "plan", "--snapshot", demoSnapshot, "--allow-partial", "-o", "yaml"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let read = try SidecarDocumentReader.read(result.stdout)
        #expect(read.sidecars.count > 1)
        #expect(read.sidecars.last?.sidecar.meta.qualifiedName == "istio-system/default", "the mesh default, in the last wave, comes last")
        let validated = try runProcess([try meshtrimBinaryPath(), "validate", "-"], stdin: result.stdout)
        #expect(validated.exitCode == 0, "\(validated.stdout)\(validated.stderr)")
        #expect(validated.stdout.contains("\(read.sidecars.count) Sidecars checked, 0 errors"), "\(validated.stdout)")
    }

    @Test("--out DIR: wave-N/NAMESPACE-NAME.yaml, a kustomization listing every file, PLAN.md; non-empty refused without --force")
    func outDirectory() throws {
        let base = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let out = base.appendingPathComponent("plan").path
        let binary = try meshtrimBinaryPath()
        let first = try runProcess([binary, "plan", "--snapshot", demoSnapshot, "--allow-partial", "--out", out, "-o", "json"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let json = try OrderedJSON(parsing: Data(first.stdout.utf8))
        let sidecars = try #require(json["sidecars"]?.arrayValue)
        let expected = sidecars.compactMap { sidecar -> String? in
            guard let namespace = sidecar["namespace"]?.stringValue, let name = sidecar["name"]?.stringValue,
                case .number(let wave)? = sidecar["wave"]
            else { return nil }
            return "wave-\(wave)/\(namespace)-\(name).yaml"
        }
        #expect(expected.count == sidecars.count)
        let manager = FileManager.default
        let written = try #require(manager.enumerator(atPath: out)?.allObjects as? [String]).filter { $0.hasSuffix(".yaml") && $0.contains("/") }
        #expect(Set(written) == Set(expected))
        let kustomization = try String(contentsOfFile: out + "/kustomization.yaml", encoding: .utf8)
        #expect(kustomization.contains("kind: Kustomization"))
        let listed = kustomization.split(separator: "\n").filter { $0.hasPrefix("- ") }.map { String($0.dropFirst(2)) }
        #expect(Set(listed) == Set(expected) && listed.count == expected.count)
        let listedWaves = listed.map { Int($0.dropFirst("wave-".count).prefix { $0 != "/" }) ?? 0 }
        #expect(listedWaves == listedWaves.sorted() && !listedWaves.contains(0), "in wave order: \(listed)")
        for path in expected {
            let text = try String(contentsOfFile: out + "/" + path, encoding: .utf8)
            #expect(try SidecarDocumentReader.read(text).sidecars.count == 1, "\(path)")
        }
        let plan = try String(contentsOfFile: out + "/PLAN.md", encoding: .utf8)
        for heading in ["## Totals", "## Waves", "## Sidecars", "## Cut risks", "## Unknown destinations"] {
            #expect(plan.contains(heading), "\(heading)")
        }

        // A non-empty directory is refused, and left as it was.
        let marker = out + "/keep-me.txt"
        try Data("mine".utf8).write(to: URL(fileURLWithPath: marker))
        let refused = try runProcess([binary, "plan", "--snapshot", demoSnapshot, "--allow-partial", "--out", out])
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("not empty") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(manager.fileExists(atPath: marker))
        // --force replaces it whole; no temporary sibling is left behind.
        let forced = try runProcess([binary, "plan", "--snapshot", demoSnapshot, "--allow-partial", "--out", out, "--force", "--waves", "1"])
        #expect(forced.exitCode == 0, "\(forced.stderr)")
        #expect(!manager.fileExists(atPath: marker))
        let after = try #require(manager.enumerator(atPath: out)?.allObjects as? [String])
        #expect(after.contains { $0.hasPrefix("wave-1/") } && !after.contains { $0.hasPrefix("wave-2") })
        #expect(try manager.contentsOfDirectory(atPath: base.path) == ["plan"])
    }

    @Test("Usage errors: --waves 0, --force without --out, --window without --prometheus")
    func usageErrors() throws {
        let binary = try meshtrimBinaryPath()
        for arguments in [["--waves", "0"], ["--force"], ["--window", "7d"], ["--default-hosts", "nohost"]] {
            let result = try runProcess([binary, "plan", "--snapshot", demoSnapshot] + arguments)
            #expect(result.exitCode == 64, "\(arguments): \(result.stderr)")
        }
    }
}
