import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// The bundled demo is the generator's mesh with Envoy figures measured on real lab Envoys
/// (`scripts/demo-from-lab.sh`): what is deterministic must be the generator's, and what was measured must look
/// like a real Envoy's own figures, not the memory model's.
///
/// The lab capture itself takes minutes and is not run here; these tests check its result.
@Suite("Bundled demo")
struct BundledDemoTests {
    /// The `source` of an observation measured on the pod's own lab Envoy (`LabDemoMerger.source`).
    static let labSource = "lab Envoy"

    static func load() throws -> (bundled: MeshSnapshot, generated: MeshSnapshot) {
        (try MeshSnapshot.load(from: MeshGeneratorTests.bundledDemo.path), MeshGenerator.generateSnapshot(.demo))
    }

    @Test("inventory, traffic, capture times and cluster names are the generator's (else run scripts/demo-from-lab.sh)")
    func deterministicPartsAreTheGenerators() throws {
        let (bundled, generated) = try Self.load()
        #expect(bundled.inventory == generated.inventory, "the generator changed: run `bash scripts/demo-from-lab.sh`")
        #expect(bundled.capturedAt == generated.capturedAt)
        #expect(bundled.source == generated.source)
        try #require(bundled.observations.count == generated.observations.count)
        for (observed, made) in zip(bundled.observations, generated.observations) {
            let key = "\(made.namespace)/\(made.pod)"
            #expect(observed.namespace == made.namespace && observed.pod == made.pod, "\(key)")
            #expect(observed.destinations == made.destinations, "\(key)")
            #expect(observed.capturedAt == made.capturedAt, "\(key)")
            #expect(observed.clusterNames == made.clusterNames, "\(key)")
            #expect(observed.proxyStartedAt == made.proxyStartedAt, "\(key)")
        }
    }

    @Test("every sidecar was measured on its own lab Envoy: its active clusters are the engine's prediction for it")
    func clusterCountsArePredictions() throws {
        let (bundled, _) = try Self.load()
        let analysis = MeshAnalysis(snapshot: bundled)
        let predicted = Dictionary(
            uniqueKeysWithValues: analysis.pods.map { ("\($0.pod.namespace)/\($0.pod.name)", $0.predictedClusters) })
        for observation in bundled.observations {
            let key = "\(observation.namespace)/\(observation.pod)"
            #expect(observation.source == Self.labSource, "\(key)")
            #expect(observation.activeClusters != nil && observation.activeClusters == predicted[key], "\(key)")
        }
    }

    /// A real Envoy's `memory_heap_size` is tcmalloc's reservation, well above what is allocated; its working set
    /// (resident set plus the lab's 25 MiB for pilot-agent) includes the resident pages of the ~150 MB Envoy binary.
    /// The memory model's synthesised figures have neither property (heap 1.15–1.3×, working set physical + 25–45 MB).
    @Test("memory figures are real Envoy figures: near the calibrated model, with a real Envoy's heap and resident pages")
    func memoryFiguresAreMeasured() throws {
        let (bundled, generated) = try Self.load()
        let model = MemoryModel.measured
        var errors: [Double] = []
        for (observed, made) in zip(bundled.observations, generated.observations) {
            let key = "\(observed.namespace)/\(observed.pod)"
            let clusters = try #require(observed.activeClusters)
            let allocated = Double(try #require(observed.envoyAllocatedBytes))
            let heap = Double(try #require(observed.envoyHeapBytes))
            let physical = Double(try #require(observed.envoyPhysicalBytes))
            let workingSet = Double(try #require(observed.workingSetBytes))
            let expected = Double(model.estimatedBytes(clusters: clusters))
            errors.append(abs(allocated - expected) / expected)
            #expect(observed.envoyAllocatedBytes != made.envoyAllocatedBytes, "\(key) has the synthesised figure")
            #expect((1.3...2.0).contains(heap / allocated), "\(key): heap \(heap) for \(allocated) allocated")
            #expect(physical > heap, "\(key)")
            #expect((60e6...110e6).contains(workingSet - physical), "\(key): working set \(workingSet), physical \(physical)")
        }
        let mean = errors.reduce(0, +) / Double(max(errors.count, 1))
        #expect(mean < 0.05, "the model was calibrated within 5 % of the lab's Envoys; mean error \(mean)")
        #expect((errors.max() ?? 1) < 0.15)
    }

    @Test("the bundled demo stays small enough to start fast")
    func size() throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: MeshGeneratorTests.bundledDemo.path)
        let bytes = try #require(attributes[.size] as? Int)
        #expect(bytes <= 2_500_000)
    }
}
