import Foundation
import Synchronization
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube
import MeshtrimLab
import Testing

/// The live inventory against the lab: paginated lists that add up to the lab's mesh, the per-namespace fallback
/// when cluster-wide lists are forbidden, typed errors (401 is in AuthenticationTests; 403, 404, 500 here), and
/// the lab's slow, failing and truncating faults.
@Suite(.timeLimit(.minutes(3)))
struct LiveInventoryTests {
    static let mesh = ["--namespaces", "5", "--services", "30", "--pods", "24", "--seed", "3"]

    /// The lab's scenario for `mesh`, computed the way `meshtrim lab` computes it.
    static func scenario() throws -> LabScenario {
        try LabScenario.generated(namespaces: 5, services: 30, pods: 24, seed: 3)
    }

    /// Per pod: sidecar, labels and the scope engine's prediction, which must not depend on where the inventory
    /// came from.
    static func fingerprint(_ inventory: MeshInventory) -> [String: String] {
        let analysis = MeshAnalysis(inventory: inventory, observations: [], source: "test", istioVersion: nil)
        var result: [String: String] = [:]
        for namespace in analysis.namespaces {
            for summary in analysis.pods(in: namespace.name) {
                let labels = summary.pod.labels.filter { !$0.key.hasPrefix("security.istio.io") && !$0.key.hasPrefix("service.istio.io") }
                result["\(summary.pod.namespace)/\(summary.pod.name)"] =
                    "\(summary.pod.hasSidecar) \(labels.sorted { $0.key < $1.key }) \(summary.predictedClusters) \(summary.sidecar ?? "-")"
            }
        }
        return result
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func paginatedListsAddUpToTheLabsMesh() async throws {
        try requireTool("kubectl")
        try await withLab(Self.mesh, envoy: false) { lab in
            let expected = try Self.scenario().inventory
            let client = try await KubeClient.connect(try lab.access())
            var loader = InventoryLoader(client: client)
            loader.pageSize = 7
            let progress = Mutex<[String]>([])
            let live = try await loader.load(progress: { line in progress.withLock { $0.append(line) } })
            await client.shutdown()
            let inventory = live.inventory
            #expect(live.notes.isEmpty, "\(live.notes)")
            #expect(live.pages > 8, "pages: \(live.pages)")
            // 30 Services in pages of 7: the fifth page says so while it is read, then the list says it is done.
            let lines = progress.withLock { $0 }
            #expect(lines.contains("reading Services: page 5…"), "\(lines)")
            #expect(lines.contains("Services: 5 pages"), "\(lines)")
            #expect(lines.contains("pods: 4 pages"), "\(lines)")
            #expect(inventory.pods.map { "\($0.namespace)/\($0.name)" } == expected.pods.map { "\($0.namespace)/\($0.name)" })
            #expect(Set(inventory.services.map(\.hostname)) == Set(expected.services.map(\.hostname)))
            #expect(Set(inventory.sidecars.map(\.meta.qualifiedName)) == Set(expected.sidecars.map(\.meta.qualifiedName)))
            #expect(Set(inventory.virtualServices.map(\.meta.qualifiedName)) == Set(expected.virtualServices.map(\.meta.qualifiedName)))
            #expect(Set(inventory.destinationRules.map(\.meta.qualifiedName)) == Set(expected.destinationRules.map(\.meta.qualifiedName)))
            #expect(inventory.namespaces.map(\.name) == expected.namespaces.map(\.name))
            #expect(inventory.meshConfig == expected.meshConfig)
            #expect(inventory.istiodNamespace == expected.istiodNamespace)
            #expect(inventory.istioVersion == (expected.istioVersion ?? .defaultVersion))
            #expect(Self.fingerprint(inventory) == Self.fingerprint(expected))
            // kubectl sees as many pods.
            let kubectl = try lab.kubectl(["get", "pods", "-A", "-o", "json", "--chunk-size=7"])
            struct List: Decodable { var items: [[String: AnyCodable]] }
            #expect(try JSONDecoder().decode(List.self, from: Data(kubectl.stdout.utf8)).items.count == inventory.pods.count)
        }
    }

    /// The live pages go to the same loader as `--manifests`, in memory: a `kubectl get -o yaml` dump of the same
    /// mesh read from files gives the same inventory (the Istio version, which the live path takes from istiod's
    /// image, aside).
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func liveInventoryEqualsTheManifestsOfTheSameMesh() async throws {
        try requireTool("kubectl")
        try await withLab(Self.mesh, envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            var loader = InventoryLoader(client: client)
            loader.pageSize = 7
            let live = try await loader.load()
            await client.shutdown()
            #expect(live.notes.isEmpty, "\(live.notes)")
            let directory = try makeTemporaryDirectory("meshtrim-live-manifests")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            // The mesh config first, then the kinds in the live loader's order; with managedFields, as the API lists
            // them (each Sidecar is kept as written for edits).
            let kinds = "namespaces,pods,services,serviceentries,virtualservices,destinationrules,sidecars"
            let dumps = [
                ("00-configmaps.yaml", ["get", "configmaps", "-n", "istio-system", "-o", "yaml", "--show-managed-fields"]),
                ("10-mesh.yaml", ["get", kinds, "-A", "-o", "yaml", "--show-managed-fields"]),
            ]
            for (name, arguments) in dumps {
                let dump = try lab.kubectl(arguments)
                try #require(dump.exitCode == 0, "kubectl \(arguments.joined(separator: " ")): \(dump.stderr)")
                try Data(dump.stdout.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
            }
            let manifests = try ManifestLoader.load(paths: [directory])
            var expected = manifests.inventory
            try #require(!expected.pods.isEmpty && !expected.sidecars.isEmpty, "the dump holds the mesh")
            expected.istioVersion = live.inventory.istioVersion
            #expect(live.inventory.pods == expected.pods)
            #expect(live.inventory.services == expected.services)
            #expect(live.inventory.sidecars == expected.sidecars)
            #expect(live.inventory.meshConfig == expected.meshConfig)
            #expect(live.inventory == expected, "the whole inventory, beyond the parts above")
            #expect(manifests.warnings.isEmpty, "\(manifests.warnings)")
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func forbiddenClusterWideListsFallBackToNamespaces() async throws {
        try await withLab(Self.mesh, envoy: false) { lab in
            let expected = try Self.scenario().inventory
            let refusedNamespace = try #require(expected.pods.first { $0.hasSidecar && $0.namespace != "istio-system" }?.namespace)
            let proxy = try await RBACProxy.start(lab: lab) { method, path in
                guard method == "GET" else { return false }
                let clusterWide = ["/api/v1/pods", "/api/v1/services", "/apis/networking.istio.io/v1/sidecars", "/apis/networking.istio.io/v1/virtualservices"]
                return clusterWide.contains(path) || path == "/api/v1/namespaces/\(refusedNamespace)/pods"
            }
            let directory = try makeTemporaryDirectory("meshtrim-rbac")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let session = try await LiveSession.open(kubeconfig: try proxy.kubeconfig(in: directory), context: nil)
            let live = try await session.loadInventory()
            await session.shutdown()
            await proxy.stop()
            #expect(live.notes.contains("pods: listing in all namespaces is not permitted; listed per namespace"), "\(live.notes)")
            #expect(live.notes.contains("pods: not permitted in \(refusedNamespace)"), "\(live.notes)")
            #expect(live.notes.contains("Services: listing in all namespaces is not permitted; listed per namespace"))
            #expect(live.notes.contains("Sidecars: listing in all namespaces is not permitted; listed per namespace"))
            #expect(live.inventory.pods.map(\.name) == expected.pods.filter { $0.namespace != refusedNamespace }.map(\.name))
            #expect(Set(live.inventory.services.map(\.hostname)) == Set(expected.services.map(\.hostname)))
            #expect(Set(live.inventory.sidecars.map(\.meta.qualifiedName)) == Set(expected.sidecars.map(\.meta.qualifiedName)))
            #expect(Set(live.inventory.virtualServices.map(\.meta.qualifiedName)) == Set(expected.virtualServices.map(\.meta.qualifiedName)))
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func failuresAreTypedWithTheVerbAndResource() async throws {
        try await withLab(Self.mesh, envoy: false) { lab in
            let admin = try await KubeClient.connect(try lab.access())
            let viewer = try await KubeClient.connect(try lab.access(context: "meshtrim-lab-viewer"))
            let namespace = try #require(try Self.scenario().inventory.sidecars.first?.meta.namespace)
            // 403 on a Sidecar apply by the read-only user.
            let body = Data(#"{"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"default","namespace":"\#(namespace)"},"spec":{"egress":[{"hosts":["./*"]}]}}"#.utf8)
            let forbidden = await #expect(throws: KubeError.self) {
                _ = try await viewer.send(
                    "PATCH", "/apis/networking.istio.io/v1/namespaces/\(namespace)/sidecars/default",
                    query: [("fieldManager", "meshtrim"), ("dryRun", "All")], body: body, contentType: "application/apply-patch+yaml")
            }
            #expect(forbidden?.kind == .forbidden)
            #expect(
                forbidden?.message.hasPrefix(
                    "user \"viewer\" in context \"meshtrim-lab-viewer\" may not patch sidecars.networking.istio.io in namespace \(namespace) (403 Forbidden:") == true,
                "\(String(describing: forbidden))")
            // The admin may (server-side dry run).
            _ = try await admin.send(
                "PATCH", "/apis/networking.istio.io/v1/namespaces/\(namespace)/sidecars/default",
                query: [("fieldManager", "meshtrim"), ("dryRun", "All")], body: body, contentType: "application/apply-patch+yaml")
            // 404: an object, and an API the cluster does not serve.
            let missingPod = await #expect(throws: KubeError.self) { _ = try await admin.send("GET", "/api/v1/namespaces/\(namespace)/pods/nope") }
            #expect(missingPod?.kind == .notFound)
            #expect(missingPod?.message.contains("pods \"nope\" not found") == true, "\(String(describing: missingPod))")
            let missingAPI = await #expect(throws: KubeError.self) { _ = try await admin.send("GET", "/apis/example.com/v1/widgets") }
            #expect(missingAPI?.message.contains("does not serve widgets.example.com") == true, "\(String(describing: missingAPI))")
            // Access reviews.
            let checker = AccessChecker(client: viewer)
            let permissions = await LivePermissions.check(with: checker)
            #expect(permissions.listPods == .allowed)
            #expect(permissions.podProxy == .allowed)
            #expect(permissions.portForward == .denied)
            #expect(permissions.patchSidecars == .denied)
            #expect(permissions.lines.contains { $0.hasPrefix("cluster names: predicted — pods/portforward not permitted (") })
            #expect(await LivePermissions.check(with: AccessChecker(client: admin)) == .everything)
            await admin.shutdown()
            await viewer.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func serverErrorsAreRetriedThenReported() async throws {
        try await withLab(Self.mesh + ["--fault", "error-rate=1"], envoy: false) { lab in
            // The waits between tries go through the injected sleep (recorded, not slept): the test checks the
            // back-off schedule itself instead of timing the wall clock.
            let waits = Mutex<[Duration]>([])
            var options = KubeClient.Options()
            options.sleep = { delay in waits.withLock { $0.append(delay) } }
            let error = await #expect(throws: KubeError.self) {
                _ = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil, options: options)
            }
            #expect(error?.kind == .server)
            #expect(error?.message.contains("the API server at \(lab.server) answered 50") == true, "\(String(describing: error))")
            #expect(error?.message.contains("the lab injected a fault") == true)
            // Three tries of the first request, then the error: no endless retrying. The lab answers 503 with
            // `Retry-After: 1` or 500 at random, so each wait is the server's second or the back-off of that try
            // (200 ms after the first, 400 ms after the second).
            let recorded = waits.withLock { $0 }
            #expect(recorded.count == 2, "\(recorded)")
            for (index, wait) in recorded.enumerated() {
                #expect(wait == .milliseconds(200 << index) || wait == .seconds(1), "\(recorded)")
            }
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func slowAndTruncatedAnswersAreRetried() async throws {
        try await withLab(Self.mesh + ["--fault", "truncate-rate=0.2", "--fault", "latency=30ms"], envoy: false) { lab in
            let expected = try Self.scenario().inventory
            let client = try await KubeClient.connect(try lab.access())
            var loader = InventoryLoader(client: client)
            loader.pageSize = 10
            var options = KubeClient.Options()
            options.maxAttempts = 8
            let patient = try await KubeClient.connect(try lab.access(), options: options)
            loader.client = patient
            let live = try await loader.load()
            #expect(live.inventory.pods.map(\.name) == expected.pods.map(\.name))
            #expect(Self.fingerprint(live.inventory) == Self.fingerprint(expected))
            #expect(patient.requestCount > live.pages, "no request was retried (\(patient.requestCount) requests, \(live.pages) pages)")
            await client.shutdown()
            await patient.shutdown()
        }
        try await withLab(Self.mesh + ["--fault", "truncate-rate=1"], envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let error = await #expect(throws: KubeError.self) { _ = try await InventoryLoader(client: client).load() }
            #expect(error?.kind == .badResponse)
            #expect(error?.message.contains("was cut off") == true, "\(String(describing: error))")
            await client.shutdown()
        }
    }
}

/// Any JSON value (for counting kubectl's items).
struct AnyCodable: Decodable {
    init(from decoder: Decoder) throws {
        _ = try? decoder.singleValueContainer()
    }
}
