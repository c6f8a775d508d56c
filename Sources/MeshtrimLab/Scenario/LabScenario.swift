import Foundation
import MeshtrimCore
import MeshtrimFiles

/// The mesh a lab serves: its configuration and who calls whom.
///
/// The inventory is what the Kubernetes API lists and what the lab's istiod stand-in scopes; the traffic is what
/// each sidecar reports as Istio's standard metrics (`istio_requests_total`, `reporter="source"`). Built by the
/// generator (`--namespaces/--services/--pods/--seed`) or from manifests (`--manifests`).
public struct LabScenario: Sendable {
    /// The mesh's configuration.
    public var inventory: MeshInventory
    /// Observed outbound traffic per pod, keyed by `namespace/name`.
    public var traffic: [String: [ObservedDestination]]
    /// Where the scenario came from, for the start-up summary (`generator seed 7`, `manifests ./mesh`).
    public var origin: String
    /// What the lab added or changed to make the scenario runnable (an istiod pod, pod IPs, …).
    public var notes: [String]
    /// The mesh config ConfigMaps of the manifests (`istio`, `istio-<rev>`), served as written; when empty the
    /// lab serves one `istio` ConfigMap rendered from the inventory's mesh config.
    public var meshConfigMaps: [MeshConfigMap] = []

    /// Makes a scenario; ``completed()`` fills in what a live cluster always has.
    public init(inventory: MeshInventory, traffic: [String: [ObservedDestination]], origin: String, notes: [String] = []) {
        self.inventory = inventory
        self.traffic = traffic
        self.origin = origin
        self.notes = notes
    }

    /// The traffic of one pod.
    public func traffic(namespace: String, pod: String) -> [ObservedDestination] {
        traffic["\(namespace)/\(pod)"] ?? []
    }

    /// Reads manifests and plans traffic for them (each workload calls a few services, deterministically).
    ///
    /// - Throws: ``ManifestError`` for unreadable files; ``LabError`` when the manifests hold no pods or workloads.
    public static func load(manifests paths: [String], seed: UInt64) throws -> LabScenario {
        let set = try ManifestLoader.load(paths: paths)
        guard !set.inventory.pods.isEmpty else {
            throw LabError(
                "the manifests under \(paths.joined(separator: ", ")) hold no pods or workloads; a lab needs at least one "
                    + "pod with a sidecar (add a Deployment or Pod, or use --namespaces/--services/--pods instead)")
        }
        var inventory = set.inventory
        // Workload templates become running pods in a live cluster, named as a ReplicaSet names them.
        for index in inventory.pods.indices where inventory.pods[index].phase == "Template" {
            let pod = inventory.pods[index]
            let hash = TrafficPlanner.hash("\(pod.namespace)/\(pod.name)")
            inventory.pods[index].meta.name = "\(pod.name)-\(Self.suffix(hash, length: 9))-\(Self.suffix(hash >> 20, length: 5))"
            inventory.pods[index].meta.labels["pod-template-hash"] = Self.suffix(hash, length: 9)
            inventory.pods[index].phase = "Running"
            inventory.pods[index].readyContainers = inventory.pods[index].totalContainers
        }
        let traffic = TrafficPlanner(seed: seed).plan(for: inventory)
        var scenario = LabScenario(
            inventory: inventory, traffic: traffic, origin: "manifests \(paths.joined(separator: ", "))",
            notes: set.warnings)
        scenario.meshConfigMaps = set.meshConfigMaps
        return scenario.completed()
    }

    /// `length` characters of Kubernetes' name-suffix alphabet (no vowels, no 0/1/3), from `seed`.
    static func suffix(_ seed: UInt64, length: Int) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var random = SplitMix64(seed: seed)
        return String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    /// The scenario with what a running cluster always has: an istiod pod and Service in the istiod namespace,
    /// the namespaces every object names, pod IPs, and creation times.
    public func completed() -> LabScenario {
        var result = self
        var inventory = result.inventory
        let istioNamespace = inventory.istiodNamespace
        let epoch = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

        let known = Set(inventory.namespaces.map(\.name))
        for name in inventory.allNamespaceNames.filter({ !known.contains($0) }) + (known.contains(istioNamespace) ? [] : [istioNamespace])
        where !inventory.namespaces.contains(where: { $0.name == name }) {
            inventory.namespaces.append(MeshNamespace(meta: ObjectMeta(name: name, creationTimestamp: epoch)))
        }
        if !inventory.pods.contains(where: { $0.namespace == istioNamespace && $0.labels["app"] == "istiod" }) {
            let meta = ObjectMeta(
                name: "istiod-6c4f8b9d7-lab01", namespace: istioNamespace,
                labels: ["app": "istiod", "istio": "pilot", "pod-template-hash": "6c4f8b9d7"], creationTimestamp: epoch)
            inventory.pods.append(
                Pod(meta: meta, readyContainers: 1, totalContainers: 1, hasSidecar: false,
                    namedPorts: ["grpc-xds": 15010, "https-dns": 15012, "https-webhook": 15017, "http-monitoring": 15014]))
            result.notes.append("added an istiod pod in \(istioNamespace)")
        }
        let istiodHost = "istiod.\(istioNamespace).svc.\(inventory.meshConfig.domainSuffix)"
        if !inventory.services.contains(where: { $0.hostname == istiodHost }) {
            inventory.services.append(
                MeshService(
                    hostname: istiodHost, namespace: istioNamespace, name: "istiod",
                    ports: [
                        ServicePort(number: 15010, name: "grpc-xds", protocol: "GRPC"),
                        ServicePort(number: 15012, name: "https-dns", protocol: "HTTPS"),
                        ServicePort(number: 443, name: "https-webhook", protocol: "HTTPS", targetPort: "15017"),
                        ServicePort(number: 15014, name: "http-monitoring", protocol: "HTTP"),
                    ],
                    creationTime: epoch, selector: ["app": "istiod"]))
            result.notes.append("added the istiod Service in \(istioNamespace)")
        }
        var used = Set(inventory.pods.compactMap(\.podIP))
        var next = 0
        // A Pending pod has no sandbox yet, so no IP (the pod proxy refuses it with "address not allowed").
        for index in inventory.pods.indices where inventory.pods[index].podIP == nil && inventory.pods[index].phase != "Pending" {
            var address: String
            repeat {
                address = "10.244.\(next / 250).\(next % 250 + 2)"
                next += 1
            } while used.contains(address)
            used.insert(address)
            inventory.pods[index].podIP = address
        }
        // Objects without a creation time get the lab's reference date (relative order is unchanged: ties stay ties).
        let unknown = Date(timeIntervalSince1970: 0)
        for index in inventory.namespaces.indices where inventory.namespaces[index].meta.creationTimestamp == nil {
            inventory.namespaces[index].meta.creationTimestamp = epoch
        }
        for index in inventory.pods.indices where inventory.pods[index].meta.creationTimestamp == nil {
            inventory.pods[index].meta.creationTimestamp = epoch
        }
        for index in inventory.services.indices where inventory.services[index].creationTime == unknown {
            inventory.services[index].creationTime = epoch
        }
        for index in inventory.virtualServices.indices where inventory.virtualServices[index].meta.creationTimestamp == nil {
            inventory.virtualServices[index].meta.creationTimestamp = epoch
        }
        for index in inventory.destinationRules.indices where inventory.destinationRules[index].meta.creationTimestamp == nil {
            inventory.destinationRules[index].meta.creationTimestamp = epoch
        }
        for index in inventory.sidecars.indices where inventory.sidecars[index].meta.creationTimestamp == nil {
            inventory.sidecars[index].meta.creationTimestamp = epoch
        }
        inventory.namespaces.sort { $0.name < $1.name }
        inventory.pods.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        result.inventory = inventory
        return result
    }
}
