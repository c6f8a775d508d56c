import Foundation

/// The mesh generator's working plan: every object it will emit, plus what the objects do not hold
/// (which workload calls what, how many replicas, which Service backs which deployment).
///
/// Built in stages, each drawing from its own ``SeededRandom`` stream: namespaces, services, routing choices,
/// workloads, scoped namespaces, traffic, Sidecars, VirtualServices and DestinationRules, pods. Every collection
/// is an array walked in order (dictionaries are only looked up), so the result depends on the seed alone.
struct MeshBlueprint {
    /// What a namespace is for.
    enum NamespaceKind: Hashable {
        /// `istio-system`.
        case system
        /// An application namespace with sidecar injection.
        case meshed
        /// An application namespace without injection (monitoring, logging).
        case unmeshed
    }

    /// A namespace to emit.
    struct PlannedNamespace {
        var name: String
        var kind: NamespaceKind
        var created: Date
        /// Relative share of the mesh's services.
        var weight: Double
    }

    /// What backs a service.
    enum ServiceKind: Hashable {
        /// A Deployment behind a ClusterIP Service.
        case deployment
        /// A StatefulSet behind a headless Service, with its replicas.
        case statefulSet(replicas: Int)
        /// A Kubernetes ExternalName Service (no pods, no cluster).
        case externalName
        /// A ServiceEntry host for an external API.
        case serviceEntry
        /// An `istio-system` Deployment (istiod, the ingress gateway), with its replicas; no sidecar.
        case system(replicas: Int)
    }

    /// A service to emit, with the container ports its pods expose by name.
    struct PlannedService {
        var service: MeshService
        var kind: ServiceKind
        var containerPorts: [String: Int]
    }

    /// One destination a workload calls, at a per-pod rate.
    struct PlannedCall {
        /// Index into ``MeshBlueprint/services``.
        var service: Int
        /// The host the metrics name (the hostname, or a concrete name under a wildcard ServiceEntry).
        var host: String
        var port: Int?
        /// Requests (or, for TCP, connections) per second per pod.
        var ratePerSecond: Double
    }

    /// A Deployment or StatefulSet to emit as pods.
    struct PlannedWorkload {
        var namespace: String
        /// The Deployment or StatefulSet name (`reviews-v2`, `redis`).
        var name: String
        /// The `app` label (the Service's name).
        var app: String
        /// The `version` label, `nil` for StatefulSets and istio-system workloads.
        var version: String?
        /// Index into ``MeshBlueprint/services`` of the Service that selects it.
        var service: Int
        var kind: ServiceKind
        var hasSidecar: Bool
        var replicas: Int
        var created: Date
        var namedPorts: [String: Int]
        var calls: [PlannedCall]
    }

    /// A pod to emit and the workload it belongs to.
    struct PlannedPod {
        var pod: Pod
        /// Index into ``MeshBlueprint/workloads``.
        var workload: Int
    }

    let parameters: MeshGenerator.Parameters
    var namespaces: [PlannedNamespace] = []
    var services: [PlannedService] = []
    /// Services that get a VirtualService, in the order the VirtualServices are made.
    var routedServices: [Int] = []
    /// How many of ``routedServices`` (from the front) route to v1/v2 subsets.
    var canaryCount = 0
    var workloads: [PlannedWorkload] = []
    /// Namespaces that get a Sidecar; even positions a namespace-wide one, odd positions a workload one.
    var scopedNamespaces: [String] = []
    var virtualServices: [VirtualService] = []
    var destinationRules: [DestinationRule] = []
    var sidecars: [Sidecar] = []
    /// Pods in (namespace, name) order, as in the inventory.
    var pods: [PlannedPod] = []
    /// Service indices per namespace, in creation order.
    var servicesByNamespace: [String: [Int]] = [:]

    /// Plans the whole mesh for already-normalized parameters.
    init(_ parameters: MeshGenerator.Parameters) {
        self.parameters = parameters
        planNamespaces()
        planServices()
        planRouting()
        planWorkloads()
        planScopedNamespaces()
        planTraffic()
        planSidecars()
        planVirtualServices()
        planDestinationRules()
        planPods()
    }

    /// The plan as a ``MeshInventory``.
    var inventory: MeshInventory {
        var unmeshedSeen = 0
        let namespaceObjects = namespaces.map { planned -> MeshNamespace in
            var labels = ["kubernetes.io/metadata.name": planned.name]
            switch planned.kind {
            case .meshed: labels["istio-injection"] = "enabled"
            case .unmeshed:
                // One namespace opts out explicitly; the other simply never opted in.
                if unmeshedSeen == 0 { labels["istio-injection"] = "disabled" }
                unmeshedSeen += 1
            case .system: break
            }
            return MeshNamespace(meta: ObjectMeta(name: planned.name, labels: labels, creationTimestamp: planned.created))
        }
        return MeshInventory(
            namespaces: namespaceObjects.sorted { $0.name < $1.name },
            pods: pods.map(\.pod),
            services: services.map(\.service).sorted {
                ($0.namespace, $0.name, $0.hostname) < ($1.namespace, $1.name, $1.hostname)
            },
            virtualServices: virtualServices.sorted { Self.byQualifiedName($0.meta, $1.meta) },
            destinationRules: destinationRules.sorted { Self.byQualifiedName($0.meta, $1.meta) },
            sidecars: sidecars.sorted { Self.byQualifiedName($0.meta, $1.meta) },
            meshConfig: MeshConfig(),
            istioVersion: IstioVersion(MeshGenerator.proxyVersion),
            istiodNamespace: Self.systemNamespace)
    }

    static let systemNamespace = "istio-system"

    static func byQualifiedName(_ lhs: ObjectMeta, _ rhs: ObjectMeta) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    // MARK: Namespaces

    private mutating func planNamespaces() {
        var random = SeededRandom(seed: parameters.seed, stream: 1)
        let now = parameters.referenceDate
        namespaces.append(
            PlannedNamespace(
                name: Self.systemNamespace, kind: .system, created: Self.date(now, daysBefore: random.double(in: 720...760)),
                weight: 0))
        for name in Self.meshedNamespaceNames(count: parameters.meshedNamespaces) {
            // A heavy tail: most teams own a handful of services, a few own many.
            let weight = min(6, pow(max(random.unit(), 0.02), -0.45))
            namespaces.append(
                PlannedNamespace(
                    name: name, kind: .meshed, created: Self.date(now, daysBefore: random.double(in: 30...700)),
                    weight: weight))
        }
        for entry in GeneratorVocabulary.unmeshedNamespaces.prefix(parameters.unmeshedNamespaces) {
            namespaces.append(
                PlannedNamespace(
                    name: entry.name, kind: .unmeshed, created: Self.date(now, daysBefore: random.double(in: 400...700)),
                    weight: 0.35))
        }
    }

    /// `payments`, `checkout`, …, then `payments-eu`, `checkout-eu`, …, then `team-1`, `team-2`, ….
    static func meshedNamespaceNames(count: Int) -> [String] {
        var names = Array(GeneratorVocabulary.namespaces.prefix(count))
        for suffix in GeneratorVocabulary.namespaceSuffixes where names.count < count {
            for base in GeneratorVocabulary.namespaces where names.count < count { names.append("\(base)-\(suffix)") }
        }
        var team = 1
        while names.count < count {
            names.append("team-\(team)")
            team += 1
        }
        return names
    }

    /// `reference` minus `days`, in whole seconds.
    static func date(_ reference: Date, daysBefore days: Double) -> Date {
        MeshGenerator.wholeSeconds(reference.addingTimeInterval(-days * 86_400))
    }

    /// A whole-second time between `start` and a day before `end` (or `start` when there is no room).
    static func date(between start: Date, and end: Date, random: inout SeededRandom) -> Date {
        let room = end.timeIntervalSince(start) - 86_400
        guard room > 0 else { return start }
        return MeshGenerator.wholeSeconds(start.addingTimeInterval(random.unit() * room))
    }

    // MARK: Apportioning

    /// Splits `total` into one share per weight, each at least `minimum` when the total allows it
    /// (largest remainder; ties go to the earlier entry). Shares always add up to `total`.
    static func apportion(_ total: Int, weights: [Double], minimum: Int) -> [Int] {
        let count = weights.count
        guard count > 0, total > 0 else { return Array(repeating: 0, count: count) }
        let floor = total >= minimum * count ? minimum : 0
        let spare = total - floor * count
        let sum = weights.reduce(0) { $0 + max(0, $1) }
        let normalized = sum > 0 ? weights.map { max(0, $0) / sum } : Array(repeating: 1 / Double(count), count: count)
        let exact = normalized.map { $0 * Double(spare) }
        var shares = exact.map { floor + Int($0.rounded(.down)) }
        let remainders = exact.enumerated().map { ($0.offset, $0.element - $0.element.rounded(.down)) }
        var left = total - shares.reduce(0, +)
        let order = remainders.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.0)
        var position = 0
        while left > 0 {
            shares[order[position % count]] += 1
            left -= 1
            position += 1
        }
        return shares
    }
}
