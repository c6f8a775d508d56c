import Foundation

/// Runs the UI loop on its own thread and waits for it without blocking the cooperative pool.
///
/// On Linux, async code after the first `await` runs on a small pool of threads (two on a two-core machine);
/// blocking one in `wget_wch` would starve everything else, so the loop gets a plain `Thread`.
public enum UIThread {
    /// Runs `body` on a new thread named `meshtrim-ui` and returns its result when it finishes.
    public static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.name = "meshtrim-ui"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
