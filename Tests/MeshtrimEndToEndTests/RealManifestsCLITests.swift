import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim report` on manifests as they come (issue #11): the same objects twice, names shared across kinds,
/// gateways and namespace-less files — through the real binary, never a trap.
@Suite("CLI: report on real-world manifests")
struct RealManifestsCLITests {
    let bookinfo = sharedFixture("samples/bookinfo/platform/kube/bookinfo.yaml")
    let helmGateway = sharedFixture("operator/cmd/mesh/testdata/manifest-generate/output/gateway.golden.yaml")
    let injectedGateway = sharedFixture("pkg/kube/inject/testdata/inject/gateway.yaml.injected")

    private func rows(_ arguments: [String]) throws -> (rows: [[String: Any]], stderr: String) {
        let result = try runProcess([try meshtrimBinaryPath(), "report"] + arguments + ["-o", "json"])
        #expect(result.exitCode == 0, "exit \(result.exitCode): \(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)")
        return (rows, result.stderr)
    }

    private func names(_ rows: [[String: Any]]) -> [String] {
        rows.compactMap { row in (row["namespace"] as? String).flatMap { ns in (row["pod"] as? String).map { "\(ns)/\($0)" } } }.sorted()
    }

    @Test("the same file twice after one --manifests: each pod once, a warning naming the file")
    func sameFileTwice() throws {
        let (once, _) = try rows(["--manifests", bookinfo])
        let (twice, stderr) = try rows(["--manifests", bookinfo, bookinfo])
        #expect(once.count == 6)
        #expect(names(twice) == names(once))
        #expect(stderr.contains("warning:") && stderr.contains("bookinfo.yaml"), "\(stderr)")
        // The repeated flag still works.
        let (repeated, _) = try rows(["--manifests", bookinfo, "--manifests", bookinfo])
        #expect(names(repeated) == names(once))
    }

    @Test("two renders of a gateway install in one folder: one gateway row, proxy gateway, preset = predicted")
    func twoRenders() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOfFile: helmGateway, encoding: .utf8)
        try text.write(to: folder.appendingPathComponent("render-1.yaml"), atomically: true, encoding: .utf8)
        try text.write(to: folder.appendingPathComponent("render-2.yaml"), atomically: true, encoding: .utf8)
        let (rows, stderr) = try rows(["--manifests", folder.path])
        #expect(names(rows) == ["istio-ingress/istio-ingress"])
        let row = try #require(rows.first)
        #expect(row["proxy"] as? String == "gateway")
        #expect(row["sidecar"] is NSNull)
        #expect(row["presetClusters"] as? Int == row["predictedClusters"] as? Int)
        #expect(stderr.contains("render-1.yaml") && stderr.contains("render-2.yaml"), "\(stderr)")
    }

    @Test("report -o json puts proxy right after pod")
    func proxyKeyOrder() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "report", "--manifests", bookinfo, "-o", "json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let pod = try #require(result.stdout.range(of: "\"pod\""))
        let proxy = try #require(result.stdout.range(of: "\"proxy\": \"sidecar\""))
        let next = try #require(result.stdout.range(of: "\"envoyAllocatedBytes\""))
        #expect(pod.upperBound < proxy.lowerBound && proxy.upperBound < next.lowerBound)
    }

    @Test("a Deployment and a StatefulSet with one name: two rows, no crash")
    func sameNameDifferentKinds() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: web, namespace: shop}
            spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}
            """.write(to: folder.appendingPathComponent("shop.yaml"), atomically: true, encoding: .utf8)
        let (rows, _) = try rows(["--manifests", folder.path])
        #expect(names(rows) == ["shop/web-deployment", "shop/web-statefulset"])
        let (table, _) = try tableOutput(["--manifests", folder.path, "-n", "shop"])
        #expect(table.contains("web-deployment") && table.contains("web-statefulset"))
    }

    private func tableOutput(_ arguments: [String]) throws -> (String, String) {
        let result = try runProcess([try meshtrimBinaryPath(), "report"] + arguments)
        #expect(result.exitCode == 0, "exit \(result.exitCode): \(result.stderr)")
        return (result.stdout, result.stderr)
    }

    @Test("scope on a gateway: the default scope, no inbound clusters, -n is where namespace-less manifests go")
    func scopeGateway() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "scope", "--manifests", injectedGateway, bookinfo, "-n", "shop",
                                     "--pod", "istio-ingressgateway", "-o", "json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["sidecar"] is NSNull)
        let clusters = try #require(object["clusters"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(clusters.contains("outbound|9080||reviews.shop.svc.cluster.local"))
        #expect(clusters.contains("PassthroughCluster"))
        #expect(!clusters.contains { $0.hasPrefix("inbound|") || $0.hasPrefix("InboundPassthrough") }, "\(clusters)")
    }

    @Test("namespace-less files: default with a note; -n or --manifests-namespace put them where kubectl apply -n would")
    func namespaceLess() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try String(contentsOfFile: injectedGateway, encoding: .utf8)
            .write(to: folder.appendingPathComponent("gateway.yaml"), atomically: true, encoding: .utf8)
        try String(contentsOfFile: bookinfo, encoding: .utf8)
            .write(to: folder.appendingPathComponent("bookinfo.yaml"), atomically: true, encoding: .utf8)
        let (plain, notes) = try rows(["--manifests", folder.path])
        #expect(plain.count == 7)
        #expect(plain.allSatisfy { $0["namespace"] as? String == "default" })
        #expect(notes.contains("note:") && notes.contains("no namespace") && notes.contains("--manifests-namespace"), "\(notes)")
        #expect(notes.contains("no Namespace manifest for default"), "\(notes)")
        let gateway = try #require(plain.first { $0["pod"] as? String == "istio-ingressgateway" })
        #expect(gateway["proxy"] as? String == "gateway")
        #expect(plain.filter { $0["proxy"] as? String == "sidecar" }.count == 6)

        let (filtered, filteredNotes) = try rows(["--manifests", folder.path, "-n", "shop"])
        #expect(filtered.count == 7 && filtered.allSatisfy { $0["namespace"] as? String == "shop" })
        #expect(!filteredNotes.contains("name no namespace"), "\(filteredNotes)")

        let (chosen, _) = try rows(["--manifests", folder.path, "--manifests-namespace", "shop", "-A"])
        #expect(chosen.count == 7 && chosen.allSatisfy { $0["namespace"] as? String == "shop" })

        let bad = try runProcess([try meshtrimBinaryPath(), "report", "--demo", "--manifests-namespace", "shop"])
        #expect(bad.exitCode == 64, "\(bad.stderr)")
    }
}
