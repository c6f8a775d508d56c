import Foundation
import MeshtrimCore
import MeshtrimLab
import MeshtrimTestSupport
import Testing

/// The proof that a written plan does what it predicts on real Envoys: `meshtrim plan --out DIR` against a lab,
/// `kubectl apply --server-side -k DIR`, and every sidecar ends with exactly the clusters the plan's Sidecars give it
/// (as Istio selects them), while every destination it reported traffic to stays among its clusters.
@Suite(.enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(4)))
struct PlanLabTests {
    /// `shop` (one sidecar, calling catalogs) plus a sidecar in `catalog-0`.
    static func manifests() -> String {
        shopWithCatalogs(namespaces: 3, servicesPerNamespace: 40) + """
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: item-0-5d8f7b9c4-k2m7z, namespace: catalog-0, labels: {app: item-0}}
            spec:
              containers:
              - {name: item, image: shop/item:1.0, ports: [{name: http, containerPort: 8080}]}
              - {name: istio-proxy, image: docker.io/istio/proxyv2:1.31.0}
            status: {phase: Running, podIP: 10.244.9.10, containerStatuses: [{name: item, ready: true}, {name: istio-proxy, ready: true}]}

            """
    }

    @Test func applyingAWrittenPlanLeavesEveryEnvoyWithThePredictedClusters() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-plan-lab-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifests = directory.appendingPathComponent("mesh.yaml").path
        try Self.manifests().write(toFile: manifests, atomically: true, encoding: .utf8)
        let scenario = try LabScenario.load(manifests: [manifests], seed: 1)
        let sidecarPods = scenario.inventory.pods.filter(\.hasSidecarProxy)
        try #require(sidecarPods.count == 2)

        try await withLab(["--manifests", manifests], needsEnvoy: true) { lab in
            let out = directory.appendingPathComponent("plan").path
            let planned = try runProcess(
                [try meshtrimBinaryPath(), "plan", "--kubeconfig", lab.kubeconfig, "--out", out, "-o", "json"], timeout: .seconds(120))
            try #require(planned.exitCode == 0, "\(planned.stderr)")
            let json = try OrderedJSON(parsing: Data(planned.stdout.utf8))
            #expect(json["totals"]?["cuts"]?.arrayValue?.isEmpty == true)

            // What the plan predicts for each Envoy: the written Sidecars, selected as Istio selects them.
            var inventory = scenario.inventory
            let kustomization = try String(contentsOfFile: out + "/kustomization.yaml", encoding: .utf8)
            for line in kustomization.split(separator: "\n") where line.hasPrefix("- ") {
                let text = try String(contentsOfFile: out + "/" + line.dropFirst(2), encoding: .utf8)
                for document in try SidecarDocumentReader.read(text).sidecars {
                    var sidecar = document.sidecar
                    sidecar.meta.creationTimestamp = Date.distantFuture
                    inventory.sidecars.append(sidecar)
                }
            }
            #expect(inventory.sidecars.contains { $0.meta.qualifiedName == "istio-system/default" })
            let engine = ScopeEngine(inventory: inventory)
            var before: [String: EnvoySample] = [:]
            for pod in sidecarPods { before[pod.name] = try lab.envoySample(namespace: pod.namespace, pod: pod.name) }

            let applied = try lab.kubectl(["apply", "--server-side", "-k", out])
            try #require(applied.exitCode == 0, "\(applied.stderr)")

            var predictedTotal = 0
            var actualTotal = 0
            for pod in sidecarPods {
                let scope = engine.scope(for: pod)
                let predicted = scope.clusters.count
                let sample = try #require(before[pod.name])
                let after = try await lab.envoySampleAfterTrim(namespace: pod.namespace, pod: pod.name, clusters: predicted, before: sample)
                #expect(after.clusters == predicted, "\(pod.meta.qualifiedName): \(sample.clusters) → \(after.clusters), predicted \(predicted)")
                predictedTotal += predicted
                actualTotal += after.clusters
                // Every destination the sidecar reported traffic to is still in its scope (so among its clusters).
                let hostnames = Set(scope.services.map(\.service.hostname))
                for destination in scenario.traffic(namespace: pod.namespace, pod: pod.name) where !destination.isReportedUnknown {
                    #expect(hostnames.contains(destination.host), "\(pod.meta.qualifiedName) → \(destination.host) was cut")
                }
            }
            // The plan's own figure for the sidecars it changes matches the real Envoys.
            let planAfter = json["totals"]?["clustersAfter"].flatMap { if case .number(let text) = $0 { return Int(text) } else { return nil } }
            let affected = json["totals"]?["sidecarsAffected"].flatMap { if case .number(let text) = $0 { return Int(text) } else { return nil } }
            #expect(affected == sidecarPods.count, "the plan changes both sidecars (no Sidecar exists yet)")
            #expect(planAfter == actualTotal)
            #expect(predictedTotal == actualTotal)
            let beforeTotal = before.values.reduce(0) { $0 + $1.clusters }
            #expect(actualTotal < beforeTotal / 2, "clusters \(beforeTotal) → \(actualTotal)")
            print("plan lab: clusters \(beforeTotal) → \(actualTotal) on \(sidecarPods.count) Envoys; Sidecars: "
                + (json["sidecars"]?.arrayValue ?? []).map { "\($0["namespace"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")" }.joined(separator: ", "))
        }
    }
}
