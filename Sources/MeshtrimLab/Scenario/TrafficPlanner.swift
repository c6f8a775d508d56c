import MeshtrimCore

/// Decides who calls whom for a mesh read from manifests, which carry configuration but no traffic.
///
/// Every workload calls one to three services: mostly in its own namespace, sometimes one elsewhere, never itself.
/// Pods of one workload (same namespace and `app` label) call the same services, and the same seed always gives
/// the same plan, so lab tests and screenshots are reproducible.
struct TrafficPlanner {
    /// The seed of the plan.
    var seed: UInt64

    /// Observed destinations per pod (`namespace/name`), for every pod with a sidecar.
    func plan(for inventory: MeshInventory) -> [String: [ObservedDestination]] {
        let callable = inventory.services.filter { service in
            !service.isWildcard && service.resolution != .alias && service.ports.contains { $0.protocol != "UDP" }
                && service.namespace != inventory.istiodNamespace
        }
        guard !callable.isEmpty else { return [:] }
        var result: [String: [ObservedDestination]] = [:]
        for pod in inventory.pods where pod.hasSidecar {
            let workload = pod.labels["app"] ?? pod.labels["app.kubernetes.io/name"] ?? pod.name
            var random = SplitMix64(seed: seed ^ Self.hash("\(pod.namespace)/\(workload)"))
            let own = callable.filter { $0.namespace == pod.namespace && $0.selector.map { !LabelSelector($0).matches(pod.labels) } ?? true }
            let others = callable.filter { $0.namespace != pod.namespace }
            var chosen: [MeshService] = []
            let wanted = 1 + Int(random.next() % 3)
            for attempt in 0..<(wanted * 3) where chosen.count < wanted {
                let pool = (attempt % 3 == 2 || own.isEmpty) ? others : own
                guard !pool.isEmpty else { continue }
                let pick = pool[Int(random.next() % UInt64(pool.count))]
                if !chosen.contains(where: { $0.hostname == pick.hostname }) { chosen.append(pick) }
            }
            result["\(pod.namespace)/\(pod.name)"] = chosen.map { service in
                let port = service.ports.first { $0.protocol != "UDP" }
                return ObservedDestination(
                    host: service.hostname, namespace: service.namespace, port: port?.number,
                    requests: 10 + Int(random.next() % 4_990))
            }
        }
        return result
    }

    /// FNV-1a, stable across runs (Swift's `Hasher` is seeded per process).
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return value
    }
}

/// SplitMix64: a tiny deterministic generator, so plans do not depend on the platform's random source.
struct SplitMix64 {
    private var state: UInt64

    /// Starts a sequence from `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
