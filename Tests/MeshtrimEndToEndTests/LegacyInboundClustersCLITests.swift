import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim clusters` on a real Istio 1.4.10 sidecar dump (`Tests/Fixtures/snowcat/SOURCES.md`): the TYPE column as
/// the dump has it, and the prediction for that pod on Istio 1.4 naming its inbound cluster as the dump does
/// (issue #11, item 5).
@Suite("CLI: clusters on a pre-1.10 sidecar")
struct LegacyInboundClustersCLITests {
    static let dump = sharedFixture("../snowcat/istio-1.4.10-gke-httpbin1-config_dump.json")

    /// The pod and Service of its namespace the dump implies (its `node.metadata`; no Service selects the pod).
    static let inventory = """
        apiVersion: v1
        kind: Service
        metadata: {name: kubernetes, namespace: default}
        spec:
          ports:
          - {name: https, port: 443, targetPort: 443}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: httpbin1-6c97fbc967-lz4fb
          namespace: default
          labels: {app: httpbin1, pod-template-hash: 6c97fbc967}
        spec:
          containers:
          - name: httpbin
          - name: istio-proxy
            image: gke.gcr.io/istio/proxyv2:1.4.10-gke.8
        status:
          podIP: 10.124.2.21
        """

    /// The table's rows as whitespace-separated cells, header dropped.
    static func rows(_ stdout: String) -> [[String]] {
        stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
    }

    @Test func theRealDumpPrintsItsOwnTypes() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "clusters", "--config-dump", Self.dump])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = Self.rows(result.stdout)
        #expect(rows.contains(["mgmtCluster", "15020", "mgmt-15020", "inbound", "STATIC"]))
        #expect(rows.contains(["InboundPassthroughClusterIpv4", "-", "-", "-", "ORIGINAL_DST"]))
        #expect(rows.contains(["BlackHoleCluster", "-", "-", "-", "STATIC"]))
        #expect(rows.contains(["xds-grpc", "-", "-", "-", "STRICT_DNS"]))
        #expect(rows.count == 46, "3 static and 43 dynamic clusters")
    }

    @Test func onIstio14ThePredictionNamesTheInboundClusterAsTheDumpDoes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifests = directory.appendingPathComponent("httpbin1.yaml")
        try Data(Self.inventory.utf8).write(to: manifests)
        let common = [
            "httpbin1-6c97fbc967-lz4fb", "-n", "default", "--manifests", manifests.path, "--istio-version", "1.4",
            "--direction", "inbound",
        ]
        let real = try runProcess([try meshtrimBinaryPath(), "clusters", "--config-dump", Self.dump] + common)
        #expect(real.exitCode == 0, "\(real.stderr)")
        let predicted = try runProcess([try meshtrimBinaryPath(), "clusters", "--predicted"] + common)
        #expect(predicted.exitCode == 0, "\(predicted.stderr)")
        let realRows = Self.rows(real.stdout)
        #expect(realRows == [["mgmtCluster", "15020", "mgmt-15020", "inbound", "STATIC"]])
        #expect(Self.rows(predicted.stdout) == realRows)

        let why = try runProcess([try meshtrimBinaryPath(), "clusters", "--config-dump", Self.dump, "--why"] + common)
        #expect(why.exitCode == 0, "\(why.stderr)")
        let row = try #require(why.stdout.split(separator: "\n").dropFirst().first)
        #expect(row.contains("management port 15020"))
        #expect(!row.contains("not predicted"))
    }
}
