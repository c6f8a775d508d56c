import Foundation
import Testing
@testable import MeshtrimCore

/// The mesh generator behind the bundled demo and the lab: deterministic, the size asked for, and internally
/// consistent (routes point at real services, sidecar numbers agree with the scope engine and the memory table).
@Suite("Mesh generator")
struct MeshGeneratorTests {
    /// A mid-sized mesh that generates in a blink.
    static let small = MeshGenerator.Parameters(
        namespaces: 12, services: 150, pods: 320, seed: 42, virtualServices: 12, destinationRules: 20)

    /// The bundled demo, found from this file: Tests/MeshtrimCoreTests/Generator → repository root.
    static let bundledDemo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/meshtrim/Resources/demo-snapshot.json")

    // MARK: Determinism

    @Test("the same parameters give the same snapshot, byte for byte")
    func sameSeed() throws {
        let first = MeshGenerator.generateSnapshot(Self.small)
        let second = MeshGenerator.generateSnapshot(Self.small)
        #expect(first == second)
        #expect(try first.encoded() == second.encoded())
        #expect(MeshGenerator.generateInventory(Self.small) == first.inventory)
    }

    @Test("a different seed gives a different mesh of the same size")
    func differentSeed() {
        var other = Self.small
        other.seed = 43
        let first = MeshGenerator.generateSnapshot(Self.small)
        let second = MeshGenerator.generateSnapshot(other)
        #expect(first != second)
        #expect(first.inventory.pods.map(\.name) != second.inventory.pods.map(\.name))
        #expect(first.inventory.pods.count == second.inventory.pods.count)
        #expect(first.inventory.services.count == second.inventory.services.count)
    }

    @Test("SeededRandom's sequence is pinned (generated files must not change with the platform)")
    func pinnedSequence() {
        var random = SeededRandom(seed: 1)
        let values = (0..<3).map { _ in random.next() }
        var again = SeededRandom(seed: 1)
        #expect(values == (0..<3).map { _ in again.next() })
        #expect(values == Self.pinnedValues)
        var stream = SeededRandom(seed: 1, stream: 1)
        #expect(stream.next() != values[0])
    }

    /// The first three values of `SeededRandom(seed: 1)`.
    static let pinnedValues: [UInt64] = [0xF893_A2EE_FB32_555E, 0x71C1_8690_EE42_C90B, 0x71BB_54D8_D101_B5B9]

    // MARK: Size

    @Test(
        "namespace, service and pod totals are exactly the ones asked for",
        arguments: [
            MeshGenerator.Parameters(namespaces: 2, services: 3, pods: 0, seed: 1, virtualServices: 0, destinationRules: 0, scopedNamespaces: 0),
            MeshGenerator.Parameters(namespaces: 3, services: 9, pods: 4, seed: 2, virtualServices: 5, destinationRules: 5, scopedNamespaces: 1),
            MeshGenerator.Parameters(namespaces: 5, services: 40, pods: 90, seed: 3, virtualServices: 4, destinationRules: 9),
            small,
            MeshGenerator.Parameters(namespaces: 60, services: 900, pods: 2_000, seed: 5, virtualServices: 60, destinationRules: 100, scopedNamespaces: 4),
        ])
    func totals(parameters: MeshGenerator.Parameters) throws {
        try parameters.validate()
        let inventory = MeshGenerator.generateInventory(parameters)
        #expect(inventory.namespaces.count == parameters.namespaces)
        #expect(inventory.services.count == parameters.services)
        #expect(inventory.pods.count == parameters.pods)
        #expect(Set(inventory.sidecars.map(\.meta.namespace)).count == parameters.scopedNamespaces)
        #expect(inventory.virtualServices.count <= parameters.virtualServices)
        #expect(inventory.destinationRules.count <= parameters.destinationRules)
    }

    @Test("VirtualServices and DestinationRules come in the numbers asked for when the mesh can hold them")
    func routingTotals() {
        let inventory = MeshGenerator.generateInventory(Self.small)
        #expect(inventory.virtualServices.count == Self.small.virtualServices)
        #expect(inventory.destinationRules.count == Self.small.destinationRules)
    }

    @Test("impossible parameters are refused with a reason, and normalized ones still generate")
    func validation() {
        #expect(throws: MeshGeneratorError.self) { try MeshGenerator.Parameters(namespaces: 1).validate() }
        #expect(throws: MeshGeneratorError.self) { try MeshGenerator.Parameters(namespaces: 10, services: 10).validate() }
        #expect(throws: MeshGeneratorError.self) {
            try MeshGenerator.Parameters(namespaces: 4, services: 20, scopedNamespaces: 4).validate()
        }
        #expect(throws: MeshGeneratorError.self) { try MeshGenerator.Parameters(pods: -1).validate() }
        let tiny = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 0, services: 0, pods: -5, seed: 9))
        #expect(tiny.inventory.namespaces.count == 2)
        #expect(tiny.inventory.pods.isEmpty)
    }

    // MARK: Invariants

    @Test("the generated demo is internally consistent", arguments: [MeshGenerator.Parameters.demo, small])
    func invariants(parameters: MeshGenerator.Parameters) throws {
        let snapshot = MeshGenerator.generateSnapshot(parameters)
        try Self.checkInventory(snapshot.inventory, scopedNamespaces: parameters.scopedNamespaces)
        try Self.checkObservations(snapshot)
    }

    @Test("observed sidecars report exactly the engine's cluster count, and memory on the measured line")
    func clustersAndMemory() throws {
        let snapshot = MeshGenerator.generateSnapshot(Self.small)
        let engine = ScopeEngine(inventory: snapshot.inventory)
        let pods = Dictionary(uniqueKeysWithValues: snapshot.inventory.pods.map { ("\($0.namespace)/\($0.name)", $0) })
        let model = MemoryModel.measured
        for observation in snapshot.observations {
            let pod = try #require(pods["\(observation.namespace)/\(observation.pod)"])
            let scope = engine.scope(for: pod)
            #expect(observation.activeClusters == scope.clusters.count, "\(pod.namespace)/\(pod.name)")
            if let names = observation.clusterNames { #expect(names == scope.clusters.map(\.name)) }
        }
        let analysis = MeshAnalysis(snapshot: snapshot)
        #expect(analysis.memoryModel.bytesPerCluster > model.bytesPerCluster * 0.9)
        #expect(analysis.memoryModel.bytesPerCluster < model.bytesPerCluster * 1.1)
    }

    @Test("Sidecar scoping shows: the namespace-wide Sidecar trims, the workload one lists only what it calls")
    func scopedNamespacesTrim() throws {
        let snapshot = MeshGenerator.generateSnapshot(.demo)
        let inventory = snapshot.inventory
        let namespaceWide = try #require(inventory.sidecars.first { $0.workloadSelector == nil })
        #expect(namespaceWide.egress.map(\.hosts) == [["./*", "istio-system/*"]])
        let workload = try #require(inventory.sidecars.first { $0.workloadSelector != nil })
        #expect(workload.allEgressHosts.last == "istio-system/*")
        let trimmed = snapshot.observations.filter { $0.namespace == namespaceWide.meta.namespace }
        let full = snapshot.observations.filter { Set(inventory.sidecars.map(\.meta.namespace)).contains($0.namespace) == false }
        let trimmedMax = try #require(trimmed.compactMap(\.activeClusters).max())
        let fullMin = try #require(full.compactMap(\.activeClusters).min())
        #expect(trimmedMax * 5 < fullMin)
        // Pods started before their Sidecar keep a heap sized for the whole mesh until they restart.
        #expect(trimmed.contains { ($0.envoyHeapBytes ?? 0) > 3 * ($0.envoyAllocatedBytes ?? 0) })
        // Nothing a scoped workload calls is cut off by its own Sidecar.
        let engine = ScopeEngine(inventory: inventory)
        for pod in inventory.pods where pod.hasSidecar && engine.selectSidecar(namespace: pod.namespace, labels: pod.labels).sidecar != nil {
            let hosts = Set(engine.scope(for: pod).services.map(\.service.hostname))
            let observation = snapshot.observations.first { $0.namespace == pod.namespace && $0.pod == pod.name }
            for destination in observation?.destinations ?? [] {
                let covered = hosts.contains(destination.host) || hosts.contains { HostMatching.isSubset(destination.host, of: $0) }
                #expect(covered, "\(pod.name) calls \(destination.host)")
            }
        }
    }

    // MARK: Round trip and the bundled file

    @Test("a generated snapshot survives encoded() and decode(from:) unchanged")
    func roundTrip() throws {
        let snapshot = MeshGenerator.generateSnapshot(Self.small)
        let decoded = try MeshSnapshot.decode(from: try snapshot.encoded())
        #expect(decoded == snapshot)
        let pretty = try MeshSnapshot.decode(from: try snapshot.encoded(pretty: true))
        #expect(pretty == snapshot)
    }

    @Test("the bundled demo decodes, meets the demo minimums and is consistent")
    func bundledDemo() throws {
        let data = try Data(contentsOf: Self.bundledDemo)
        #expect(data.count < 4_000_000, "keep the bundled demo small")
        let snapshot = try MeshSnapshot.decode(from: data, file: Self.bundledDemo.path)
        let inventory = snapshot.inventory
        #expect(snapshot.version == MeshSnapshot.currentVersion)
        #expect(snapshot.source == "demo")
        #expect(inventory.namespaces.count >= 30)
        #expect(inventory.services.count >= 600)
        #expect(inventory.pods.filter(\.hasSidecar).count >= 1_500)
        #expect(inventory.services.contains { $0.resolution == .passthrough && $0.isKubernetes })
        #expect(inventory.services.contains { $0.resolution == .alias })
        #expect(inventory.services.contains { $0.registry == .serviceEntry && $0.exportTo == ["."] })
        #expect(inventory.services.contains { $0.ports.count >= 3 })
        #expect((35...45).contains(inventory.virtualServices.count))
        #expect((70...90).contains(inventory.destinationRules.count))
        #expect(Set(inventory.sidecars.map(\.meta.namespace)).count == 2)
        #expect(snapshot.observations.count >= 1_450)
        try Self.checkInventory(inventory, scopedNamespaces: 2)
        // The bundled demo's Envoy figures are measured on lab Envoys (BundledDemoTests checks them further).
        try Self.checkObservations(snapshot, source: BundledDemoTests.labSource)
    }

    @Test("a mesh of the performance budget's size generates (5,000 pods, 2,000 services)")
    func budgetSize() {
        let parameters = MeshGenerator.Parameters(
            namespaces: 80, services: 2_000, pods: 5_000, seed: 11, virtualServices: 120, destinationRules: 240)
        let snapshot = MeshGenerator.generateSnapshot(parameters)
        #expect(snapshot.inventory.pods.count == 5_000)
        #expect(snapshot.observations.count > 4_500)
    }

    // MARK: Checks

    /// Structural invariants: names resolve, routes point at real services, subsets are used, scoping is as asked.
    static func checkInventory(_ inventory: MeshInventory, scopedNamespaces: Int) throws {
        let namespaces = Set(inventory.namespaces.map(\.name))
        #expect(namespaces.contains("istio-system"))
        for pod in inventory.pods { #expect(namespaces.contains(pod.namespace), "pod \(pod.name) in \(pod.namespace)") }
        for service in inventory.services { #expect(namespaces.contains(service.namespace)) }
        #expect(Set(inventory.pods.map { "\($0.namespace)/\($0.name)" }).count == inventory.pods.count)
        let addresses = inventory.pods.compactMap(\.podIP)
        #expect(Set(addresses).count == addresses.count)

        let istiod = try #require(inventory.services.first { $0.name == "istiod" && $0.namespace == "istio-system" })
        #expect(istiod.ports.map(\.number) == [15010, 15012, 443, 15014])
        #expect(inventory.services.contains { $0.name == "istio-ingressgateway" })
        #expect(inventory.meshConfig.rootNamespace == "istio-system")

        // Injection: pods in injected namespaces have a sidecar, others none.
        let injected = Set(inventory.namespaces.filter(\.isInjectionEnabled).map(\.name))
        for pod in inventory.pods {
            #expect(pod.hasSidecar == injected.contains(pod.namespace), "\(pod.namespace)/\(pod.name)")
            if pod.hasSidecar { #expect(pod.proxyVersion == "1.31.2") }
        }

        // Every VirtualService destination is a registry host.
        let suffix = inventory.meshConfig.domainSuffix
        let hostnames = Set(inventory.services.map(\.hostname))
        var routed = Set<String>()
        for service in inventory.virtualServices {
            for destination in service.destinations {
                let host = HostMatching.resolveShortName(destination.host, namespace: service.meta.namespace, domainSuffix: suffix)
                #expect(hostnames.contains(host), "\(service.meta.qualifiedName) routes to unknown \(host)")
                routed.insert(host)
            }
        }
        // Every DestinationRule subset is routed to.
        for rule in inventory.destinationRules where !rule.subsets.isEmpty {
            let host = HostMatching.resolveShortName(rule.host, namespace: rule.meta.namespace, domainSuffix: suffix)
            #expect(routed.contains(host), "subsets of \(rule.meta.qualifiedName) are not routed to")
        }

        // Exactly the scoped namespaces asked for.
        #expect(Set(inventory.sidecars.map(\.meta.namespace)).count == scopedNamespaces)
    }

    /// Observation invariants: destinations are known, cluster counts match the engine, memory follows the model.
    static func checkObservations(_ snapshot: MeshSnapshot, source: String = MeshGenerator.source) throws {
        let inventory = snapshot.inventory
        let hostnames = Set(inventory.services.map(\.hostname))
        let wildcards = inventory.services.map(\.hostname).filter(HostMatching.isWildcard)
        let analysis = MeshAnalysis(snapshot: snapshot)
        let predicted = Dictionary(uniqueKeysWithValues: analysis.pods.map { ("\($0.pod.namespace)/\($0.pod.name)", $0.predictedClusters) })
        let model = MemoryModel.measured
        var detailed = 0
        for observation in snapshot.observations {
            let key = "\(observation.namespace)/\(observation.pod)"
            #expect(observation.source == source)
            #expect(observation.activeClusters == predicted[key], "\(key)")
            let clusters = try #require(observation.activeClusters)
            let allocated = Double(try #require(observation.envoyAllocatedBytes))
            let expected = Double(model.estimatedBytes(clusters: clusters))
            #expect(abs(allocated - expected) <= expected * 0.1, "\(key): \(allocated) for \(clusters) clusters")
            let heap = try #require(observation.envoyHeapBytes)
            let physical = try #require(observation.envoyPhysicalBytes)
            let workingSet = try #require(observation.workingSetBytes)
            #expect(Double(heap) >= allocated * 1.1)
            #expect(physical > heap)
            #expect(workingSet >= physical + 25_000_000)
            #expect(observation.destinations.count <= 5)
            for destination in observation.destinations {
                let known = hostnames.contains(destination.host)
                    || wildcards.contains { HostMatching.isSubset(destination.host, of: $0) }
                #expect(known, "\(key) calls unknown \(destination.host)")
                #expect(destination.requests > 0)
            }
            if let names = observation.clusterNames {
                detailed += 1
                #expect(names.count == clusters)
            }
        }
        #expect((1...10).contains(detailed))
    }
}
