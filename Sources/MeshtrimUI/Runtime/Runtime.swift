/// The UI loop: waits up to 50 ms for a terminal event, drains the inbox, reduces, hands effects to the effect
/// handler, and draws only when the state changed; when a frame shows a new question it discards typeahead.
///
/// Generic over ``Terminal`` so tests run it against ``ScriptedTerminal``. It is synchronous and owns the terminal:
/// run it on one dedicated thread (``UIThread``), never on the cooperative pool.
public final class Runtime<T: Terminal> {
    /// The current state.
    public private(set) var state: AppState
    /// Where background work posts actions.
    public let inbox: Inbox
    /// Frames drawn so far.
    public private(set) var framesDrawn = 0
    private let terminal: T
    private let effectHandler: (Effect) -> Void
    private let pollMilliseconds: Int

    /// Makes a runtime.
    ///
    /// - Parameters:
    ///   - state: the initial state (usually loading).
    ///   - terminal: the terminal, used only from the thread that calls ``run()``.
    ///   - inbox: where background work posts actions.
    ///   - pollMilliseconds: how long one wait for input lasts (also the inbox's latency).
    ///   - effectHandler: performs effects (writes, timers); called on the UI thread, so it must not block.
    public init(
        state: AppState, terminal: T, inbox: Inbox = Inbox(), pollMilliseconds: Int = 50,
        effectHandler: @escaping (Effect) -> Void
    ) {
        self.state = state
        self.terminal = terminal
        self.inbox = inbox
        self.pollMilliseconds = pollMilliseconds
        self.effectHandler = effectHandler
    }

    /// Runs until the state says quit; returns the final state. Does not close the terminal.
    @discardableResult
    public func run() -> AppState {
        let size = terminal.size
        if size.width != state.width || size.height != state.height {
            dispatch(.resize(width: size.width, height: size.height))
        }
        var drawn: AppState?
        while !state.isQuitting {
            if state != drawn {
                terminal.draw(render(state))
                framesDrawn += 1
                // A question takes only keys pressed after it was on screen. Keys already waiting now were typed
                // while the screen below it was showing (`a`, `y` there are apply keys): answering with them would
                // be a decision the user never saw. Dropping them is safe because answering needs a deliberate
                // key and the default is No; a per-key sequence number would need the terminal to timestamp
                // input, which curses cannot. The draw completed before this (the terminal never skips a frame
                // for pending input), so the question is visible when the first key that can answer it is read.
                if let question = state.visibleQuestion, question != drawn?.visibleQuestion {
                    terminal.discardTypeahead()
                }
                drawn = state
            }
            if let event = terminal.nextEvent(timeoutMilliseconds: pollMilliseconds) {
                dispatch(Action(event))
            }
            for action in inbox.drain() where !state.isQuitting {
                dispatch(action)
            }
        }
        return state
    }

    /// Reduces one action and hands its effects on.
    private func dispatch(_ action: Action) {
        for effect in reduce(&state, action) {
            effectHandler(effect)
        }
    }
}
