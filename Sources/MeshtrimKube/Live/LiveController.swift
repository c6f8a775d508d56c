import Foundation
import MeshtrimCore

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

    /// Makes a controller; nothing happens until ``start()``.
    ///
    /// - Parameters:
    ///   - interval: how often to refresh on its own (`nil`: only on request).
    ///   - emit: receives every event (from the controller's executor).
    public init(
        kubeconfig: String?, context: String?, istioVersion: IstioVersion? = nil, interval: Duration? = .seconds(60),
        options: KubeClient.Options = KubeClient.Options(), emit: @escaping @Sendable (LiveControllerEvent) -> Void
    ) {
        kubeconfigPath = kubeconfig
        contextName = context
        self.istioVersion = istioVersion
        self.interval = interval
        self.options = options
        self.emit = emit
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
            let (analysis, capture) = try await LiveAnalysisLoader.load(session: session, istioVersion: istioVersion)
            emit(.refreshed(analysis))
            emit(.notice(Self.summary(capture, refreshed: true)))
        } catch {
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
        await session?.shutdown()
        session = nil
    }

    /// Opens a context: the inventory is shown at once (predictions), the sidecars' figures follow as they arrive
    /// (``LiveControllerEvent/refreshed(_:)`` at each quarter and at the end). On success it becomes the session.
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
        session = opened
        let source = opened.sourceDescription
        let version = istioVersion
        let predictions = MeshAnalysis(inventory: live.inventory, observations: [], source: source, istioVersion: version)
        emit(.loaded(predictions))
        let sets = await opened.workingSets()
        let keys = live.inventory.pods.filter { $0.hasSidecar && $0.phase == "Running" }.map { PodKey(namespace: $0.namespace, name: $0.name) }
        let collected = ObservationBuffer()
        let quarter = max(1, keys.count / 4)
        let inventory = live.inventory
        let observer = opened.makeObserver(workingSets: sets.bytes, ttl: .seconds(3600)) { event in
            guard case .observed(let observation) = event else { return }
            let count = collected.add(observation)
            if count % quarter == 0, count < keys.count {
                emit(.refreshed(MeshAnalysis(inventory: inventory, observations: collected.all, source: source, istioVersion: version)))
            }
        }
        let (observations, failures) = await observer.observeAll(keys)
        let capture = LiveCapture(
            snapshot: MeshSnapshot(capturedAt: LiveSession.now(), source: source, inventory: live.inventory, observations: observations),
            notes: live.notes + [sets.note].compactMap { $0 }, failures: failures, inventorySeconds: 0, observationSeconds: 0)
        let analysis = MeshAnalysis(snapshot: capture.snapshot, source: source, istioVersion: version)
        let denied = opened.permissions.lines.filter { $0.contains("not permitted") && !capture.notes.contains($0) }
        emit(.notice(([Self.summary(capture, refreshed: false)] + denied).joined(separator: "; ")))
        return analysis
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

    /// `12 sidecars observed, 1 not (…); notes` in one line.
    static func summary(_ capture: LiveCapture, refreshed: Bool) -> String {
        var parts = ["\(refreshed ? "refreshed: " : "")\(capture.snapshot.observations.count) sidecars observed"]
        if let first = capture.failures.sorted(by: { $0.key < $1.key }).first {
            parts[0] += ", \(capture.failures.count) not (\(first.key): \(first.value.message))"
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

/// Observations gathered from the observer's events, for progressive updates.
final class ObservationBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var observations: [ProxyObservation] = []

    /// Adds one; returns how many there are.
    func add(_ observation: ProxyObservation) -> Int {
        lock.lock()
        defer { lock.unlock() }
        observations.append(observation)
        return observations.count
    }

    /// All so far.
    var all: [ProxyObservation] {
        lock.lock()
        defer { lock.unlock() }
        return observations
    }
}
