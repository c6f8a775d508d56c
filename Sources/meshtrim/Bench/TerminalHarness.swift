import Foundation
import MeshtrimProcess

/// The bench's pseudo-terminal harness: a shell command run under `script` (util-linux) as a person's terminal
/// would run it, timed from the spawn until a marker shows in its output, then ended with `q`.
///
/// The child is a ``SpawnedProcess`` with a pipe for standard input (the `q`), `TERM` kept (or `xterm-256color`) and
/// `LANG=C.UTF-8`. After the `q` the run ends by itself, so `script` reaps the program and its CPU time counts in
/// `RUSAGE_CHILDREN`; a run still going after `patience` gets SIGTERM, then SIGKILL 5 s later.
enum TerminalHarness {
    /// One run until the marker.
    struct Run {
        /// Milliseconds from the spawn until the marker was in the output.
        var wallMilliseconds: Double
        /// The largest `VmHWM` among `script`'s descendants (the program, not the harness) sampled every 2 ms until
        /// then; 0 unless sampling was asked for.
        var peakResidentBytes: Int
    }

    /// Runs `command` until `marker` shows.
    ///
    /// - Throws: ``BenchError`` when the command ends before the marker or does not show it within `timeout`, with the
    ///   end of its output; ``ProcessError`` when `script` cannot be started.
    static func run(
        _ command: String, until marker: String, timeout: Duration, patience: Duration = .seconds(3), samplesPeak: Bool = false
    ) throws -> Run {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-bench-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let term = ProcessInfo.processInfo.environment["TERM"].flatMap { $0.isEmpty || $0 == "dumb" ? nil : $0 } ?? "xterm-256color"
        // Writing "q" to a harness that has already exited must not kill the benchmark.
        signal(SIGPIPE, SIG_IGN)
        let clock = ContinuousClock()
        let start = clock.now
        let process = try SpawnedProcess.spawn(
            ProcessOptions(
                ["/usr/bin/script", "-qfec", command, log.path], environment: .inherit(changing: ["TERM": term, "LANG": "C.UTF-8"]),
                standardInput: .pipe, standardOutput: .null, standardError: .null))
        let input = process.standardInput
        func finish() {
            try? input?.write(contentsOf: Data("q".utf8))
            _ = try? process.wait(timeout: patience, grace: .seconds(5))
            try? input?.close()
        }
        let needle = Data(marker.utf8)
        var peak = 0
        let deadline = start + timeout
        while clock.now < deadline {
            // Read the log after checking whether the run is still going: a run that printed the marker and ended
            // in between still counts.
            let ended = !process.isRunning
            if samplesPeak { peak = max(peak, descendantsPeak(of: process.pid)) }
            if let data = try? Data(contentsOf: log), data.range(of: needle) != nil {
                let elapsed = (clock.now - start).components
                let wall = Double(elapsed.seconds) * 1_000 + Double(elapsed.attoseconds) / 1e15
                if samplesPeak { peak = max(peak, descendantsPeak(of: process.pid)) }
                finish()
                return Run(wallMilliseconds: wall, peakResidentBytes: peak)
            }
            if ended {
                finish()
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw BenchError("`\(command)` exited before showing \"\(marker)\": \(output.suffix(300))")
            }
            usleep(2_000)
        }
        finish()
        throw BenchError("`\(command)` did not show \"\(marker)\" within \(timeout)")
    }

    /// The largest `VmHWM` (bytes) among the descendants of `pid` (0 when `/proc` tells nothing).
    static func descendantsPeak(of pid: Int32) -> Int {
        var peak = 0
        var pending = children(of: pid)
        while let child = pending.popLast() {
            peak = max(peak, highWaterMark(of: child))
            pending += children(of: child)
        }
        return peak
    }

    private static func children(of pid: Int32) -> [Int32] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    private static func highWaterMark(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kilobytes * 1_024
    }

    /// `text` quoted for `sh`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
