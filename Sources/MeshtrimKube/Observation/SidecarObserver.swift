import Foundation
import MeshtrimCore

/// Observes sidecars lazily: the selected pod first, then visible rows, then the rest, a bounded number at a time,
/// with a TTL cache, cancellation and progress events.
///
/// ```swift
/// let observer = SidecarObserver(reader: reader, permissions: permissions) { event in … }
/// await observer.request(visibleRows, priority: .visible)
/// let all = await observer.observeAll(pods)       // CLI: wait for every one
/// ```
///
/// Stats come from the pod proxy (one small filtered request per sidecar), or by port-forward to :15090 when the
/// API server cannot reach pod IPs (``StatsRoute`` decides from the first reads, and ``routeNotes`` say why);
/// cluster names only on demand (``clusterNames(for:)``) because a config dump costs the sidecar real CPU. What
/// RBAC refuses is never requested: the failure says which permission is missing.
public actor SidecarObserver {
    private struct Entry {
        var observation: ProxyObservation
        var at: ContinuousClock.Instant
    }

    private struct Failure {
        var error: KubeError
        var at: ContinuousClock.Instant
        /// When it failed, on the wall clock (the UI shows how long ago).
        var date: Date
    }

    private let reader: SidecarReader
    private let checker: AccessChecker?
    private let permissions: LivePermissions
    private let ttl: Duration
    private let concurrency: ObservationConcurrency
    private let probeTimeout: Duration
    private var route: StatsRoute
    private var forwardsRunning = 0
    private var forwardWaiters: [CheckedContinuation<Void, Never>] = []
    private let onEvent: @Sendable (ObservationEvent) -> Void
    private var workingSets: [PodKey: Int]
    private var cache: [PodKey: Entry] = [:]
    private var failures: [PodKey: Failure] = [:]
    private var names: [PodKey: (names: [String], at: ContinuousClock.Instant, date: Date)] = [:]
    private var namesInFlight: [PodKey: Task<[String], Error>] = [:]
    private var prioritized: Set<PodKey> = []
    private var buckets: [[PodKey]] = Array(repeating: [], count: ObservationPriority.allCases.count)
    private var heads: [Int] = Array(repeating: 0, count: ObservationPriority.allCases.count)
    private var queued: [PodKey: ObservationPriority] = [:]
    private var inFlight: [PodKey: Task<Void, Never>] = [:]
    private var waiters: [(keys: Set<PodKey>, continuation: CheckedContinuation<Void, Never>)] = []
    private var generation = 0

    /// Makes an observer.
    ///
    /// - Parameters:
    ///   - permissions: the up-front access reviews; denied paths are not requested.
    ///   - checker: asks per namespace when a cluster-wide review was denied.
    ///   - workingSets: `istio-proxy` working sets by pod (metrics.k8s.io).
    ///   - ttl: how long an observation stays fresh.
    ///   - concurrency: pod-proxy reads and port-forwards at once.
    ///   - probeTimeout: the time limit of a pod-proxy read until one has succeeded, and of a port-forward until one
    ///     has (a closed path shows in seconds, not after the reader's full timeout per sidecar).
    ///   - switchAfter: identical failures after which the run changes its way or stops (``StatsRoute``).
    ///   - onEvent: called (on the observer's executor) after every change.
    public init(
        reader: SidecarReader, permissions: LivePermissions, checker: AccessChecker? = nil, workingSets: [PodKey: Int] = [:],
        ttl: Duration = .seconds(30), concurrency: ObservationConcurrency = ObservationConcurrency(),
        probeTimeout: Duration = .seconds(5), switchAfter: Int = 3,
        onEvent: @escaping @Sendable (ObservationEvent) -> Void = { _ in }
    ) {
        self.reader = reader
        self.permissions = permissions
        self.checker = checker
        self.workingSets = workingSets
        self.ttl = ttl
        self.concurrency = concurrency
        self.probeTimeout = probeTimeout
        route = StatsRoute(
            threshold: switchAfter, portForwardPermitted: permissions.portForward != .denied, podProxyPermitted: permissions.podProxy != .denied)
        self.onEvent = onEvent
    }

    /// Which way stats are read now (``StatsRoute/State``).
    public var routeState: StatsRoute.State { route.state }

    /// Why the run reads stats by port-forward or stopped asking (empty while the pod proxy works).
    public var routeNotes: [String] { route.note.map { [$0] } ?? [] }

    /// The fresh observation of a pod, if any.
    public func observation(for key: PodKey) -> ProxyObservation? {
        guard let entry = cache[key], ContinuousClock.now - entry.at < ttl else { return nil }
        return entry.observation
    }

    /// Every observation in the cache, fresh or not (the UI keeps showing old figures while refreshing).
    public var observations: [ProxyObservation] { cache.values.map(\.observation).sorted { ($0.namespace, $0.pod) < ($1.namespace, $1.pod) } }

    /// The last failure of a pod: its last read failed (its figures in ``observations``, if any, are from an
    /// earlier read and stale).
    public func failure(for key: PodKey) -> KubeError? { failures[key]?.error }

    /// Every pod whose last read failed, why, and when (wall clock); a later success removes it.
    public var failedReads: [PodKey: (error: KubeError, at: Date)] { failures.mapValues { ($0.error, $0.date) } }

    /// The counts now.
    public var progress: ObservationProgress {
        ObservationProgress(
            observed: cache.count, failed: failures.count, queued: queued.count, inFlight: inFlight.count)
    }

    /// New working sets (metrics.k8s.io is read once per refresh).
    public func update(workingSets: [PodKey: Int]) {
        self.workingSets = workingSets
        for (key, entry) in cache {
            cache[key]?.observation.workingSetBytes = workingSets[key] ?? entry.observation.workingSetBytes
        }
    }

    /// Asks for these pods at `priority` (raising the priority of queued ones); fresh ones are skipped.
    public func request(_ keys: [PodKey], priority: ObservationPriority) {
        let now = ContinuousClock.now
        for key in keys {
            if let entry = cache[key], now - entry.at < ttl { continue }
            if let failure = failures[key], now - failure.at < ttl { continue }
            if inFlight[key] != nil { continue }
            if let current = queued[key], current >= priority { continue }
            queued[key] = priority
            buckets[priority.rawValue].append(key)
        }
        pump()
        onEvent(.progress(progress))
    }

    /// Observes every pod (at background priority unless already higher) and waits for all of them.
    ///
    /// - Returns: the observations, sorted by namespace and pod, and the failures.
    public func observeAll(_ keys: [PodKey]) async -> (observations: [ProxyObservation], failures: [PodKey: KubeError]) {
        request(keys, priority: .background)
        let wanted = Set(keys)
        if !isDone(wanted) {
            await withCheckedContinuation { continuation in waiters.append((wanted, continuation)) }
        }
        var found: [ProxyObservation] = []
        var failed: [PodKey: KubeError] = [:]
        for key in keys {
            // A pod whose last read failed is a failure even when older figures are kept (they are stale).
            if let failure = failures[key] { failed[key] = failure.error }
            if let entry = cache[key] { found.append(entry.observation) }
        }
        return (found.sorted { ($0.namespace, $0.pod) < ($1.namespace, $1.pod) }, failed)
    }

    /// The UI's demand: `selected` first, then `visible`, ahead of the background. Pods that were prioritised by
    /// an earlier call and are neither now go back to the background (superseded work is not done first); pods
    /// already being read are left to finish.
    public func prioritize(selected: [PodKey], visible: [PodKey]) {
        let wanted = Set(selected).union(visible)
        for key in prioritized.subtracting(wanted) {
            guard let level = queued[key], level > .background else { continue }
            queued[key] = .background
            buckets[ObservationPriority.background.rawValue].append(key)
        }
        prioritized = wanted
        request(selected, priority: .selected)
        request(visible, priority: .visible)
    }

    /// The priority a pod waits with, `nil` when it is not queued (tests and diagnostics).
    public func queuedPriority(of key: PodKey) -> ObservationPriority? { queued[key] }

    /// The actual cluster names of one sidecar and when they were read (cached for the TTL; concurrent callers
    /// share one port-forward).
    ///
    /// - Throws: ``KubeError``; kind `forbidden` when `pods/portforward` is not permitted (no request is made).
    public func fetchedClusterNames(for key: PodKey) async throws -> (names: [String], fetchedAt: Date) {
        if let cached = names[key], ContinuousClock.now - cached.at < ttl { return (cached.names, cached.date) }
        if let running = namesInFlight[key] {
            let list = try await running.value
            return (list, names[key]?.date ?? Date())
        }
        let task = Task { try await self.readClusterNames(key) }
        namesInFlight[key] = task
        defer { namesInFlight[key] = nil }
        let list = try await task.value
        return (list, names[key]?.date ?? Date())
    }

    /// The actual cluster names of one sidecar (port-forward to Envoy admin), cached for the TTL.
    ///
    /// - Throws: ``KubeError``; kind `forbidden` when `pods/portforward` is not permitted (no request is made).
    public func clusterNames(for key: PodKey) async throws -> [String] {
        try await fetchedClusterNames(for: key).names
    }

    private func readClusterNames(_ key: PodKey) async throws -> [String] {
        if let cached = names[key], ContinuousClock.now - cached.at < ttl { return cached.names }
        if permissions.portForward == .denied {
            var allowed = checker != nil
            for verb in permissions.portForwardVerbs where allowed {
                let answer = await checker?.check(ResourcePath(verb: verb, resource: "pods", subresource: "portforward", namespace: key.namespace))
                allowed = answer == .allowed
            }
            if !allowed {
                throw KubeError(
                    .forbidden,
                    "cluster names: predicted — pods/portforward not permitted in namespace \(key.namespace) (\(permissions.portForwardNeed))")
            }
        }
        let list = try await reader.clusterNames(namespace: key.namespace, pod: key.name)
        names[key] = (list, ContinuousClock.now, Date())
        if var entry = cache[key] {
            entry.observation.clusterNames = list
            cache[key] = entry
        }
        onEvent(.clusterNames(key, list))
        return list
    }

    /// Forgets every observation (a refresh): queued work stays, figures are read again on the next request.
    /// Failures are kept (expired) until the pod is read again: its old figures stay marked stale meanwhile.
    public func invalidate() {
        route.retry()
        for key in cache.keys { cache[key]?.at = ContinuousClock.now - ttl - .seconds(1) }
        for key in failures.keys { failures[key]?.at = ContinuousClock.now - ttl - .seconds(1) }
        names = [:]
        onEvent(.progress(progress))
    }

    /// Cancels everything queued and running; waiters of ``observeAll(_:)`` get what is there.
    public func cancelAll() {
        generation += 1
        for task in inFlight.values { task.cancel() }
        for task in namesInFlight.values { task.cancel() }
        inFlight = [:]
        prioritized = []
        queued = [:]
        buckets = Array(repeating: [], count: buckets.count)
        heads = Array(repeating: 0, count: heads.count)
        let pending = waiters
        waiters = []
        for waiter in pending { waiter.continuation.resume() }
        onEvent(.progress(progress))
    }

    // MARK: Queue

    private func pop() -> PodKey? {
        for level in ObservationPriority.allCases.reversed() {
            let index = level.rawValue
            while heads[index] < buckets[index].count {
                let key = buckets[index][heads[index]]
                heads[index] += 1
                if queued[key] == level {
                    queued[key] = nil
                    compact(index)
                    return key
                }
            }
            compact(index)
        }
        return nil
    }

    private func compact(_ index: Int) {
        if heads[index] > 1024, heads[index] * 2 > buckets[index].count {
            buckets[index].removeFirst(heads[index])
            heads[index] = 0
        }
    }

    private func pump() {
        while inFlight.count < (route.state == .portForward ? concurrency.portForward : concurrency.podProxy), let key = pop() {
            if let stopped = route.stopError {
                // Neither way reaches the sidecars: the rest fail at once with the one reason.
                failures[key] = Failure(error: stopped, at: .now, date: Date())
                onEvent(.failed(key, stopped))
                continue
            }
            let generation = self.generation
            let reader = self.reader
            inFlight[key] = Task {
                let result = await Self.fetch(key, reader: reader, observer: self)
                self.finish(key, result: result, generation: generation)
            }
        }
        resumeWaiters()
    }

    /// The way to read a sidecar's stats now: the path, its time limit, and whether a failed pod-proxy read is
    /// tried again by port-forward.
    fileprivate func plan() -> (path: StatsPath?, timeout: Duration, forwardTimeout: Duration, retries: Bool) {
        let probing = route.state == .probing
        let probe = min(probeTimeout, reader.timeout)
        return (
            route.firstPath, probing ? probe : reader.timeout, route.portForwardWorked ? reader.timeout : probe,
            !probing && !route.portForwardPermitted
        )
    }

    fileprivate func fallsBack(after error: KubeError) -> Bool { route.fallsBack(after: error) }

    /// Takes a read's outcome into the route; a stop fails every read in flight at once with its reason.
    fileprivate func record(_ path: StatsPath, failure: KubeError?) {
        let before = route.state
        route.record(path, failure: failure)
        guard route.state != before else { return }
        if route.state == .stopped, let stopped = route.stopError {
            // The reads in flight are abandoned: their answers (after a timeout, most likely) are not awaited.
            generation += 1
            for (key, task) in inFlight {
                task.cancel()
                failures[key] = Failure(error: stopped, at: .now, date: Date())
                onEvent(.failed(key, stopped))
            }
            inFlight = [:]
        }
        pump()
        onEvent(.progress(progress))
    }

    /// Runs `body` within the port-forward limit.
    fileprivate func withForwardSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if forwardsRunning < concurrency.portForward {
            forwardsRunning += 1
        } else {
            await withCheckedContinuation { forwardWaiters.append($0) }
        }
        defer { releaseForwardSlot() }
        return try await body()
    }

    private func releaseForwardSlot() {
        if forwardWaiters.isEmpty {
            forwardsRunning -= 1
        } else {
            forwardWaiters.removeFirst().resume()
        }
    }

    private func finish(_ key: PodKey, result: Result<ProxyObservation, KubeError>, generation: Int) {
        guard generation == self.generation else { return }
        inFlight[key] = nil
        switch result {
        case .success(var observation):
            observation.workingSetBytes = workingSets[key]
            if let known = names[key] { observation.clusterNames = known.names }
            cache[key] = Entry(observation: observation, at: .now)
            failures[key] = nil
            onEvent(.observed(observation))
        case .failure(let error):
            if error.kind == .cancelled { break }
            failures[key] = Failure(error: error, at: .now, date: Date())
            onEvent(.failed(key, error))
        }
        resumeWaiters()
        pump()
        onEvent(.progress(progress))
    }

    private func isDone(_ keys: Set<PodKey>) -> Bool {
        keys.allSatisfy { queued[$0] == nil && inFlight[$0] == nil }
    }

    private func resumeWaiters() {
        guard !waiters.isEmpty else { return }
        var remaining: [(keys: Set<PodKey>, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in waiters {
            if isDone(waiter.keys) { waiter.continuation.resume() } else { remaining.append(waiter) }
        }
        waiters = remaining
    }

    /// Whether the pod proxy may be used in a namespace (asked once per namespace when cluster-wide was denied).
    fileprivate func podProxyAllowed(in namespace: String) async -> Bool {
        guard permissions.podProxy == .denied else { return true }
        let answer = await checker?.check(ResourcePath(verb: "get", resource: "pods", subresource: "proxy", namespace: namespace))
        return answer == .allowed
    }

    private static func fetch(_ key: PodKey, reader: SidecarReader, observer: SidecarObserver) async -> Result<ProxyObservation, KubeError> {
        let plan = await observer.plan()
        guard let first = plan.path else {
            return .failure(KubeError(.unreachable, "sidecars not read: stopped asking"))
        }
        func observed(_ stats: EnvoyStats, _ path: StatsPath) -> ProxyObservation {
            var observation = ProxyObservation(namespace: key.namespace, pod: key.name, capturedAt: LiveSession.now(), source: path.source)
            stats.apply(to: &observation)
            return observation
        }
        func forward() async -> Result<ProxyObservation, KubeError> {
            do {
                let stats = try await observer.withForwardSlot {
                    try await reader.stats(namespace: key.namespace, pod: key.name, path: .portForward, timeout: plan.forwardTimeout)
                }
                await observer.record(.portForward, failure: nil)
                return .success(observed(stats, .portForward))
            } catch {
                let failure = error as? KubeError ?? KubeError(.badResponse, "\(key): \(error)")
                if failure.kind != .cancelled { await observer.record(.portForward, failure: failure) }
                return .failure(failure)
            }
        }
        if first == .portForward { return await forward() }
        guard await observer.podProxyAllowed(in: key.namespace) else {
            return .failure(KubeError(.forbidden, "memory and cluster counts: not observed — pods/proxy not permitted in namespace \(key.namespace)"))
        }
        do {
            let stats: EnvoyStats
            do {
                stats = try await reader.stats(namespace: key.namespace, pod: key.name, timeout: plan.timeout)
            } catch let error as KubeError where error.kind == .unreachable && plan.retries {
                // One more try a moment later (no port-forward to fall back on): a busy sidecar or proxy may refuse a
                // connection now and then.
                try? await Task.sleep(for: .milliseconds(200))
                stats = try await reader.stats(namespace: key.namespace, pod: key.name)
            }
            await observer.record(.podProxy, failure: nil)
            return .success(observed(stats, .podProxy))
        } catch let error as KubeError {
            guard error.kind != .cancelled else { return .failure(error) }
            await observer.record(.podProxy, failure: error)
            guard await observer.fallsBack(after: error) else { return .failure(error) }
            // The pod network may be closed to the API server: this sidecar by port-forward (through the kubelet).
            switch await forward() {
            case .success(let observation): return .success(observation)
            case .failure(let forwardError):
                if forwardError.kind == .cancelled { return .failure(forwardError) }
                return .failure(
                    KubeError(error.kind, statusCode: error.statusCode, "\(error.message); by port-forward :15090 too: \(forwardError.message)"))
            }
        } catch {
            return .failure(KubeError(.badResponse, "\(key): \(error)"))
        }
    }
}
