import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import MeshtrimTestSupport
import Testing

/// The live inventory reads the mesh config of the revision in use (`istio-<rev>`), as `--manifests` does: a lab
/// whose manifests hold ConfigMaps `istio` and `istio-canary`, with namespaces and pods on revision `canary`.
@Suite(.timeLimit(.minutes(3)))
struct LiveMeshConfigRevisionTests {
    /// The mesh: `istio` (root namespace istio-system) and two namespaces on revision canary, with a mesh-wide
    /// Sidecar in `mesh-root`, which is the root namespace only in `istio-canary`'s mesh config.
    static let mesh = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: istio-system
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: istio
          namespace: istio-system
          labels:
            istio.io/rev: default
        data:
          mesh: |-
            enableTracing: false
            rootNamespace: istio-system
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: mesh-root
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: mesh-root
        spec:
          egress:
          - hosts:
            - "./*"
            - "istio-system/*"
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels:
            istio.io/rev: canary
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
                istio.io/rev: canary
            spec:
              containers:
              - name: web
                image: nginx
                ports:
                - containerPort: 8080
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          selector:
            app: web
          ports:
          - name: http
            port: 80
            targetPort: 8080
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: billing
          labels:
            istio.io/rev: canary
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: ledger
          namespace: billing
        spec:
          selector:
            matchLabels:
              app: ledger
          template:
            metadata:
              labels:
                app: ledger
                istio.io/rev: canary
            spec:
              containers:
              - name: ledger
                image: nginx
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: ledger
          namespace: billing
        spec:
          selector:
            app: ledger
          ports:
          - name: http
            port: 80
        """

    /// The canary revision's ConfigMap.
    static let canary = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: istio-canary
          namespace: istio-system
          labels:
            istio.io/rev: canary
        data:
          mesh: |-
            enableTracing: false
            rootNamespace: mesh-root
        """

    /// A directory holding mesh.yaml and canary.yaml.
    static func manifests() throws -> String {
        let directory = try makeTemporaryDirectory("meshtrim-revision")
        try mesh.write(toFile: "\(directory)/mesh.yaml", atomically: true, encoding: .utf8)
        try canary.write(toFile: "\(directory)/canary.yaml", atomically: true, encoding: .utf8)
        return directory
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func liveInventoryUsesTheRevisionsMeshConfigLikeManifests() async throws {
        let directory = try Self.manifests()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let expected = try LabScenario.load(manifests: [directory], seed: 1).inventory
        let withoutCanary = try LabScenario.load(manifests: ["\(directory)/mesh.yaml"], seed: 1).inventory
        // Preconditions: the canary's mesh config is the one manifests use, and it changes the predicted clusters.
        try #require(expected.meshConfig.rootNamespace == "mesh-root")
        try #require(withoutCanary.meshConfig.rootNamespace == "istio-system")
        try #require(LiveInventoryTests.fingerprint(expected) != LiveInventoryTests.fingerprint(withoutCanary))
        try await withLab(["--manifests", directory], envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let live = try await InventoryLoader(client: client).load()
            await client.shutdown()
            #expect(!live.notes.contains { $0.hasPrefix("mesh config") }, "\(live.notes)")
            #expect(live.inventory.meshConfig == expected.meshConfig)
            #expect(live.inventory.istiodNamespace == "istio-system")
            #expect(LiveInventoryTests.fingerprint(live.inventory) == LiveInventoryTests.fingerprint(expected))
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func forbiddenConfigMapListReadsIstioOnlyWithANote() async throws {
        let directory = try Self.manifests()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let istioOnly = try LabScenario.load(manifests: ["\(directory)/mesh.yaml"], seed: 1).inventory
        try await withLab(["--manifests", directory, "--fault", "forbid=list:configmaps"], envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let live = try await InventoryLoader(client: client).load()
            await client.shutdown()
            #expect(
                live.notes.contains(
                    "mesh config: listing ConfigMaps in istio-system is not permitted; reading ConfigMap istio only "
                        + "(a revisioned install's istio-<rev> is not seen)"), "\(live.notes)")
            #expect(live.inventory.meshConfig == istioOnly.meshConfig)
        }
    }
}
