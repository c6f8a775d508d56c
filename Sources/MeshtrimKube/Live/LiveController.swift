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
            let analysis = try await open(config, context: contextName)
            emit(.loaded(analysis))
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
            await previous?.shutdown()
            emit(.loaded(analysis))
        } catch {
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

    /// Opens a context and captures it; on success it becomes the session.
    private func open(_ config: Kubeconfig, context: String?) async throws -> MeshAnalysis {
        busy = true
        defer { busy = false }
        let name = context ?? config.currentContext ?? ""
        emit(.progress("connecting to context \(name)…"))
        let opened = try await LiveSession.open(kubeconfig: config, context: context, options: options)
        do {
            let emit = self.emit
            let (analysis, capture) = try await LiveAnalysisLoader.load(
                session: opened, istioVersion: istioVersion, progress: { emit(.progress($0)) })
            session = opened
            let denied = opened.permissions.lines.filter { $0.contains("not permitted") && !capture.notes.contains($0) }
            emit(.notice(([Self.summary(capture, refreshed: false)] + denied).joined(separator: "; ")))
            return analysis
        } catch {
            await opened.shutdown()
            throw error
        }
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
