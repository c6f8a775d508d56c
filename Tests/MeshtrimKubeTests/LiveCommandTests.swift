import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube
import MeshtrimLab
import Testing

/// `meshtrim report` and `meshtrim snapshot` on the lab, as a user runs them: the current context by default,
/// the numbers are the Envoys' own, a snapshot browses like the live cluster, and the three sources agree.
@Suite(.timeLimit(.minutes(3)))
struct LiveCommandTests {
    struct Row: Decodable, Equatable {
        var namespace: String
        var pod: String
        var envoyAllocatedBytes: Int?
        var workingSetBytes: Int?
        var activeClusters: Int?
        var predictedClusters: Int
        var sidecar: String?
        var presetClusters: Int

        /// The row without the figures that move while Envoy runs.
        var stable: String { "\(namespace)/\(pod) \(activeClusters ?? -1) \(predictedClusters) \(sidecar ?? "-") \(presetClusters)" }
    }

    static func meshtrim(_ arguments: [String], lab: LabRun) throws -> ProcessResult {
        try runProcess([try meshtrimBinaryPath()] + arguments, environment: ["KUBECONFIG": lab.kubeconfig], timeout: .seconds(90))
    }

    static func rows(_ result: ProcessResult) throws -> [Row] {
        try JSONDecoder().decode([Row].self, from: Data(result.stdout.utf8))
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func reportNumbersAreTheEnvoysOwnFigures() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let envoys = try await ObservationTests.status(client)
            var compared = false
            for _ in 0..<4 where !compared {
                // Envoy refreshes its memory gauge every 5 s: compare only when it did not move during the report.
                var before: [String: EnvoyStats] = [:]
                for envoy in envoys { before[envoy.id] = try await ObservationTests.direct(envoy.prometheusPort) }
                let result = try Self.meshtrim(["report", "-o", "json"], lab: lab)
                #expect(result.exitCode == 0, "\(result.stderr)")
                var after: [String: EnvoyStats] = [:]
                for envoy in envoys { after[envoy.id] = try await ObservationTests.direct(envoy.prometheusPort) }
                guard before == after else { continue }
                compared = true
                let rows = try Self.rows(result)
                #expect(rows.count == envoys.reduce(0) { $0 + $1.pods.count })
                for row in rows {
                    let envoy = try #require(envoys.first { $0.namespace == row.namespace && $0.pods.contains(row.pod) })
                    let figures = try #require(before[envoy.id])
                    #expect(row.envoyAllocatedBytes == figures.memoryAllocatedBytes, "\(row.pod)")
                    #expect(row.activeClusters == figures.activeClusters, "\(row.pod)")
                    #expect(row.activeClusters == row.predictedClusters, "\(row.pod)")
                    #expect((row.workingSetBytes ?? 0) > 25 * 1024 * 1024, "\(row.pod): the working set is Envoy's RSS plus 25 MiB")
                }
            }
            #expect(compared, "Envoy's memory gauges kept moving")
            await client.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func snapshotRoundTripAndTheThreeSourcesAgree() async throws {
        try requireTool("kubectl")
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            // In process: a capture equals its encoded and decoded self, and analyses the same.
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let capture = try await session.capture(clusterNames: true)
            await session.shutdown()
            #expect(capture.failures.isEmpty, "\(capture.failures)")
            #expect(capture.snapshot.observations.allSatisfy { ($0.clusterNames?.count ?? -1) == $0.activeClusters })
            let decoded = try MeshSnapshot.decode(from: try capture.snapshot.encoded())
            #expect(decoded == capture.snapshot)
            let live = MeshAnalysis(snapshot: capture.snapshot)
            let offline = MeshAnalysis(snapshot: decoded)
            for namespace in live.namespaces.map(\.name) {
                #expect(live.pods(in: namespace) == offline.pods(in: namespace), "\(namespace)")
            }
            #expect(live.namespaces == offline.namespaces)

            // The commands: snapshot, then report on it, on the live cluster and on manifests kubectl dumped.
            let directory = try makeTemporaryDirectory("meshtrim-snapshot")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = "\(directory)/mesh.json"
            let snapshot = try Self.meshtrim(["snapshot", "-o", file, "--cluster-names"], lab: lab)
            #expect(snapshot.exitCode == 0, "\(snapshot.stderr)")
            #expect(snapshot.stderr.contains("sidecars observed from context meshtrim-lab"), "\(snapshot.stderr)")
            let written = try MeshSnapshot.load(from: file)
            #expect(written.inventory == capture.snapshot.inventory)
            #expect(written.observations.map(\.clusterNames) == capture.snapshot.observations.map(\.clusterNames))
            #expect(written.observations.map(\.activeClusters) == capture.snapshot.observations.map(\.activeClusters))

            let fromLive = try Self.rows(try Self.meshtrim(["report", "-A", "-o", "json"], lab: lab))
            let fromSnapshot = try Self.rows(try Self.meshtrim(["report", "--snapshot", file, "-o", "json"], lab: lab))
            #expect(Set(fromLive.map(\.stable)) == Set(fromSnapshot.map(\.stable)))
            let dump = try lab.kubectl([
                "get", "namespaces,pods,services,serviceentries,virtualservices,destinationrules,sidecars,configmaps", "-A", "-o", "yaml",
            ])
            #expect(dump.exitCode == 0, "\(dump.stderr)")
            try write(dump.stdout, to: "\(directory)/dump.yaml")
            let fromManifests = try Self.rows(try Self.meshtrim(["report", "--manifests", "\(directory)/dump.yaml", "-o", "json"], lab: lab))
            #expect(
                Set(fromManifests.map { "\($0.namespace)/\($0.pod) \($0.predictedClusters) \($0.sidecar ?? "-") \($0.presetClusters)" })
                    == Set(fromLive.map { "\($0.namespace)/\($0.pod) \($0.predictedClusters) \($0.sidecar ?? "-") \($0.presetClusters)" }))
            #expect(fromManifests.allSatisfy { $0.activeClusters == nil })

            // One namespace; an unknown context says which exist.
            let namespace = try #require(fromLive.first?.namespace)
            let one = try Self.rows(try Self.meshtrim(["report", "-n", namespace, "-o", "json"], lab: lab))
            #expect(!one.isEmpty && one.allSatisfy { $0.namespace == namespace })
            let unknown = try Self.meshtrim(["report", "--context", "prod"], lab: lab)
            #expect(unknown.exitCode == 1)
            #expect(unknown.stderr.contains("context \"prod\" is not in \(lab.kubeconfig) (contexts: meshtrim-lab, meshtrim-lab-cert, meshtrim-lab-viewer)"))
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func theViewerContextReportsWhatItMayNotRead() async throws {
        try await withLab(ObservationTests.mesh, envoy: true) { lab in
            let directory = try makeTemporaryDirectory("meshtrim-viewer")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let result = try Self.meshtrim(
                ["snapshot", "--context", "meshtrim-lab-viewer", "--cluster-names", "-o", "\(directory)/viewer.json"], lab: lab)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stderr.contains("note: cluster names: predicted — pods/portforward not permitted"), "\(result.stderr)")
            let token = try lab.access(context: "meshtrim-lab-viewer").user.token ?? "missing"
            #expect(!result.stderr.contains(token))
        }
    }
}
