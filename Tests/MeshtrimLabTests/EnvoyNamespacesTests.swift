import Foundation
import MeshtrimCore
import MeshtrimTestSupport
import Testing

@testable import MeshtrimLab

/// `--envoy-namespace`: a large mesh measured a few namespaces at a time (scripts/demo-from-lab.sh) still gives
/// every measured pod an Envoy with exactly its own clusters, and leaves the other namespaces without Envoys.
@Suite struct EnvoyNamespacesTests {
    @Test("only the chosen namespace gets Envoys, one per configuration, each reporting its pods' predicted clusters")
    func envoysForOneNamespace() async throws {
        let envoy = try requireEnvoy()
        let parameters = MeshGenerator.Parameters(namespaces: 5, services: 60, pods: 60, seed: 7)
        let scenario = try LabScenario.generated(
            namespaces: parameters.namespaces, services: parameters.services, pods: parameters.pods, seed: parameters.seed)
        let generated = MeshGenerator.generateSnapshot(parameters)
        let predicted = Dictionary(
            uniqueKeysWithValues: generated.observations.compactMap { observation in
                observation.activeClusters.map { ("\(observation.namespace)/\(observation.pod)", $0) }
            })
        // The namespace with the most sidecars, and one other with sidecars.
        let counts = Dictionary(grouping: scenario.inventory.pods.filter(\.hasSidecar), by: \.namespace)
        let ranked = counts.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
        try #require(ranked.count >= 2)
        let chosen = ranked[0].key
        let other = try #require(ranked[1].value.first)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("envoy-ns-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fleet = EnvoyFleet(
            scenario: scenario,
            options: .init(binary: envoy, directory: directory.path, maxEnvoys: 100, envoyNamespaces: [chosen]),
            log: { _ in })
        do {
            try await fleet.start(sidecars: scenario.inventory.sidecars)
            let groups = await fleet.status()
            #expect(!groups.isEmpty)
            #expect(groups.allSatisfy { $0.namespace == chosen })
            #expect(Set(groups.flatMap(\.pods)) == Set(ranked[0].value.map(\.name)))
            #expect(await fleet.endpoint(namespace: other.namespace, pod: other.name) == nil)
            for group in groups {
                let active = try #require(try await Self.activeClusters(answeredBy: group.adminPort), "\(group.id)")
                #expect(active == group.predictedActiveClusters, "\(group.id)")
                for pod in group.pods where predicted["\(chosen)/\(pod)"] != nil {
                    #expect(predicted["\(chosen)/\(pod)"] == active, "\(chosen)/\(pod) in \(group.id)")
                }
            }
        } catch {
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }

    /// Envoy's `cluster_manager.active_clusters` once its admin port answers: an Envoy that has just reported ready can
    /// still close a first connection (seen as "I/O on closed channel"), so failed reads are retried for up to 10 s;
    /// the last error is thrown when none succeeds.
    static func activeClusters(answeredBy adminPort: Int) async throws -> Int? {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try await activeClusters(adminPort: adminPort)
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Envoy's `cluster_manager.active_clusters` from its admin port.
    static func activeClusters(adminPort: Int) async throws -> Int? {
        let response = try await LocalHTTPClient.get(
            port: adminPort, path: "/stats?filter=%5Ecluster_manager%5C.active_clusters%24", timeout: .seconds(5))
        for line in response.text.split(separator: "\n") where line.hasPrefix("cluster_manager.active_clusters:") {
            return line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }
}
