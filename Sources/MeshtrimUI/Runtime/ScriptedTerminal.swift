/// A terminal for tests: plays a script of events and records every frame drawn.
///
/// `nil` in the script is a poll that times out (giving posted actions a turn); the events between two `nil`s count
/// as typed ahead, so ``discardTypeahead()`` drops the keys and mouse events up to the next `nil`. When the script
/// is used up the
/// terminal keeps timing out, and after `idleLimit` such polls it sends ctrl-c and sets ``ranOut`` so a test that
/// forgot to quit fails instead of hanging.
public final class ScriptedTerminal: Terminal {
    /// The current size; a scripted resize event changes it.
    public private(set) var size: (width: Int, height: Int)
    /// Every frame drawn, in order.
    public private(set) var frames: [Screen] = []
    /// Whether ``close()`` was called.
    public private(set) var isClosed = false
    /// Whether the script ran out and the terminal sent ctrl-c itself.
    public private(set) var ranOut = false
    /// Events thrown away by ``discardTypeahead()``, in order.
    public private(set) var discarded: [TerminalEvent] = []
    private var script: [TerminalEvent?]
    private var idlePolls = 0
    private let idleLimit: Int

    /// Makes a terminal of `width` × `height` that will play `script`.
    public init(width: Int, height: Int, script: [TerminalEvent?], idleLimit: Int = 200) {
        size = (width, height)
        self.script = script
        self.idleLimit = idleLimit
    }

    /// Keys as a script, in order.
    public convenience init(width: Int, height: Int, keys: [Key], idleLimit: Int = 200) {
        self.init(width: width, height: height, script: keys.map { .key($0) }, idleLimit: idleLimit)
    }

    /// The last frame, if any.
    public var lastFrame: Screen? { frames.last }

    /// Records the frame.
    public func draw(_ screen: Screen) {
        frames.append(screen)
    }

    /// The next scripted event; `nil` for a scripted timeout or when the script is used up.
    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        if !script.isEmpty {
            let next = script.removeFirst()
            if case .resize(let width, let height) = next { size = (width, height) }
            return next
        }
        idlePolls += 1
        if idlePolls > idleLimit {
            ranOut = true
            return .key(.control("c"))
        }
        return nil
    }

    /// Drops the keys and mouse events before the script's next `nil` (resizes stay, as under curses).
    public func discardTypeahead() {
        var kept: [TerminalEvent?] = []
        while let first = script.first, let event = first {
            script.removeFirst()
            if case .resize = event { kept.append(event) } else { discarded.append(event) }
        }
        script.insert(contentsOf: kept, at: 0)
    }

    /// Marks the terminal closed.
    public func close() {
        isClosed = true
    }
}
