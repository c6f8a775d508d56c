import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim scope`, `report` and `validate` as a script would run them: the real binary, its exit status and output.
@Suite("CLI: scope, report, validate")
struct ScopeCLITests {
    let bookinfo = sharedFixture("samples/bookinfo/platform/kube/bookinfo.yaml")

    private func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test("scope -o json prints the documented shape with services in Istio's order")
    func scopeJSON() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "scope", "--manifests", bookinfo, "-n", "default",
                                     "--pod", "productpage-v1", "-o", "json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let object = try #require(try json(result.stdout) as? [String: Any])
        #expect(Set(object.keys) == ["proxy", "sidecar", "outboundTrafficPolicy", "services", "clusters", "warnings"])
        #expect(object["sidecar"] is NSNull)
        #expect(object["outboundTrafficPolicy"] as? String == "ALLOW_ANY")
        let proxy = try #require(object["proxy"] as? [String: Any])
        #expect(proxy["namespace"] as? String == "default")
        #expect((proxy["labels"] as? [String: String])?["app"] == "productpage")
        let services = try #require(object["services"] as? [[String: Any]])
        // Bookinfo has no creation timestamps, so Istio's order falls back to the service name.
        #expect(services.compactMap { $0["hostname"] as? String } == [
            "details.default.svc.cluster.local", "productpage.default.svc.cluster.local",
            "ratings.default.svc.cluster.local", "reviews.default.svc.cluster.local",
        ])
        #expect(services.allSatisfy { ($0["ports"] as? [Int]) == [9080] && $0["reason"] is String })
        let clusters = try #require(object["clusters"] as? [[String: Any]])
        #expect(clusters.contains { $0["name"] as? String == "outbound|9080||reviews.default.svc.cluster.local" })
    }

    @Test("scope --sidecar evaluates a what-if Sidecar")
    func scopeWhatIf() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sidecar = directory.appendingPathComponent("sidecar.yaml")
        try """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              egress:
              - hosts: ["./ratings.default.svc.cluster.local"]
            """.write(to: sidecar, atomically: true, encoding: .utf8)
        let result = try runProcess([try meshtrimBinaryPath(), "scope", "--manifests", bookinfo, "-n", "default",
                                     "--labels", "app=reviews", "--sidecar", sidecar.path, "-o", "json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let object = try #require(try json(result.stdout) as? [String: Any])
        #expect((object["sidecar"] as? [String: String]) == ["namespace": "default", "name": "default"])
        let services = try #require(object["services"] as? [[String: Any]])
        #expect(services.compactMap { $0["hostname"] as? String } == ["ratings.default.svc.cluster.local"])
    }

    @Test("scope -o table is for people and -o yaml parses")
    func scopeTableAndYAML() throws {
        let table = try runProcess([try meshtrimBinaryPath(), "scope", "--manifests", bookinfo, "-n", "default", "--labels", "app=ratings"])
        #expect(table.exitCode == 0)
        #expect(table.stdout.contains("SERVICES (4)") && table.stdout.contains("CLUSTERS ("))
        let yaml = try runProcess([try meshtrimBinaryPath(), "scope", "--manifests", bookinfo, "-n", "default", "-o", "yaml"])
        #expect(yaml.exitCode == 0)
        #expect(yaml.stdout.contains("outboundTrafficPolicy: ALLOW_ANY"))
    }

    struct BadCall: CustomTestStringConvertible, Sendable {
        let label: String
        let arguments: [String]
        let content: String?
        let stderrPart: String
        var testDescription: String { label }
    }

    static let badCalls: [BadCall] = [
        BadCall(label: "missing file", arguments: ["scope", "--manifests", "/nonexistent.yaml", "-n", "x"], content: nil,
                stderrPart: "/nonexistent.yaml: no such file or directory"),
        BadCall(label: "malformed YAML names file and line", arguments: ["scope", "--manifests", "FILE", "-n", "x"],
                content: "apiVersion: v1\nkind: Service\nmetadata: {name: [a\n", stderrPart: "FILE:"),
        BadCall(label: "wrong field type", arguments: ["scope", "--manifests", "FILE", "-n", "x"],
                content: "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: eighty}]}\n",
                stderrPart: "FILE:1: Service: expected a whole number at spec.ports[0].port"),
        BadCall(label: "no namespace", arguments: ["scope", "--manifests", "FILE"], content: "", stderrPart: "--namespace"),
        BadCall(label: "bad labels", arguments: ["scope", "--manifests", "FILE", "-n", "x", "--labels", "app"], content: "",
                stderrPart: "is not key=value"),
        BadCall(label: "unknown pod", arguments: ["scope", "--manifests", "FILE", "-n", "x", "--pod", "nope"], content: "",
                stderrPart: "no pod or workload 'nope' in namespace x"),
        BadCall(label: "bad Istio version", arguments: ["scope", "--manifests", "FILE", "-n", "x", "--istio-version", "one"],
                content: "", stderrPart: "is not a version like 1.31"),
        BadCall(label: "report without a source", arguments: ["report"], content: nil, stderrPart: "give a source"),
        BadCall(label: "report on a garbage snapshot", arguments: ["report", "--snapshot", "FILE"], content: "{\"vers",
                stderrPart: "not a meshtrim snapshot"),
    ]

    @Test("unusable input exits non-zero with a clear message and no crash", arguments: badCalls)
    func badInput(_ call: BadCall) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("input.yaml").path
        if let content = call.content { try content.write(toFile: file, atomically: true, encoding: .utf8) }
        let arguments = call.arguments.map { $0 == "FILE" ? file : $0 }
        let result = try runProcess([try meshtrimBinaryPath()] + arguments)
        #expect(result.exitCode != 0)
        #expect(result.exitCode < 128, "exited by signal: \(result.stderr)")
        #expect(result.stderr.contains(call.stderrPart.replacingOccurrences(of: "FILE", with: file)), "\(result.stderr)")
    }

    @Test("report -o json has one object per sidecar with the documented keys")
    func reportJSON() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "report", "--manifests", bookinfo, "-o", "json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = try #require(try json(result.stdout) as? [[String: Any]])
        #expect(rows.count == 6)
        let keys: Set<String> = ["namespace", "pod", "proxy", "envoyAllocatedBytes", "workingSetBytes", "activeClusters",
                                 "predictedClusters", "sidecar", "presetClusters", "presetEstimatedBytes"]
        #expect(rows.allSatisfy { Set($0.keys) == keys })
        #expect(rows.allSatisfy { $0["predictedClusters"] as? Int == 12 && $0["sidecar"] is NSNull })
        #expect(rows.allSatisfy { $0["proxy"] as? String == "sidecar" })
    }

    @Test("report -o csv quotes nothing it does not need to and has a header, proxy after pod as in -o json")
    func reportCSV() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "report", "--manifests", bookinfo, "-n", "default", "-o", "csv"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "namespace,pod,proxy,envoyAllocatedBytes,workingSetBytes,activeClusters,predictedClusters,sidecar,presetClusters,presetEstimatedBytes")
        #expect(lines.count == 7)
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 10 })
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[2] == "sidecar" })
    }
}
