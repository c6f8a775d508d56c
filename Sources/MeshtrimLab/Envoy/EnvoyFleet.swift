import Foundation
import MeshtrimCore

/// The lab's sidecars: one real Envoy per distinct sidecar configuration, fed by file CDS that the lab computes
/// with the scope engine, as istiod would push it.
///
/// Pods of one namespace under the same Sidecar with the same inbound ports share an Envoy: they have exactly the
/// same clusters, so every pod's `active_clusters` is its own prediction. When that needs more than `maxEnvoys`,
/// pods share one Envoy per namespace and Sidecar, whose clusters are the union of theirs (they differ only in
/// inbound clusters); `envoyPerPod` gives every pod its own. If a later Sidecar splits a group, its Envoy gets the
/// union of its pods' clusters. When Sidecars
/// change, every group's clusters are recomputed and changed CDS files are rewritten, so the same Envoy process
/// reloads, as a sidecar does after an istiod push. A crashed Envoy is reported and restarted.
public actor EnvoyFleet {
    /// What the fleet needs to know to run Envoys.
    public struct Options: Sendable {
        /// The Envoy binary.
        public var binary: String
        /// The directory for bootstraps, CDS files and logs.
        public var directory: String
        /// `--concurrency` of every Envoy (1–2 keeps memory low).
        public var concurrency: Int
        /// One Envoy per pod instead of per namespace and Sidecar.
        public var envoyPerPod: Bool
        /// Refuse scenarios that need more Envoys than this.
        public var maxEnvoys: Int
        /// A delay before each CDS rewrite (the `slow-envoy` fault).
        public var updateDelay: Duration
        /// Only these namespaces' pods get Envoys (`nil`: every namespace). Lets a large mesh be measured in
        /// batches with one Envoy per distinct pod configuration (`scripts/demo-from-lab.sh`); the other pods'
        /// pod proxy answers 503 and port-forward is refused, as with `--without-envoy`.
        public var envoyNamespaces: Set<String>?

        /// Makes options.
        public init(binary: String, directory: String, concurrency: Int = 1, envoyPerPod: Bool = false, maxEnvoys: Int = 40,
            updateDelay: Duration = .zero, envoyNamespaces: Set<String>? = nil)
        {
            self.binary = binary
            self.directory = directory
            self.concurrency = concurrency
            self.envoyPerPod = envoyPerPod
            self.maxEnvoys = maxEnvoys
            self.updateDelay = updateDelay
            self.envoyNamespaces = envoyNamespaces
        }
    }

    /// Where one pod's Envoy listens.
    public struct Endpoint: Sendable, Hashable {
        /// The group's id.
        public var groupID: String
        /// The admin port (the pod's 15000).
        public var adminPort: Int
        /// The Prometheus listener port (the pod's 15090).
        public var prometheusPort: Int
        /// Whether the Envoy is running now.
        public var isRunning: Bool
        /// The Envoy's process id.
        public var pid: Int32?
    }

    /// A group's state, for `/lab/status` and logs.
    public struct GroupStatus: Sendable, Codable, Hashable {
        /// The group's id (`namespace--sidecar--in-8080`, or `namespace--pod` with one Envoy per pod).
        public var id: String
        /// The namespace.
        public var namespace: String
        /// The pods it serves.
        public var pods: [String]
        /// The admin port.
        public var adminPort: Int
        /// The Prometheus listener port.
        public var prometheusPort: Int
        /// The Envoy's pid, when running.
        public var pid: Int32?
        /// Clusters the scope engine predicts (`cluster_manager.active_clusters`: dynamic plus static).
        public var predictedActiveClusters: Int
        /// The CDS version last written.
        public var cdsVersion: Int
        /// How often the Envoy was restarted after a crash.
        public var restarts: Int
    }

    private struct Group {
        var id: String
        var namespace: String
        var pods: [Pod]
        var adminPort = 0
        var prometheusPort = 0
        var process: EnvoyProcess?
        var dynamicClusters: [PredictedCluster] = []
        var staticClusterNames: [String] = []
        var version = 0
        var restarts = 0
    }

    private let options: Options
    private let log: @Sendable (String) -> Void
    private var inventory: MeshInventory
    private var groups: [Group] = []
    private var groupOfPod: [String: Int] = [:]
    private var shuttingDown = false

    /// Makes a fleet for a scenario; nothing runs until ``start(sidecars:)``.
    public init(scenario: LabScenario, options: Options, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.log = log
        self.inventory = scenario.inventory
    }

    // MARK: Starting

    /// Groups the pods, writes bootstraps and CDS files, starts every Envoy and waits until each is LIVE with its
    /// clusters loaded.
    ///
    /// - Throws: ``LabError`` when the scenario needs more Envoys than allowed, or an Envoy does not come up.
    public func start(sidecars: [Sidecar]) async throws {
        inventory.sidecars = sidecars
        let engine = ScopeEngine(inventory: inventory)
        let meshed = inventory.pods.filter { pod in
            pod.hasSidecar && options.envoyNamespaces.map { $0.contains(pod.namespace) } != false
        }
        var grouping: [(key: String, pods: [Pod])]
        if options.envoyPerPod {
            grouping = meshed.map { ("\($0.namespace)--\($0.name)", [$0]) }
        } else {
            grouping = Self.group(meshed) { pod in
                // Same namespace, same Sidecar and same inbound ports: exactly the same clusters.
                let scope = engine.scope(for: pod)
                let inbound = scope.clusters.filter { $0.direction == .inbound }.compactMap(\.port).sorted()
                return "\(Self.sidecarKey(scope.sidecar, pod: pod))--"
                    + (inbound.isEmpty ? "no-inbound" : "in-" + inbound.map(String.init).joined(separator: "-"))
            }
            if grouping.count > options.maxEnvoys {
                // Too many for exact counts: share per namespace and Sidecar (clusters are the union of the pods').
                grouping = Self.group(meshed) { pod in
                    Self.sidecarKey(engine.selectSidecar(namespace: pod.namespace, labels: pod.labels).sidecar, pod: pod)
                }
                log("lab: \(grouping.count) Envoys, one per namespace and Sidecar (pods of different workloads share one; each reports the union of their clusters)")
            }
        }
        guard grouping.count <= options.maxEnvoys else {
            throw LabError(
                "this scenario needs \(grouping.count) Envoys (\(options.envoyPerPod ? "one per pod with --envoy-per-pod" : "one per namespace and Sidecar")), "
                    + "more than --max-envoys \(options.maxEnvoys); use fewer namespaces or pods, or raise --max-envoys")
        }
        for (key, pods) in grouping {
            for pod in pods { groupOfPod["\(pod.namespace)/\(pod.name)"] = groups.count }
            groups.append(Group(id: key, namespace: pods[0].namespace, pods: pods))
        }
        for index in groups.indices {
            let (dynamic, statics) = Self.clusters(for: groups[index].pods, engine: engine)
            groups[index].dynamicClusters = dynamic
            groups[index].staticClusterNames = statics
            groups[index].version = 1
            try FileManager.default.createDirectory(atPath: xdsDirectory(groups[index]), withIntermediateDirectories: true)
            try ClusterDiscoveryFile(clusters: dynamic, version: 1).write(to: cdsPath(groups[index]))
        }
        for index in groups.indices { try await launch(index) }
        for index in groups.indices { try await waitUntilLoaded(index, timeout: .seconds(120)) }
        log("lab: \(groups.count) Envoy\(groups.count == 1 ? "" : "s") running")
    }

    /// Groups pods by a key, keeping first-seen order.
    static func group(_ pods: [Pod], by key: (Pod) -> String) -> [(key: String, pods: [Pod])] {
        var order: [String] = []
        var members: [String: [Pod]] = [:]
        for pod in pods {
            let name = key(pod)
            if members[name] == nil { order.append(name) }
            members[name, default: []].append(pod)
        }
        return order.map { ($0, members[$0] ?? []) }
    }

    /// `namespace--sidecar` (`default` without one, `root-NAME` for the root namespace's).
    static func sidecarKey(_ sidecar: Sidecar?, pod: Pod) -> String {
        let name = sidecar.map { "\($0.meta.namespace == pod.namespace ? "" : "root-")\($0.meta.name)" } ?? "default"
        return "\(pod.namespace)--\(name)"
    }

    /// The dynamic clusters (union over the pods, first occurrence wins) and static cluster names of a group.
    static func clusters(for pods: [Pod], engine: ScopeEngine) -> (dynamic: [PredictedCluster], staticNames: [String]) {
        var seen = Set<String>()
        var dynamic: [PredictedCluster] = []
        var statics: [String] = []
        for pod in pods {
            for cluster in engine.scope(for: pod).clusters where seen.insert(cluster.name).inserted {
                if cluster.isStatic { statics.append(cluster.name) } else { dynamic.append(cluster) }
            }
        }
        return (dynamic, statics)
    }

    /// A free loopback port that is not in `taken`.
    static func freePort(avoiding taken: Set<Int>) throws -> Int {
        for _ in 0..<100 {
            let port = try PortAllocator.freePort()
            if !taken.contains(port) { return port }
        }
        throw LabError("cannot find a free loopback port that no other Envoy of the lab uses (100 tries)")
    }

    private func launch(_ index: Int) async throws {
        // A port the kernel just handed out can come back for the next request before the first Envoy binds it:
        // never give one port to two of this fleet's Envoys.
        var taken = Set(groups.indices.filter { $0 != index }.flatMap { [groups[$0].adminPort, groups[$0].prometheusPort] })
        groups[index].adminPort = try Self.freePort(avoiding: taken)
        taken.insert(groups[index].adminPort)
        groups[index].prometheusPort = try Self.freePort(avoiding: taken)
        let group = groups[index]
        let pod = group.pods[0]
        let bootstrap = EnvoyBootstrap(
            nodeID: "sidecar~\(pod.podIP ?? "127.0.0.1")~\(pod.name).\(pod.namespace)~\(pod.namespace).svc.\(inventory.meshConfig.domainSuffix)",
            nodeCluster: "\(pod.labels["app"] ?? pod.name).\(pod.namespace)", adminPort: group.adminPort,
            prometheusPort: group.prometheusPort, cdsPath: cdsPath(group), watchedDirectory: xdsDirectory(group),
            socketDirectory: groupDirectory(group), staticClusterNames: group.staticClusterNames,
            istioVersion: pod.proxyVersion ?? "\((inventory.istioVersion ?? .defaultVersion).description).0")
        let bootstrapPath = "\(groupDirectory(group))/bootstrap.json"
        do {
            try bootstrap.json.encoded(pretty: true).write(to: URL(fileURLWithPath: bootstrapPath))
        } catch {
            throw LabError("cannot write \(bootstrapPath): \(error.localizedDescription)")
        }
        groups[index].process = try await EnvoyProcess.start(
            binary: options.binary, bootstrapPath: bootstrapPath, concurrency: options.concurrency,
            logPath: "\(groupDirectory(group))/envoy.log")
    }

    /// Waits until the group's Envoy reports the current CDS version and its Prometheus listener (what the pod proxy
    /// and port-forward :15090 read) answers: an Envoy whose admin port answers can still refuse the first connection
    /// to that listener (one sidecar's stats read failed that way in a full test run).
    private func waitUntilLoaded(_ index: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let group = groups[index]
            guard let process = group.process else { throw LabError("the Envoy of \(group.id) was not started") }
            if let status = process.pollExit() {
                throw LabError(
                    "the Envoy of \(group.id) exited with status \(status) while starting; see \(groupDirectory(group))/envoy.log")
            }
            if let version = try? await Self.cdsVersion(adminPort: group.adminPort), version == String(group.version),
                (try? await LocalHTTPClient.get(port: group.prometheusPort, path: "/stats/prometheus?filter=server.live", timeout: .seconds(5)))?
                    .status == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LabError("the Envoy of \(groups[index].id) did not load its clusters within \(timeout); see \(groupDirectory(groups[index]))/envoy.log")
    }

    /// `cluster_manager.cds.version_text` from an Envoy's admin port.
    static func cdsVersion(adminPort: Int) async throws -> String? {
        let response = try await LocalHTTPClient.get(
            port: adminPort, path: "/stats?filter=%5Ecluster_manager%5C.cds%5C.version_text%24", timeout: .seconds(5))
        guard response.status == 200 else { return nil }
        // `cluster_manager.cds.version_text: "7"`
        for line in response.text.split(separator: "\n") where line.hasPrefix("cluster_manager.cds.version_text:") {
            return line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    // MARK: Following Sidecars

    /// Recomputes every group's clusters for `sidecars` and rewrites the CDS files that changed.
    ///
    /// - Returns: the ids of the groups whose clusters changed.
    @discardableResult
    public func update(sidecars: [Sidecar]) async -> [String] {
        if options.updateDelay > .zero { try? await Task.sleep(for: options.updateDelay) }
        inventory.sidecars = sidecars
        let engine = ScopeEngine(inventory: inventory)
        var changed: [String] = []
        for index in groups.indices {
            let (dynamic, _) = Self.clusters(for: groups[index].pods, engine: engine)
            guard dynamic != groups[index].dynamicClusters else { continue }
            let before = groups[index].dynamicClusters.count + groups[index].staticClusterNames.count
            groups[index].dynamicClusters = dynamic
            groups[index].version += 1
            do {
                try ClusterDiscoveryFile(clusters: dynamic, version: groups[index].version).write(to: cdsPath(groups[index]))
                changed.append(groups[index].id)
                log("lab: pushed CDS version \(groups[index].version) to \(groups[index].id): \(before) → \(dynamic.count + groups[index].staticClusterNames.count) clusters")
            } catch {
                log("lab: \(error)")
            }
        }
        return changed
    }

    // MARK: Supervision

    /// Restarts Envoys that exit unexpectedly; returns when shutdown begins or the task is cancelled.
    public func supervise(interval: Duration = .milliseconds(500)) async {
        while !shuttingDown && !Task.isCancelled {
            for index in groups.indices {
                guard let process = groups[index].process, let status = process.pollExit(), !shuttingDown else { continue }
                groups[index].restarts += 1
                log("lab: the Envoy of \(groups[index].id) (pid \(process.pid)) exited with status \(status); restarting it (restart \(groups[index].restarts))")
                groups[index].process = nil
                do {
                    try ClusterDiscoveryFile(clusters: groups[index].dynamicClusters, version: groups[index].version).write(to: cdsPath(groups[index]))
                    try await launch(index)
                    try await waitUntilLoaded(index, timeout: .seconds(60))
                    log("lab: the Envoy of \(groups[index].id) is back (pid \(groups[index].process?.pid ?? 0))")
                } catch {
                    log("lab: could not restart the Envoy of \(groups[index].id): \(error)")
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Stops every Envoy (SIGTERM, then SIGKILL) and waits for each to exit. Safe to call more than once.
    public func shutdown() async {
        shuttingDown = true
        let processes = groups.compactMap(\.process).filter(\.isRunning)
        await withTaskGroup(of: Void.self) { group in
            for process in processes { group.addTask { await process.stop() } }
        }
        if !processes.isEmpty { log("lab: stopped \(processes.count) Envoy\(processes.count == 1 ? "" : "s")") }
    }

    // MARK: Lookup

    /// The Envoy serving a pod, when the pod has a sidecar.
    public func endpoint(namespace: String, pod: String) -> Endpoint? {
        guard let index = groupOfPod["\(namespace)/\(pod)"] else { return nil }
        let group = groups[index]
        return Endpoint(
            groupID: group.id, adminPort: group.adminPort, prometheusPort: group.prometheusPort,
            isRunning: group.process?.isRunning ?? false, pid: group.process?.pid)
    }

    /// Resident memory of the Envoy serving a pod, in bytes.
    public func residentBytes(namespace: String, pod: String) -> Int? {
        guard let index = groupOfPod["\(namespace)/\(pod)"] else { return nil }
        return groups[index].process?.residentBytes
    }

    /// Every group's state.
    public func status() -> [GroupStatus] {
        groups.map { group in
            GroupStatus(
                id: group.id, namespace: group.namespace, pods: group.pods.map(\.name), adminPort: group.adminPort,
                prometheusPort: group.prometheusPort, pid: group.process?.isRunning == true ? group.process?.pid : nil,
                predictedActiveClusters: group.dynamicClusters.count + group.staticClusterNames.count, cdsVersion: group.version,
                restarts: group.restarts)
        }
    }

    private func groupDirectory(_ group: Group) -> String { "\(options.directory)/\(group.id)" }
    private func xdsDirectory(_ group: Group) -> String { "\(groupDirectory(group))/xds" }
    private func cdsPath(_ group: Group) -> String { "\(xdsDirectory(group))/cds.json" }
}
