import Foundation
import MeshtrimCore
import Synchronization

/// What a ``LiveController`` reports to the UI.
public enum LiveControllerEvent: Sendable {
    /// A step of the first load (`connecting to …`, `pods: 10 pages`, `sidecars: 400/1,000`).
    case progress(String)
    /// A cluster was loaded (the first load, or after `:ctx` switched clusters): start over on it.
    case loaded(MeshAnalysis)
    /// The same cluster read again: keep the screens, update the numbers.
    case refreshed(MeshAnalysis)
    /// A line for the person (what could not be read, the contexts, a failed refresh or switch).
    case notice(String)
    /// The first load failed; the message says why and what to do.
    case failed(String)
    /// One sidecar's figures arrived (they reach the screens with the next ``refreshed(_:)``); in completion
    /// order, so the demand's pods come first.
    case observed(PodKey)
    /// How fresh the figures on screen are: when the cluster was last read, whether the last refresh failed, and
    /// which sidecars' last read failed (their figures are older). Sent after every read and every failed refresh.
    case readStatus(LiveReadStatus)
}

/// How fresh a live cluster's figures are (``LiveControllerEvent/readStatus(_:)``); times are the wall clock.
public struct LiveReadStatus: Sendable {
    /// A sidecar whose last read failed.
    public struct FailedRead: Sendable {
        /// Why (the message of the error).
        public var message: String
        /// When it failed.
        public var failedAt: Date
        /// When the figures still shown for it were read; `nil` when it was never read.
        public var figuresReadAt: Date?
    }

    /// When this status was made (the UI measures ages from it).
    public var at: Date
    /// When the cluster (its inventory) was last read successfully.
    public var clusterReadAt: Date?
    /// Why the last refresh failed; `nil` once one succeeds.
    public var refreshFailure: String?
    /// The sidecars whose last read failed.
    public var failedReads: [PodKey: FailedRead]
}

/// Drives the terminal UI on a live cluster: the first load, refreshes (on request and every `interval`), and
/// switching to another kubeconfig context without restarting.
///
/// A refresh or a switch that fails keeps the cluster on screen and reports a notice. Only one load runs at a
/// time; a refresh asked for while one runs is dropped.
public actor LiveController {
    private let kubeconfigPath: String?
    private var contextName: String?
    private let istioVersion: IstioVersion?
    private let interval: Duration?
    private let options: KubeClient.Options
    private let emit: @Sendable (LiveControllerEvent) -> Void
    private var session: LiveSession?
    private var kubeconfig: Kubeconfig?
    private var busy = false
    private var timer: Task<Void, Never>?
    /// The session's observer: background reads of every sidecar, the UI's demand first.
    private var observer: SidecarObserver?
    /// The inventory the figures belong to, and its sidecar pods per namespace.
    private var inventory: MeshInventory?
    private var sidecarsByNamespace: [String: [PodKey]] = [:]
    /// The UI's last demand (kept across refreshes and `:ctx`).
    private var demand = Demand()
    /// Set by the observer when a figure arrived; the publisher turns it into one ``LiveControllerEvent/refreshed(_:)``.
    private let changed = ChangeFlag()
    private var publisher: Task<Void, Never>?
    /// Counts sessions: figures read for an earlier one are never published after a new one loaded.
    private var generation = 0
    /// Sidecars read (or failed) in the current pass, and how many there are: progress for the UI.
    private let done = ReadCounter()
    private var total = 0
    private let observationTTL: Duration
    private let concurrency: Int
    private let portForwardConcurrency: Int
    /// When the cluster was last read successfully, and why the last refresh failed (until one succeeds).
    private var clusterReadAt: Date?
    private var refreshFailure: String?

    /// What the UI looks at.
    private struct Demand {
        var selected: [PodKey] = []
        var visible: [PodKey] = []
        var namespaces: [String] = []
    }

    /// Makes a controller; nothing happens until ``start()``.
    ///
    /// - Parameters:
    ///   - interval: how often to refresh on its own (`nil`: only on request).
    ///   - observationTTL: how long a sidecar's figures stay fresh (rows scrolled back into view after that are
    ///     read again).
    ///   - concurrency: sidecars read through the pod proxy at once.
    ///   - portForwardConcurrency: port-forwards at once (stats when the pod network is closed to the API server).
    ///   - emit: receives every event (from the controller's executor).
    public init(
        kubeconfig: String?, context: String?, istioVersion: IstioVersion? = nil, interval: Duration? = .seconds(60),
        options: KubeClient.Options = KubeClient.Options(), observationTTL: Duration = .seconds(30), concurrency: Int = 16,
        portForwardConcurrency: Int = 8, emit: @escaping @Sendable (LiveControllerEvent) -> Void
    ) {
        kubeconfigPath = kubeconfig
        contextName = context
        self.istioVersion = istioVersion
        self.interval = interval
        self.options = options
        self.observationTTL = observationTTL
        self.concurrency = concurrency
        self.portForwardConcurrency = portForwardConcurrency
        self.emit = emit
    }

    /// The UI's demand: the selected pod, the pods on screen, the namespaces on screen (their pods). They are read
    /// before the rest; what an earlier demand raised and this one does not goes back to the background.
    public func prioritize(selected: PodKey?, visible: [PodKey], namespaces: [String]) async {
        demand = Demand(selected: selected.map { [$0] } ?? [], visible: visible, namespaces: namespaces)
        await applyDemand()
    }

    /// A pod's actual cluster names (port-forward to Envoy admin :15000, masked `config_dump`) and when they were
    /// read; cached for the observation TTL.
    public func clusterNames(for key: PodKey) async -> Result<(names: [String], fetchedAt: Date), KubeError> {
        guard let observer else { return .failure(KubeError(.configuration, "not connected to a cluster yet")) }
        do {
            return .success(try await observer.fetchedClusterNames(for: key))
        } catch let error as KubeError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(KubeError(.cancelled, "cancelled (the cluster was read again or switched)"))
        } catch {
            return .failure(KubeError(.badResponse, "\(error)"))
        }
    }

    /// The observer of the current session (tests).
    public var currentObserver: SidecarObserver? { observer }

    /// An applier on the cluster on screen (the context `:ctx` switched to), for the YAML preview's `a`; `nil`
    /// before the first load.
    public var applier: SidecarApplier? { session.map { SidecarApplier(client: $0.client) } }

    private func applyDemand() async {
        guard let observer else { return }
        var visible = demand.visible
        for namespace in demand.namespaces { visible += sidecarsByNamespace[namespace] ?? [] }
        await observer.prioritize(selected: demand.selected, visible: visible)
    }

    /// Loads the kubeconfig and checks that its context resolves, so that a problem (no kubeconfig, an unknown
    /// context) is reported before the UI takes over the terminal; `nil` when the context is usable.
    public static func precheck(
        kubeconfig: String?, context: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> KubeconfigError? {
        do {
            _ = try KubeconfigLoader.load(explicitPath: kubeconfig, environment: environment).resolve(context: context)
            return nil
        } catch {
            return error
        }
    }

    /// The first load, then the periodic refresh.
    public func start() async {
        emit(.progress("reading the kubeconfig…"))
        do {
            let config = try KubeconfigLoader.load(explicitPath: kubeconfigPath, environment: options.environment)
            kubeconfig = config
            emit(.refreshed(try await open(config, context: contextName)))
        } catch {
            emit(.failed(Self.message(error)))
            return
        }
        startTimer()
    }

    /// Reads the cluster again (ctrl-r, and every `interval`).
    public func refresh() async {
        guard let session, !busy else { return }
        busy = true
        defer { busy = false }
        do {
            let live = try await session.loadInventory()
            clusterReadAt = Date()
            refreshFailure = nil
            let sets = await session.workingSets()
            let capture = await observe(live, workingSets: sets, session: session, fresh: false)
            emit(.refreshed(MeshAnalysis(snapshot: capture.snapshot, source: session.sourceDescription, istioVersion: istioVersion)))
            await emitStatus()
            emit(.notice(Self.summary(capture, total: total, refreshed: true)))
        } catch {
            refreshFailure = Self.message(error)
            await emitStatus()
            emit(.notice("refresh failed (the numbers on screen are from the last read): \(Self.message(error))"))
        }
    }

    /// `:ctx`: lists the contexts (`nil`), or switches to `name`.
    public func switchContext(_ name: String?) async {
        guard let config = kubeconfig else { return }
        guard let name, !name.isEmpty else {
            let current = session?.access.contextName ?? contextName ?? config.currentContext ?? ""
            let names = config.contextNames.map { $0 == current ? "\($0) (current)" : $0 }
            emit(.notice("contexts: \(names.joined(separator: ", ")) — :ctx NAME switches"))
            return
        }
        guard config.context(named: name) != nil else {
            emit(.notice("no context \(name) in the kubeconfig (contexts: \(config.contextNames.joined(separator: ", ")))"))
            return
        }
        guard !busy else {
            emit(.notice("still reading the cluster; try :ctx \(name) again in a moment"))
            return
        }
        let previous = session
        emit(.notice("switching to \(name)…"))
        do {
            let analysis = try await open(config, context: name)
            contextName = name
            if let previous, previous !== session { await previous.shutdown() }
            emit(.refreshed(analysis))
        } catch {
            if let failed = session, failed !== previous { await failed.shutdown() }
            session = previous
            emit(.notice("cannot switch to \(name): \(Self.message(error))"))
        }
    }

    /// Stops refreshing and closes the connection.
    public func stop() async {
        timer?.cancel()
        timer = nil
        publisher?.cancel()
        publisher = nil
        await observer?.cancelAll()
        observer = nil
        await session?.shutdown()
        session = nil
    }

    /// Opens a context: the inventory is shown at once (predictions), the sidecars' figures follow as they arrive
    /// (``LiveControllerEvent/refreshed(_:)`` as they stream in, the UI's demand first). On success it becomes the
    /// session.
    private func open(_ config: Kubeconfig, context: String?) async throws -> MeshAnalysis {
        busy = true
        defer { busy = false }
        let name = context ?? config.currentContext ?? ""
        emit(.progress("connecting to context \(name)…"))
        let opened = try await LiveSession.open(kubeconfig: config, context: context, options: options)
        let emit = self.emit
        let live: LiveInventory
        do {
            live = try await opened.loadInventory(progress: { emit(.progress($0)) })
        } catch {
            await opened.shutdown()
            throw error
        }
        // From here on the screens show the new cluster: nothing of the old session may reach them any more.
        generation += 1
        clusterReadAt = Date()
        refreshFailure = nil
        publisher?.cancel()
        publisher = nil
        _ = changed.take()
        await observer?.cancelAll()
        observer = nil
        session = opened
        let predictions = MeshAnalysis(inventory: live.inventory, observations: [], source: opened.sourceDescription, istioVersion: istioVersion)
        emit(.loaded(predictions))
        let sets = await opened.workingSets()
        let capture = await observe(live, workingSets: sets, session: opened, fresh: true)
        let analysis = MeshAnalysis(snapshot: capture.snapshot, source: opened.sourceDescription, istioVersion: istioVersion)
        let denied = opened.permissions.lines.filter { $0.contains("not permitted") && !capture.notes.contains($0) }
        await emitStatus()
        emit(.notice(([Self.summary(capture, total: total, refreshed: false)] + denied).joined(separator: "; ")))
        return analysis
    }

    /// Observes every running sidecar of `live`, the UI's demand first, while the publisher streams the figures to
    /// the UI; returns when every sidecar was read or failed.
    ///
    /// - Parameter fresh: a new session (a new observer; the old one is cancelled); otherwise a refresh (the
    ///   observer's cache is invalidated, figures on screen stay until new ones arrive).
    private func observe(_ live: LiveInventory, workingSets sets: ProxyWorkingSets, session: LiveSession, fresh: Bool) async -> LiveCapture {
        let keys = live.observableSidecars()
        inventory = live.inventory
        sidecarsByNamespace = Dictionary(grouping: keys, by: \.namespace)
        total = keys.count
        done.reset()
        let active: SidecarObserver
        if fresh || observer == nil {
            await observer?.cancelAll()
            let changed = self.changed
            let emit = self.emit
            let done = self.done
            active = session.makeObserver(
                workingSets: sets.bytes, ttl: observationTTL, concurrency: concurrency, portForwardConcurrency: portForwardConcurrency
            ) { event in
                if case .failed = event { done.increment() }
                guard case .observed(let observation) = event else { return }
                done.increment()
                changed.set()
                emit(.observed(PodKey(namespace: observation.namespace, name: observation.pod)))
            }
            observer = active
        } else if let observer {
            active = observer
            await active.update(workingSets: sets.bytes)
            await active.invalidate()
        } else {
            return LiveCapture(snapshot: MeshSnapshot(capturedAt: LiveSession.now(), source: session.sourceDescription, inventory: live.inventory, observations: []), notes: live.notes, failures: [:], inventorySeconds: 0, observationSeconds: 0)
        }
        startPublisher()
        await applyDemand()
        let capture = await session.observe(keys, of: live, workingSets: sets, with: active)
        _ = changed.take()  // the caller publishes the complete analysis
        return capture
    }

    /// Streams figures to the UI as they arrive: at most one analysis per interval (at least 250 ms, longer when
    /// analysing takes long), so a thousand sidecars do not mean a thousand re-analyses.
    private func startPublisher() {
        guard publisher == nil else { return }
        publisher = Task { [weak self] in
            var pause = Duration.milliseconds(250)
            while !Task.isCancelled {
                try? await Task.sleep(for: pause)
                guard let self else { return }
                let started = ContinuousClock.now
                await self.publishIfChanged()
                pause = max(.milliseconds(250), (ContinuousClock.now - started) * 2)
            }
        }
    }

    private func publishIfChanged() async {
        guard changed.take(), let observer, let inventory, let session else { return }
        let current = generation
        let observations = await observer.observations
        guard current == generation else { return }
        emit(.refreshed(MeshAnalysis(inventory: inventory, observations: observations, source: session.sourceDescription, istioVersion: istioVersion)))
        await emitStatus()
        let count = done.value
        if count < total { emit(.notice("sidecars: \(count)/\(total) read (the rows on screen first)…")) }
    }

    private func startTimer() {
        guard let interval, timer == nil else { return }
        timer = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                await self?.refresh()
            }
        }
    }

    /// Sends how fresh the figures are: the cluster's last read, the last refresh's failure, the failed sidecars.
    private func emitStatus() async {
        var failed: [PodKey: LiveReadStatus.FailedRead] = [:]
        if let observer {
            let reads = await observer.failedReads
            let shown = Dictionary(await observer.observations.map { (PodKey(namespace: $0.namespace, name: $0.pod), $0.capturedAt) }) { first, _ in first }
            for (key, read) in reads {
                failed[key] = LiveReadStatus.FailedRead(message: read.error.message, failedAt: read.at, figuresReadAt: shown[key] ?? nil)
            }
        }
        emit(.readStatus(LiveReadStatus(at: Date(), clusterReadAt: clusterReadAt, refreshFailure: refreshFailure, failedReads: failed)))
    }

    /// `refreshed: 9 of 10 sidecars observed, 1 failed (ns/pod: why); notes` in one line: a sidecar whose read
    /// failed is never counted as observed, even when its older figures stay on screen.
    static func summary(_ capture: LiveCapture, total: Int, refreshed: Bool) -> String {
        let observed = max(0, total - capture.failures.count)
        var parts = ["\(refreshed ? "refreshed: " : "")\(observed) of \(total) sidecars observed"]
        if let first = capture.failures.sorted(by: { $0.key < $1.key }).first {
            parts[0] += ", \(capture.failures.count) failed (\(first.key): \(first.value.message))"
        }
        parts += capture.notes
        return parts.joined(separator: "; ")
    }

    static func message(_ error: Error) -> String {
        if let error = error as? KubeError { return error.message }
        if let error = error as? KubeconfigError { return error.message }
        return "\(error)"
    }
}

/// Sidecars finished in the current pass, counted from the observer's events.
final class ReadCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// One more.
    func increment() { count.wrappingAdd(1, ordering: .relaxed) }

    /// Starts a pass.
    func reset() { count.store(0, ordering: .relaxed) }

    /// The count now.
    var value: Int { count.load(ordering: .relaxed) }
}

/// A flag set from the observer's events and taken by the publisher.
final class ChangeFlag: Sendable {
    private let isSet = Atomic<Bool>(false)

    /// Marks a change.
    func set() { isSet.store(true, ordering: .releasing) }

    /// Whether there was a change since the last call; clears it.
    func take() -> Bool { isSet.exchange(false, ordering: .acquiringAndReleasing) }
}
