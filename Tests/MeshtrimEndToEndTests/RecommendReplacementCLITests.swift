import Foundation
import MeshtrimCore
import MeshtrimTestSupport
import Testing

/// `meshtrim recommend` for a namespace that already has a Sidecar: the recommended Sidecar is that object with only
/// its egress hosts changed, and the output carries the diff against it as it is (issue #11).
@Suite("CLI: recommend over an existing Sidecar")
struct RecommendReplacementCLITests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MeshtrimCoreTests/Fixtures/sidecars/issue-11-payments.yaml")

    func manifests() throws -> URL {
        let directory = try makeTemporaryDirectory()
        try FileManager.default.copyItem(at: Self.fixture, to: directory.appendingPathComponent("sidecar.yaml"))
        try Data("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: payments}
            spec:
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: api, image: example/api:1}]}
            """.utf8).write(to: directory.appendingPathComponent("api.yaml"))
        return directory
    }

    @Test func jsonNamesTheReplacedSidecarAndDiffsOnlyHosts() throws {
        let directory = try manifests()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "recommend", "--manifests", directory.path, "-n", "payments", "-o", "json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try OrderedJSON(parsing: Data(result.stdout.utf8))
        #expect(json["replaces"]?.stringValue == "payments/default")
        let diffLines = try #require(json["diff"]?.arrayValue)
        let diff = diffLines.compactMap(\.stringValue)
        let changes = diff.filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        #expect(!changes.isEmpty)
        #expect(changes.allSatisfy { $0.dropFirst().hasPrefix("    - ") }, "only egress host lines change: \(changes)")
        let sidecar = try #require(json["sidecar"]?.stringValue)
        for kept in ["defaultEndpoint: 127.0.0.1:8080", "team: payments", "mode: REGISTRY_ONLY", "http1MaxPendingRequests: 1024"] {
            #expect(sidecar.contains(kept), "\(kept) is carried over")
        }
    }

    @Test func yamlCarriesTheDiffAsCommentsAndStaysValid() throws {
        let directory = try manifests()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "recommend", "--manifests", directory.path, "-n", "payments"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("# replaces Sidecar payments/default: only its egress hosts change"))
        #expect(result.stdout.contains("# --- payments/default (in the mesh)"))
        let document = try #require(try SidecarDocumentReader.read(result.stdout).sidecars.first)
        #expect(document.sidecar.ingressPorts.map(\.number) == [9080])
        #expect(document.sidecar.outboundTrafficPolicy == .registryOnly)
    }
}
