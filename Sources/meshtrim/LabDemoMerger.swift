import Foundation
import MeshtrimCore

/// Puts Envoy figures measured on the lab's real Envoys into the generated demo.
///
/// `scripts/demo-from-lab.sh` runs `meshtrim lab` at the demo's parameters in batches of namespaces, with one real
/// Envoy per distinct pod configuration (namespace, Sidecar, inbound ports), and captures each batch with
/// `meshtrim snapshot -n …`. The merger keeps the generator's inventory, traffic, capture times and cluster names
/// (all deterministic) and takes every observation's `activeClusters`, Envoy memory and working set from the
/// capture. It refuses a capture whose `activeClusters` differs from the engine's prediction for the pod: that
/// Envoy was shared with pods of another configuration (the lab's per-namespace fallback), so its memory is not
/// the pod's own.
enum LabDemoMerger {
    /// The `source` of an observation whose figures come from the pod's own lab Envoy.
    static let source = "lab Envoy"

    /// Why captures cannot become the demo's figures.
    struct MergeError: Error, CustomStringConvertible {
        /// What is wrong and what to do.
        var description: String
    }

    /// The generated snapshot with each observation's Envoy figures replaced by the captured ones.
    ///
    /// - Throws: ``MergeError`` when a generated observation has no capture, a capture lacks a figure, or its
    ///   cluster count is not the pod's prediction.
    static func merge(generated: MeshSnapshot, captures: [MeshSnapshot]) throws -> MeshSnapshot {
        var captured: [PodKey: ProxyObservation] = [:]
        for capture in captures {
            for observation in capture.observations { captured[PodKey(namespace: observation.namespace, name: observation.pod)] = observation }
        }
        var result = generated
        var missing: [String] = []
        var shared: [String] = []
        for index in result.observations.indices {
            let generatedObservation = result.observations[index]
            let key = PodKey(namespace: generatedObservation.namespace, name: generatedObservation.pod)
            guard let lab = captured[key], let clusters = lab.activeClusters, let allocated = lab.envoyAllocatedBytes,
                let heap = lab.envoyHeapBytes, let physical = lab.envoyPhysicalBytes, let workingSet = lab.workingSetBytes
            else {
                missing.append(key.description)
                continue
            }
            guard clusters == generatedObservation.activeClusters else {
                shared.append("\(key) (Envoy \(clusters) clusters, predicted \(generatedObservation.activeClusters ?? 0))")
                continue
            }
            result.observations[index].activeClusters = clusters
            result.observations[index].envoyAllocatedBytes = allocated
            result.observations[index].envoyHeapBytes = heap
            result.observations[index].envoyPhysicalBytes = physical
            result.observations[index].workingSetBytes = workingSet
            result.observations[index].source = source
        }
        if !missing.isEmpty {
            throw MergeError(
                description: "\(missing.count) observed sidecars have no complete capture (first: "
                    + "\(missing.prefix(3).joined(separator: ", "))); capture every namespace of the demo "
                    + "(scripts/demo-from-lab.sh) and check that the metrics API answered")
        }
        if !shared.isEmpty {
            throw MergeError(
                description: "\(shared.count) sidecars were captured from an Envoy shared with other pod "
                    + "configurations (first: \(shared.prefix(3).joined(separator: ", "))); run each batch with "
                    + "--max-envoys above its number of configurations so every pod has its own Envoy")
        }
        return result
    }
}
