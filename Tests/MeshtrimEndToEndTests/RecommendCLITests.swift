import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimFiles
import Testing

/// `meshtrim recommend` as a script runs it, on the bundled demo snapshot: the JSON shape of issue #6 in its key
/// order, the same hosts as the editor's "observed traffic" preset, YAML behind `#` reasons, and input errors.
@Suite("CLI: recommend")
struct RecommendCLITests {
    let demoSnapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/meshtrim/Resources/demo-snapshot.json").path

    /// The demo's namespace whose sidecars reach the most distinct destinations.
    func busiestNamespace(_ analysis: MeshAnalysis) throws -> String {
        let counts = Dictionary(grouping: analysis.pods.filter { $0.observation != nil }, by: \.pod.namespace)
            .mapValues { Set($0.flatMap { $0.observation?.destinations.map(\.host) ?? [] }).count }
        return try #require(counts.max { $0.value < $1.value }?.key)
    }

    @Test("-o json: hosts, unknownDestinations, sidecar first; the hosts are the editor preset's; reasons name pods and requests")
    func jsonShape() throws {
        let analysis = MeshAnalysis(snapshot: try MeshSnapshot.load(from: demoSnapshot))
        let namespace = try busiestNamespace(analysis)
        for (extra, threshold) in [([String](), 1.0), (["--group-threshold", "0.5"], 0.5)] {
            let result = try runProcess(
                [try meshtrimBinaryPath(), "recommend", "--snapshot", demoSnapshot, "-n", namespace, "-o", "json"] + extra)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let json = try OrderedJSON(parsing: Data(result.stdout.utf8))
            let members = try #require(json.objectMembers)
            #expect(Array(members.map(\.key).prefix(3)) == ["hosts", "unknownDestinations", "sidecar"])
            let hosts = try #require(json["hosts"]?.arrayValue)
            #expect(!hosts.isEmpty)
            for host in hosts {
                #expect(Array((host.objectMembers ?? []).map(\.key).prefix(4)) == ["host", "reason", "requests", "pods"])
            }
            let names = hosts.compactMap { $0["host"]?.stringValue }
            let recommender = EgressRecommender(analysis: analysis)
            let expected = recommender.recommend(
                namespace: namespace, workloadSelector: nil, evidence: recommender.counterEvidence(namespace: namespace, workloadSelector: nil),
                options: .init(groupThreshold: threshold))
            #expect(names == expected.hostNames)
            if threshold == 1.0 { #expect(names == analysis.hosts(for: .observedTraffic, namespace: namespace)) }
            #expect(names.last == "\(analysis.inventory.istiodNamespace)/*")
            let observed = try #require(hosts.first { $0["kind"]?.stringValue == "observed" || $0["kind"]?.stringValue == "grouped" })
            let podValues = try #require(observed["pods"]?.arrayValue)
            let pods = podValues.compactMap { $0.stringValue }
            #expect(!pods.isEmpty)
            #expect(observed["reason"]?.stringValue?.contains(pods[0]) == true)
            #expect(json["sidecar"]?.stringValue == expected.manifest.yaml)
            #expect(json["groupThreshold"].flatMap { if case .number(let text) = $0 { return Double(text) } else { return nil } } == threshold)
        }
    }

    @Test("Default output: # reason lines, then a Sidecar that meshtrim validate accepts")
    func yamlWithReasons() throws {
        let analysis = MeshAnalysis(snapshot: try MeshSnapshot.load(from: demoSnapshot))
        let namespace = try busiestNamespace(analysis)
        let result = try runProcess([try meshtrimBinaryPath(), "recommend", "--snapshot", demoSnapshot, "-n", namespace])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let comments = lines.prefix { $0.hasPrefix("# ") }
        #expect(comments.first?.hasPrefix("# meshtrim recommend: namespace \(namespace)") == true)
        #expect(comments.contains { $0.hasPrefix("# traffic: sidecar counters") })
        #expect(comments.contains { $0.hasPrefix("# \(analysis.inventory.istiodNamespace)/*: the istiod namespace") })
        #expect(lines[comments.count] == "apiVersion: networking.istio.io/v1")
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("sidecar.yaml").path
        try result.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let validated = try runProcess([try meshtrimBinaryPath(), "validate", file])
        #expect(validated.exitCode == 0, "\(validated.stdout)")
    }

    @Test("Input errors exit non-zero with a message that says what to do")
    func inputErrors() throws {
        let binary = try meshtrimBinaryPath()
        let cases: [([String], String)] = [
            (["-n", "nowhere"], "namespace nowhere not found"),
            (["-n", "ledger", "--window", "7d"], "--window needs --prometheus"),
            (["-n", "ledger", "--prometheus", "http://127.0.0.1:9", "--window", "seven"], "is not a duration"),
            (["-n", "ledger", "--prometheus", "prometheus:9090"], "is not an http(s) URL"),
            (["-n", "ledger", "--group-threshold", "-1"], "--group-threshold"),
            (["-n", "ledger", "--workload", "app"], "key=value"),
        ]
        for (arguments, message) in cases {
            let result = try runProcess([binary, "recommend", "--snapshot", demoSnapshot] + arguments)
            #expect(result.exitCode != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
