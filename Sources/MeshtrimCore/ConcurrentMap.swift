import Dispatch
import Synchronization

extension Array where Element: Sendable {
    /// `map(transform)`, the elements transformed on all cores (`DispatchQueue.concurrentPerform`), the results in the
    /// array's order: for work that is independent per element (a namespace's scope, a Sidecar's drift), so that the
    /// analysis, `report` and the mesh-wide default's impact share one way of spreading it instead of each its own
    /// lock and result array.
    public func concurrentMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
        let results = Mutex([Result?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { item in
            let made = transform(self[item])
            results.withLock { $0[item] = made }
        }
        // Every slot is filled (concurrentPerform returns after the last iteration); `compactMap` unwraps one level
        // only, so a `Result` that is itself optional keeps its nils.
        return results.withLock { $0.compactMap { $0 } }
    }
}
