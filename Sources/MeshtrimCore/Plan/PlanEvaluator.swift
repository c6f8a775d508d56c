import Foundation

/// Observed traffic of one sending pod (or of a workload Prometheus knows but the inventory does not) to one
/// registry service, resolved once for every state a plan evaluates.
struct PlanTrafficEntry: Hashable, Sendable {
    /// The sending namespace.
    var namespace: String
    /// The position of the sending pod in ``MeshAnalysis/pods``; `nil` for traffic matched to no pod (it is
    /// evaluated with the namespace's Sidecar).
    var podPosition: Int?
    /// `namespace/name` of the sender, for people (`ns/workload` when no pod).
    var sender: String
    /// The registry service's hostname (a wildcard ServiceEntry's pattern when that is what covers it).
    var hostname: String
    /// `namespace/hostname` of that service.
    var serviceKey: String
    /// Requests or connections.
    var requests: Int
}

/// Which Sidecar Istio would select for each sidecar proxy under a given set of Sidecars, and what that does to its
/// clusters, its memory and its observed destinations.
///
/// Pure and shared: proxies with the same (namespace, labels) share one selection, proxies with the same
/// (namespace, Sidecar) share one outbound scope (as ``MeshAnalysis`` counts them), so a 50,000-pod mesh costs as
/// many scope evaluations as it has (namespace, Sidecar) pairs, not one per pod.
struct PlanEvaluator {
    /// The analysis of the mesh as it is.
    let analysis: MeshAnalysis
    /// Positions (in ``MeshAnalysis/pods``) of the proxies a Sidecar can scope.
    let scopedPositions: [Int]
    /// Traffic entries per pod position.
    let trafficByPod: [Int: [PlanTrafficEntry]]
    /// Traffic entries matched to no pod, per namespace.
    let podlessTraffic: [String: [PlanTrafficEntry]]

    /// One proxy's outcome.
    struct Outcome: Hashable {
        var position: Int
        /// `namespace/name` of the Sidecar selected afterwards, `nil` for none.
        var governing: String?
        var clustersBefore: Int
        var clustersAfter: Int
        var bytesBefore: Int
        var bytesAfter: Int
    }

    /// What one state does.
    struct Result {
        /// Proxies whose Sidecar or scope changes, in position order.
        var changed: [Outcome] = []
        /// Kept destinations of changed proxies, per governing Sidecar, by (sending namespace, service).
        var keeps: [String: [String: PlanDestination]] = [:]
        /// Cut destinations of changed proxies (and podless traffic), per governing Sidecar (`""` for none).
        var cuts: [String: [String: PlanDestination]] = [:]
        /// The traffic entries behind ``cuts``, one per sender and service, per governing Sidecar (`meshtrim check`
        /// reports each pod).
        var cutEntries: [String: [PlanTrafficEntry]] = [:]

        /// Every cut, biggest first.
        var allCuts: [PlanDestination] { PlanEvaluator.sorted(cuts.values.flatMap(\.values)) }
    }

    struct SelectionKey: Hashable {
        var namespace: String
        var labels: [String: String]
    }

    /// Evaluates the mesh with `sidecars` as its Sidecars; `changed` names the Sidecars (`namespace/name`) that are
    /// new or differ from the live ones.
    func evaluate(sidecars: [Sidecar], changed: Set<String>) -> Result {
        var inventory = analysis.inventory
        inventory.sidecars = sidecars
        let engine = ScopeEngine(inventory: inventory, istioVersion: analysis.engine.version)
        let model = analysis.memoryModel
        var selections: [SelectionKey: Sidecar?] = [:]
        var outbound: [String: Int] = [:]
        var counts: [MeshAnalysis.PodShape: Int] = [:]
        var hostSets: [String: ImportedHostnames] = [:]
        var result = Result()

        func select(_ namespace: String, _ labels: [String: String]) -> Sidecar? {
            let key = SelectionKey(namespace: namespace, labels: labels)
            if let known = selections[key] { return known }
            let chosen = engine.selectSidecar(namespace: namespace, labels: labels).sidecar
            selections[key] = .some(chosen)
            return chosen
        }
        func hosts(_ namespace: String, _ sidecar: Sidecar?) -> ImportedHostnames {
            let key = "\(namespace)|\(sidecar?.meta.qualifiedName ?? "")"
            if let known = hostSets[key] { return known }
            let set = engine.importedHostnames(namespace: namespace, sidecar: sidecar)
            hostSets[key] = set
            return set
        }
        func record(_ entry: PlanTrafficEntry, governing: String, kept: Bool, into result: inout Result) {
            let key = "\(entry.namespace)|\(entry.serviceKey)"
            let empty = PlanDestination(sourceNamespace: entry.namespace, host: entry.serviceKey, requests: 0, pods: [])
            if kept {
                var destination = result.keeps[governing, default: [:]][key] ?? empty
                destination.requests += entry.requests
                destination.pods.append(entry.sender)
                result.keeps[governing, default: [:]][key] = destination
            } else {
                result.cutEntries[governing, default: []].append(entry)
                var destination = result.cuts[governing, default: [:]][key] ?? empty
                destination.requests += entry.requests
                destination.pods.append(entry.sender)
                result.cuts[governing, default: [:]][key] = destination
            }
        }

        for position in scopedPositions {
            let summary = analysis.pods[position]
            let pod = summary.pod
            let sidecar = select(pod.namespace, pod.labels)
            let name = sidecar?.meta.qualifiedName
            guard name != summary.sidecar || name.map(changed.contains) == true else { continue }
            let shape = MeshAnalysis.PodShape(pod: pod, isCandidate: false, engine: engine)
            let predicted: Int
            if let known = counts[shape] {
                predicted = known
            } else {
                let key = "\(pod.namespace)|\(name ?? "")"
                let out: Int
                if let cached = outbound[key] {
                    out = cached
                } else {
                    out = engine.outboundClusterCount(namespace: pod.namespace, labels: pod.labels, sidecar: sidecar)
                    outbound[key] = out
                }
                let inbound = engine.inboundClusterCount(namespace: pod.namespace, labels: pod.labels, pod: pod, sidecar: sidecar)
                predicted = out + inbound + engine.alwaysPresent.count
                counts[shape] = predicted
            }
            let after = summary.clustersAfter(predicted: predicted)
            let observed = summary.envoyAllocatedBytes
            result.changed.append(
                Outcome(
                    position: position, governing: name, clustersBefore: summary.clusterCount, clustersAfter: after,
                    bytesBefore: observed ?? model.estimatedBytes(clusters: summary.clusterCount),
                    bytesAfter: model.estimatedBytes(after: after, before: summary.clusterCount, observed: observed)))
            let scope = hosts(pod.namespace, sidecar)
            for entry in trafficByPod[position] ?? [] {
                record(entry, governing: name ?? "", kept: scope.covers(entry.hostname), into: &result)
            }
        }
        for (namespace, entries) in podlessTraffic {
            let sidecar = select(namespace, [:])
            let name = sidecar?.meta.qualifiedName
            let before = analysis.engine.selectSidecar(namespace: namespace, labels: [:]).sidecar?.meta.qualifiedName
            guard name != before || name.map(changed.contains) == true else { continue }
            let scope = hosts(namespace, sidecar)
            for entry in entries { record(entry, governing: name ?? "", kept: scope.covers(entry.hostname), into: &result) }
        }
        return result
    }

    /// Biggest first, then by sending namespace and host; pods sorted and unique.
    static func sorted(_ destinations: [PlanDestination]) -> [PlanDestination] {
        ordered(destinations.map { destination in
            var copy = destination
            copy.pods = Array(Set(destination.pods)).sorted()
            return copy
        })
    }

    /// Biggest first, then by sending namespace and host, each one's pods as they are (for destinations whose pods are
    /// sorted and unique already: the mesh-wide default's editor orders its cuts after every toggle).
    static func ordered(_ destinations: [PlanDestination]) -> [PlanDestination] {
        destinations.sorted {
            $0.requests != $1.requests ? $0.requests > $1.requests : ($0.sourceNamespace, $0.host) < ($1.sourceNamespace, $1.host)
        }
    }
}
