import Synchronization

/// Where background work posts actions for the UI thread: a `Mutex`-protected queue, drained once per loop turn.
public final class Inbox: Sendable {
    private let actions = Mutex<[Action]>([])

    /// Makes an empty inbox.
    public init() {}

    /// Queues an action (any thread).
    public func post(_ action: Action) {
        actions.withLock { $0.append(action) }
    }

    /// Takes every queued action, oldest first.
    public func drain() -> [Action] {
        actions.withLock { queued in
            let taken = queued
            queued.removeAll(keepingCapacity: true)
            return taken
        }
    }
}
