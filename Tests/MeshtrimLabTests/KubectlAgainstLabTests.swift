import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import Testing

/// The real kubectl against the lab: discovery, lists with pagination, Sidecar writes, errors, credentials.
///
/// Each test runs its own lab and gives kubectl a fresh `--cache-dir` per call, so nothing is served from
/// kubectl's discovery cache.
@Suite(.enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(3)))
struct KubectlAgainstLabTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/shop.yaml").path

    static let sidecar = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: shop}
        spec:
          egress:
          - hosts: ["./*", "istio-system/*"]

        """

    @Test func readsNamespacesPodsAndSidecars() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: false) { lab in
            let namespaces = try lab.kubectl(["get", "ns"])
            #expect(namespaces.exitCode == 0, "\(namespaces.stderr)")
            for name in ["istio-system", "payments", "shop"] { #expect(namespaces.stdout.contains(name)) }
            #expect(namespaces.stdout.contains("STATUS"))

            // --chunk-size 2 makes kubectl follow metadata.continue through three pages.
            let pods = try lab.kubectl(["get", "pods", "-A", "-o", "json", "--chunk-size", "2", "-v=6"])
            #expect(pods.exitCode == 0, "\(pods.stderr)")
            let list = try JSONSerialization.jsonObject(with: Data(pods.stdout.utf8)) as? [String: Any]
            let items = list?["items"] as? [[String: Any]] ?? []
            #expect(items.count == 4)  // cart, web, ledger and the istiod the lab adds
            #expect(pods.stderr.contains("continue="), "kubectl did not paginate:\n\(pods.stderr)")
            let names = items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
            #expect(names.contains("web-5c6b8d7f9-x2x7q"))

            let sidecars = try lab.kubectl(["get", "sidecars.networking.istio.io", "-A"])
            #expect(sidecars.exitCode == 0, "\(sidecars.stderr)")
            #expect(sidecars.stdout.contains("payments"))
            #expect(sidecars.stdout.contains("default"))

            let selected = try lab.kubectl(["get", "pods", "-n", "shop", "-l", "app in (web)", "-o", "name"])
            #expect(selected.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "pod/web-5c6b8d7f9-x2x7q")
        }
    }

    @Test func writesSidecarsWithServerSideApplyAndDryRun() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: false) { lab in
            let dryRun = try lab.kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], stdin: Self.sidecar)
            #expect(dryRun.exitCode == 0, "\(dryRun.stderr)")
            #expect(dryRun.stdout.contains("sidecar.networking.istio.io/default serverside-applied (server dry run)"))
            let none = try lab.kubectl(["get", "sidecars", "-n", "shop"])
            #expect(none.stdout.isEmpty && none.stderr.contains("No resources found"), "dry run persisted: \(none.stdout)")

            let applied = try lab.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.sidecar)
            #expect(applied.exitCode == 0, "\(applied.stderr)")
            #expect(applied.stdout.contains("sidecar.networking.istio.io/default serverside-applied"))
            let fetched = try lab.kubectl(["get", "sidecar", "default", "-n", "shop", "-o", "json", "--show-managed-fields"])
            #expect(fetched.stdout.contains("istio-system/*"))
            #expect(fetched.stdout.contains("\"manager\": \"kubectl\""))

            let deleted = try lab.kubectl(["delete", "sidecar", "default", "-n", "shop"])
            #expect(deleted.exitCode == 0, "\(deleted.stderr)")
            let missing = try lab.kubectl(["get", "sidecar", "default", "-n", "shop"])
            #expect(missing.stderr.contains("Error from server (NotFound)"))
        }
    }

    @Test func refusesWrongTokensAndInvalidHosts() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: false) { lab in
            let wrongToken = try lab.kubectl(["--token", "not-the-token", "get", "ns"])
            #expect(wrongToken.exitCode != 0)
            #expect(wrongToken.stderr.contains("the server has asked for the client to provide credentials"))

            let raw = try runProcess(["curl", "-sk", "-H", "Authorization: Bearer wrong", "\(lab.server)/api/v1/namespaces"])
            #expect(raw.stdout.contains(#""kind":"Status""#) && raw.stdout.contains(#""code":401"#), "\(raw.stdout)")

            let invalid = try lab.kubectl(
                ["apply", "--server-side", "-f", "-"],
                stdin: Self.sidecar.replacingOccurrences(of: #"["./*", "istio-system/*"]"#, with: #"["bad"]"#))
            #expect(invalid.exitCode != 0)
            #expect(invalid.stderr.contains(#"The Sidecar "default" is invalid"#), "\(invalid.stderr)")
            #expect(invalid.stderr.contains(#"spec.egress[0].hosts[0]: Invalid value: "bad""#), "\(invalid.stderr)")
        }
    }

    @Test func honoursTheCertificateAndReadOnlyUsers() async throws {
        try await withLab(["--manifests", Self.fixture, "--read-only-user", "auditor"], needsEnvoy: false) { lab in
            let certificate = try lab.kubectl(["get", "pods", "-n", "shop", "-o", "name"], context: "meshtrim-lab-cert")
            #expect(certificate.exitCode == 0, "\(certificate.stderr)")
            #expect(certificate.stdout.contains("pod/web-5c6b8d7f9-x2x7q"))

            let viewerRead = try lab.kubectl(["get", "sidecars", "-A"], context: "meshtrim-lab-viewer")
            #expect(viewerRead.exitCode == 0, "\(viewerRead.stderr)")
            let viewerWrite = try lab.kubectl(["apply", "--server-side", "-f", "-"], context: "meshtrim-lab-viewer", stdin: Self.sidecar)
            #expect(viewerWrite.exitCode != 0)
            #expect(viewerWrite.stderr.contains(#"User "auditor" cannot patch resource "sidecars""#), "\(viewerWrite.stderr)")

            let review = try runProcess([
                "curl", "-sk", "-X", "POST", "-H", "Content-Type: application/json", "-H", "Authorization: Bearer \(lab.adminToken)",
                "--data", #"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"shop","verb":"patch","group":"networking.istio.io","resource":"sidecars"}}}"#,
                "\(lab.server)/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            ])
            #expect(review.stdout.contains(#""allowed":true"#), "\(review.stdout)")
        }
    }

    @Test func servesRealEnvoyStatsThroughThePodProxy() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: true) { lab in
            let pod = "web-5c6b8d7f9-x2x7q"
            let raw = try lab.kubectl(["get", "--raw", "/api/v1/namespaces/shop/pods/\(pod):15090/proxy/stats/prometheus"])
            #expect(raw.exitCode == 0, "\(raw.stderr)")
            let stats = PrometheusText(parsing: raw.stdout)
            let active = stats.firstSample(named: "envoy_cluster_manager_active_clusters")?.integerValue
            let expected = try expectedActiveClusters(namespace: "shop", pod: pod)
            #expect(active == expected, "active_clusters \(active ?? -1), the scope engine predicts \(expected)")
            #expect((stats.firstSample(named: "envoy_server_memory_allocated")?.value ?? 0) > 1_000_000)
            let requests = stats.samples(named: "istio_requests_total") + stats.samples(named: "istio_tcp_connections_opened_total")
            #expect(!requests.isEmpty)
            #expect(requests.allSatisfy { $0[label: "reporter"] == "source" && $0[label: "destination_service"] != nil })

            // 15020 passes the query on (Istio ≥ 1.24); the filter runs on Envoy's dotted names.
            let filtered = try lab.kubectl([
                "get", "--raw", "/api/v1/namespaces/shop/pods/\(pod):15020/proxy/stats/prometheus?filter=%5Eserver%5C.memory_allocated",
            ])
            #expect(filtered.stdout.contains("envoy_server_memory_allocated"))
            #expect(!filtered.stdout.contains("envoy_cluster_manager_active_clusters"))

            let admin = try lab.kubectl(["get", "--raw", "/api/v1/namespaces/shop/pods/\(pod):15000/proxy/server_info"])
            #expect(admin.exitCode != 0)
            #expect(admin.stderr.contains("error trying to reach service: dial tcp 10.244.1.7:15000: connect: connection refused"), "\(admin.stderr)")
        }
    }

    /// What the scope engine predicts for `cluster_manager.active_clusters` of a pod in the fixture.
    private func expectedActiveClusters(namespace: String, pod: String) throws -> Int {
        let scenario = try LabScenarioLoader.fixture(Self.fixture)
        let engine = ScopeEngine(inventory: scenario.inventory)
        let pods = scenario.inventory.pods.filter { $0.namespace == namespace && $0.hasSidecar }
        return Set(pods.flatMap { engine.scope(for: $0).clusters.map(\.name) }).count
    }
}
