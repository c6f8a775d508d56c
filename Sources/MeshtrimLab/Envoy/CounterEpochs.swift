import Foundation
import Synchronization

/// When each sidecar's Istio counters started counting: like a real sidecar's, they live in the Envoy process, so
/// they restart from zero when that Envoy restarts (a crash the fleet recovers from, a killed process).
///
/// The lab's first Envoy of a pod counts from the lab's start, with the scenario's numbers as a baseline (traffic
/// from before the lab "started"); an Envoy with a new process id counts from zero, from when it was first seen.
/// Prometheus scraping the lab therefore sees genuine counter resets, which `increase()` has to handle.
final class CounterEpochs: Sendable {
    /// Where one pod's counters stand.
    struct Epoch: Hashable, Sendable {
        /// When counting started.
        var start: Date
        /// Whether the scenario's numbers are the baseline (the first Envoy) or counting starts at zero (a restart).
        var hasBaseline: Bool
    }

    private let labStart: Date
    private let state = Mutex<[String: (pid: Int32?, epoch: Epoch)]>([:])

    /// Makes a registry for a lab that started at `labStart`.
    init(labStart: Date) {
        self.labStart = labStart
    }

    /// The epoch of `pod` (`namespace/name`) whose Envoy now has process id `pid`.
    func epoch(pod: String, pid: Int32?, now: Date = Date()) -> Epoch {
        state.withLock { known in
            guard let current = known[pod] else {
                let epoch = Epoch(start: labStart, hasBaseline: true)
                known[pod] = (pid, epoch)
                return epoch
            }
            if current.pid == pid || pid == nil { return current.epoch }
            let epoch = Epoch(start: now, hasBaseline: false)
            known[pod] = (pid, epoch)
            return epoch
        }
    }
}
