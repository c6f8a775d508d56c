import AsyncHTTPClient
import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import MeshtrimTestSupport
import Testing

/// `meshtrim clusters POD` on the lab's real Envoys: the live table is the `--config-dump` table of the same
/// Envoy's dump, `--predicted` names the same clusters without contacting the pod, `--why` explains every one, and
/// an unknown pod is one clear error.
@Suite(.timeLimit(.minutes(3)))
struct ClustersLiveTests {
    static func meshtrim(_ arguments: [String], lab: LabRun) throws -> ProcessResult {
        try runProcess([try meshtrimBinaryPath()] + arguments, environment: ["KUBECONFIG": lab.kubeconfig], timeout: .seconds(90))
    }

    /// The Envoy's `/config_dump`, read from its admin port directly (not through meshtrim or the API server).
    static func directDump(adminPort: Int) async throws -> Data {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(adminPort)/config_dump")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        return Data(buffer: try await response.body.collect(upTo: 64 << 20))
    }

    /// Each row's SERVICE FQDN, PORT, SUBSET and DIRECTION (what the cluster name says): the lab runs EDS clusters
    /// as STATIC and sets no DestinationRule metadata, so TYPE and DESTINATION RULE are istiod's only in a mesh.
    static func nameColumns(_ table: String) -> [String] {
        table.split(separator: "\n").dropFirst().map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).prefix(4).joined(separator: " ")
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func liveTableEqualsTheDumpTableAndThePrediction() async throws {
        try await withLab(["--manifests", shopFixture], envoy: true) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let envoys = try await ObservationTests.status(client)
            await client.shutdown()
            #expect(envoys.count >= 2)
            for envoy in envoys {
                let pod = try #require(envoy.pods.first)
                let live = try Self.meshtrim(["clusters", pod, "-n", envoy.namespace], lab: lab)
                #expect(live.exitCode == 0, "\(live.stderr)")
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-dump-\(UUID().uuidString).json")
                defer { try? FileManager.default.removeItem(at: file) }
                try await Self.directDump(adminPort: envoy.adminPort).write(to: file)
                let saved = try Self.meshtrim(["clusters", "--config-dump", file.path], lab: lab)
                #expect(saved.exitCode == 0, "\(saved.stderr)")
                #expect(live.stdout == saved.stdout, "\(envoy.namespace)/\(pod)")
                #expect(live.stdout.hasPrefix("SERVICE FQDN"))
                let liveJSON = try Self.meshtrim(["clusters", pod, "-n", envoy.namespace, "-o", "json", "--fqdn", "svc"], lab: lab)
                let savedJSON = try Self.meshtrim(["clusters", "--config-dump", file.path, "-o", "json", "--fqdn", "svc"], lab: lab)
                #expect(liveJSON.exitCode == 0 && liveJSON.stdout.hasPrefix("[\n    {"), "\(liveJSON.stderr)")
                #expect(liveJSON.stdout == savedJSON.stdout)

                let predicted = try Self.meshtrim(["clusters", pod, "-n", envoy.namespace, "--predicted"], lab: lab)
                #expect(predicted.exitCode == 0, "\(predicted.stderr)")
                #expect(Self.nameColumns(predicted.stdout) == Self.nameColumns(live.stdout), "\(envoy.namespace)/\(pod)")

                let why = try Self.meshtrim(["clusters", pod, "-n", envoy.namespace, "--why"], lab: lab)
                #expect(why.exitCode == 0, "\(why.stderr)")
                let rows = why.stdout.split(separator: "\n")
                #expect(rows.first?.hasSuffix("WHY") == true)
                #expect(rows.count == live.stdout.split(separator: "\n").count)
                #expect(!why.stdout.contains(IstioctlClusterTable.unpredictedReason), "\(why.stdout)")
                if envoy.namespace == "payments" {
                    // ledger's DestinationRule subsets and the Sidecar's ./* host are named as the reasons.
                    #expect(why.stdout.contains("subset v1 of DestinationRule payments/ledger"), "\(why.stdout)")
                    #expect(why.stdout.contains("egress host ./*"), "\(why.stdout)")
                }
            }
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func unknownPodIsOneClearError() async throws {
        try await withLab(["--manifests", shopFixture], envoy: false) { lab in
            for extra in [[String](), ["--predicted"]] {
                let result = try Self.meshtrim(["clusters", "no-such-pod", "-n", "shop"] + extra, lab: lab)
                #expect(result.exitCode == 1, "\(extra)")
                #expect(result.stderr.contains("pod no-such-pod not found in namespace shop"), "\(result.stderr)")
                #expect(!result.stderr.contains("USAGE"), "\(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
        }
    }
}
