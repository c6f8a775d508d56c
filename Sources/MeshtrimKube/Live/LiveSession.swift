import Foundation
import MeshtrimCore
import Synchronization

/// Everything captured from a live cluster in one go: the snapshot plus what was degraded and why.
public struct LiveCapture: Sendable {
    /// Inventory and observations, in the snapshot format.
    public var snapshot: MeshSnapshot
    /// Lines about what could not be read (permissions, missing APIs).
    public var notes: [String]
    /// Sidecars that could not be observed, and why.
    public var failures: [PodKey: KubeError]
    /// Seconds spent on the inventory lists.
    public var inventorySeconds: Double
    /// Seconds spent on observations.
    public var observationSeconds: Double
}

/// A connection to one kubeconfig context: the client, the up-front permission checks, and the loaders.
///
/// ```swift
/// let session = try await LiveSession.open(kubeconfig: nil, context: nil)   // the current context
/// let capture = try await session.capture(namespaces: nil)
/// await session.shutdown()
/// ```
public final class LiveSession: Sendable {
    /// The kubeconfig (for `:ctx`).
    public let kubeconfig: Kubeconfig
    /// The resolved context.
    public let access: ClusterAccess
    /// The client.
    public let client: KubeClient
    /// Cached access reviews.
    public let checker: AccessChecker
    /// The up-front reviews.
    public let permissions: LivePermissions
    /// The server's version (`v1.32.0`), when `/version` answered.
    public let serverVersion: String?

    private init(
        kubeconfig: Kubeconfig, access: ClusterAccess, client: KubeClient, checker: AccessChecker, permissions: LivePermissions,
        serverVersion: String?
    ) {
        self.kubeconfig = kubeconfig
        self.access = access
        self.client = client
        self.checker = checker
        self.permissions = permissions
        self.serverVersion = serverVersion
    }

    /// Loads the kubeconfig (`--kubeconfig`, `KUBECONFIG`, `~/.kube/config`, in-cluster) and opens a context.
    ///
    /// - Throws: ``KubeconfigError`` or ``KubeError`` (unreachable, TLS, 401 with the user and context named).
    public static func open(
        kubeconfig path: String? = nil, context: String? = nil, options: KubeClient.Options = KubeClient.Options()
    ) async throws -> LiveSession {
        let kubeconfig = try KubeconfigLoader.load(explicitPath: path, environment: options.environment)
        return try await open(kubeconfig: kubeconfig, context: context, options: options)
    }

    /// Opens a context of an already loaded kubeconfig (`:ctx` switches this way).
    public static func open(
        kubeconfig: Kubeconfig, context: String?, options: KubeClient.Options = KubeClient.Options()
    ) async throws -> LiveSession {
        let access = try kubeconfig.resolve(context: context)
        let client = try await KubeClient.connect(access, options: options)
        do {
            struct Version: Decodable { var gitVersion: String? }
            var version: String?
            do {
                version = try await client.get(Version.self, "/version").gitVersion
            } catch let error as KubeError where error.kind == .notFound || error.kind == .forbidden || error.kind == .badResponse {
                version = nil
            }
            let checker = AccessChecker(client: client)
            let permissions = await LivePermissions.check(with: checker, serverVersion: version)
            return LiveSession(
                kubeconfig: kubeconfig, access: access, client: client, checker: checker, permissions: permissions,
                serverVersion: version)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// `context NAME (server)`, for headers and snapshot sources.
    public var sourceDescription: String { "context \(access.contextName) (\(access.server))" }

    /// Reads the inventory.
    public func loadInventory(podNamespaces: [String]? = nil, progress: (@Sendable (String) -> Void)? = nil) async throws -> LiveInventory {
        try await InventoryLoader(client: client).load(podNamespaces: podNamespaces, progress: progress)
    }

    /// Reads the `istio-proxy` working sets (empty with a note when not permitted or not installed).
    public func workingSets(namespaces: [String]? = nil) async -> ProxyWorkingSets {
        guard permissions.podMetrics != .denied || namespaces != nil else {
            return ProxyWorkingSets(bytes: [:], note: "working set: not shown — pods.metrics.k8s.io not permitted")
        }
        var result = await PodMetricsReader(client: client).read(namespaces: namespaces)
        if result.bytes.isEmpty, namespaces == nil, result.note?.contains("all namespaces") == true {
            result = await PodMetricsReader(client: client).read(namespaces: [access.namespace])
        }
        return result
    }

    /// An observer for this session's sidecars.
    ///
    /// - Parameters:
    ///   - concurrency: pod-proxy reads at once.
    ///   - portForwardConcurrency: port-forwards at once (stats when the pod network is closed to the API server).
    public func makeObserver(
        workingSets: [PodKey: Int] = [:], ttl: Duration = .seconds(30), concurrency: Int = 16, portForwardConcurrency: Int = 8,
        onEvent: @escaping @Sendable (ObservationEvent) -> Void = { _ in }
    ) -> SidecarObserver {
        SidecarObserver(
            reader: SidecarReader(client: client), permissions: permissions, checker: checker, workingSets: workingSets, ttl: ttl,
            concurrency: ObservationConcurrency(podProxy: concurrency, portForward: portForwardConcurrency), onEvent: onEvent)
    }

    /// Reads inventory and observations for `namespaces` (all when `nil`) into a snapshot.
    ///
    /// - Parameters:
    ///   - clusterNames: also read every sidecar's actual cluster names by port-forward (one config dump each).
    ///   - concurrency: pod-proxy reads at once.
    ///   - portForwardConcurrency: port-forwards at once (stats when the pod network is closed, cluster names).
    ///   - progress: short lines as work finishes.
    /// - Throws: ``KubeError`` when the inventory cannot be read; sidecar failures are in ``LiveCapture/failures``.
    public func capture(
        namespaces: [String]? = nil, clusterNames: Bool = false, concurrency: Int = 16, portForwardConcurrency: Int = 8,
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> LiveCapture {
        let started = ContinuousClock.now
        let live = try await loadInventory(podNamespaces: namespaces, progress: progress)
        let inventoryDone = ContinuousClock.now
        async let sets = workingSets(namespaces: nil)
        let keys = live.observableSidecars(namespaces: namespaces)
        let workingSets = await sets
        let counter = ProgressCounter(total: keys.count, progress: progress)
        let observer = makeObserver(
            workingSets: workingSets.bytes, ttl: .seconds(3600), concurrency: concurrency, portForwardConcurrency: portForwardConcurrency
        ) { event in
            if case .observed = event { counter.tick() } else if case .failed = event { counter.tick() }
        }
        let unreadable = permissions.podProxy == .denied && permissions.portForward == .denied ? [permissions.statsLine] : []
        var capture = await observe(keys, of: live, workingSets: workingSets, with: observer, notes: unreadable)
        if clusterNames {
            if permissions.portForward == .denied {
                capture.notes.append(permissions.portForwardDeniedLine)
            } else {
                // One observation per pod is the rule, but the answers come from outside: a repeat must not trap.
                let indexed = Dictionary(
                    capture.snapshot.observations.enumerated().map { (PodKey(namespace: $0.element.namespace, name: $0.element.pod), $0.offset) },
                    uniquingKeysWith: { _, last in last })
                await withTaskGroup(of: (PodKey, Result<[String], KubeError>).self) { group in
                    var pending = indexed.keys.sorted()[...]
                    func next() {
                        guard let key = pending.popFirst() else { return }
                        group.addTask {
                            do { return (key, .success(try await observer.clusterNames(for: key))) } catch let error as KubeError {
                                return (key, .failure(error))
                            } catch { return (key, .failure(KubeError(.badResponse, "\(error)"))) }
                        }
                    }
                    for _ in 0..<min(4, portForwardConcurrency) { next() }
                    for await (key, result) in group {
                        switch result {
                        case .success(let list): if let index = indexed[key] { capture.snapshot.observations[index].clusterNames = list }
                        case .failure(let error): capture.failures[key] = error
                        }
                        next()
                    }
                }
            }
        }
        let finished = ContinuousClock.now
        // Captured when the last answer came, cluster names included (observe stamped the end of the stats).
        capture.snapshot.capturedAt = Self.now()
        capture.inventorySeconds = Self.seconds(inventoryDone - started)
        capture.observationSeconds = Self.seconds(finished - inventoryDone)
        return capture
    }

    /// Observes `keys` of `live` with `observer` and makes the capture: `live`'s inventory with the observations,
    /// the sidecars that failed, and the notes in order (the inventory's, the working sets', `notes`, then how the
    /// stats were reached). One step for ``capture(namespaces:clusterNames:concurrency:portForwardConcurrency:progress:)``
    /// and the UI's live controller, which keeps its observer between refreshes. No timings (zero).
    public func observe(
        _ keys: [PodKey], of live: LiveInventory, workingSets: ProxyWorkingSets, with observer: SidecarObserver,
        notes: [String] = []
    ) async -> LiveCapture {
        let (observations, failures) = await observer.observeAll(keys)
        let snapshot = MeshSnapshot(capturedAt: Self.now(), source: sourceDescription, inventory: live.inventory, observations: observations)
        let allNotes = live.notes + [workingSets.note].compactMap { $0 } + notes + (await observer.routeNotes)
        return LiveCapture(snapshot: snapshot, notes: allNotes, failures: failures, inventorySeconds: 0, observationSeconds: 0)
    }

    /// Closes the connections.
    public func shutdown() async { await client.shutdown() }

    /// Now, in whole seconds: snapshots store RFC 3339 times without fractions, so a capture equals its round trip.
    public static func now() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    /// A duration in seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Counts finished sidecars and reports every tenth percent.
final class ProgressCounter: Sendable {
    private let done = Atomic<Int>(0)
    private let total: Int
    private let progress: (@Sendable (String) -> Void)?

    init(total: Int, progress: (@Sendable (String) -> Void)?) {
        self.total = total
        self.progress = progress
    }

    func tick() {
        let value = done.wrappingAdd(1, ordering: .relaxed).newValue
        let step = max(1, total / 10)
        if value % step == 0 || value == total { progress?("sidecars: \(value)/\(total)") }
    }
}
