import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim validate` with a mesh to check against (docs/safety-checks.md), and the memory basis `report` prints.
@Suite("CLI: safety checks and the memory basis")
struct SafetyCLITests {
    let selectorFixture = sharedFixture("pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml")
    let bookinfo = sharedFixture("samples/bookinfo/platform/kube/bookinfo.yaml")
    /// The bundled demo snapshot in the source tree (1,500 observed proxies).
    let demoSnapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/meshtrim/Resources/demo-snapshot.json").path

    /// A Sidecar for the pods `app: reviews` in `default`, which dupe-1 and dupe-2 of the fixture also select.
    static let reviewsSidecar = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: reviews-trim
          namespace: default
        spec:
          workloadSelector:
            labels:
              app: reviews
          egress:
          - hosts: ["./*", "istio-system/*"]
        """

    private func write(_ text: String) throws -> (file: String, directory: URL) {
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("sidecar.yaml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (file, directory)
    }

    @Test("validate FILE --manifests MESH prints the conflicts after the webhook check and exits 1")
    func validateAgainstManifests() throws {
        let (file, directory) = try write(Self.reviewsSidecar)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "validate", file, "--manifests", selectorFixture])
        #expect(result.exitCode == 1, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let conflicts = lines.filter { $0.hasPrefix("\(file): Sidecar default/reviews-trim: error [IST0110]: ") }
        #expect(conflicts.count == 2, "\(lines)")
        #expect(conflicts.allSatisfy { $0.contains("reviews") })
        #expect(lines.last == "1 Sidecar checked, 2 errors, 0 warnings")
        // Without a mesh only the webhook rules apply: the same file is valid.
        let alone = try runProcess([try meshtrimBinaryPath(), "validate", file])
        #expect(alone.exitCode == 0, "\(alone.stdout)")
        #expect(!alone.stdout.contains("IST0110"))
    }

    @Test("validate --manifests MESH without files checks the mesh's own Sidecars like istioctl analyze")
    func lintMesh() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "validate", "--manifests", selectorFixture])
        #expect(result.exitCode == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for expected in [
            "Sidecar default/maps-to-nonexistent: warning [IST0101]:", "Sidecar other/maps-to-different-ns: warning [IST0101]:",
            "Sidecar default/dupe-1: error [IST0110]:", "Sidecar default/dupe-2: error [IST0110]:",
            "Sidecar default/overlap-1: error [IST0110]:", "Sidecar default/overlap-2: error [IST0110]:",
        ] {
            #expect(lines.contains { $0.hasPrefix(expected) }, "\(expected) in \(lines)")
        }
        #expect(lines.last == "7 Sidecars checked, 4 errors, 2 warnings")
    }

    @Test("validate FILE --demo: warnings only (cut traffic under ALLOW_ANY, no istiod namespace) exit 0")
    func validateAgainstDemo() throws {
        let demo = try runProcess([try meshtrimBinaryPath(), "report", "--snapshot", demoSnapshot, "-o", "csv"])
        #expect(demo.exitCode == 0, "\(demo.stderr)")
        // The busiest namespace with observed traffic to other namespaces, from the report's first row.
        let namespace = try #require(demo.stdout.split(separator: "\n").dropFirst().first?.split(separator: ",").first.map(String.init))
        let (file, directory) = try write("""
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: default
              namespace: \(namespace)
            spec:
              egress:
              - hosts: ["./*"]
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "validate", file, "--demo"])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\(file): Sidecar \(namespace)/default: warning [MT0002]: does not import the istiod namespace"))
        #expect(result.stdout.contains("checked against demo: "))
    }

    @Test("report says what its estimates rest on: a fit on the snapshot's proxies, or the measured table")
    func reportBasis() throws {
        let fitted = try runProcess([try meshtrimBinaryPath(), "report", "--snapshot", demoSnapshot])
        #expect(fitted.exitCode == 0, "\(fitted.stderr)")
        let footer = try #require(fitted.stdout.split(separator: "\n").last.map(String.init))
        #expect(footer.hasPrefix("PRESET MEM is an estimate: fit on "), "\(footer)")
        #expect(footer.contains(" proxies (base ") && footer.contains(" per cluster)"))
        let json = try runProcess([try meshtrimBinaryPath(), "report", "--snapshot", demoSnapshot, "-o", "json"])
        #expect(json.stderr.contains("note: presetEstimatedBytes is an estimate: fit on "))
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) is [[String: Any]], "stdout stays JSON")
        let measured = try runProcess([try meshtrimBinaryPath(), "report", "--manifests", bookinfo])
        #expect(measured.stdout.contains("PRESET MEM is an estimate: Envoy 1.40 measured table"))
    }

    @Test("--demo is a source like --snapshot for every command that reads a mesh, and one source at a time")
    func demoIsASource() throws {
        let viaDemo = try runProcess([try meshtrimBinaryPath(), "report", "--demo", "-o", "csv"])
        let viaFile = try runProcess([try meshtrimBinaryPath(), "report", "--snapshot", demoSnapshot, "-o", "csv"])
        #expect(viaDemo.exitCode == 0, "\(viaDemo.stderr)")
        #expect(viaDemo.stdout.split(separator: "\n").count > 100)
        #expect(viaDemo.stdout == viaFile.stdout, "the bundled demo is the snapshot file")
        for command in [["report"], ["recommend", "-n", "default"], ["validate"]] {
            let both = try runProcess([try meshtrimBinaryPath()] + command + ["--demo", "--snapshot", demoSnapshot])
            #expect(both.exitCode != 0, "\(command)")
            #expect(both.stderr.contains("give one of --demo, --snapshot or --manifests"), "\(command): \(both.stderr)")
        }
    }
}
