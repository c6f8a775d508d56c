import Foundation

/// Startup to the first frame with data, measured on the real binary in a pseudo-terminal (`script`).
///
/// The clock runs from spawning `meshtrim --demo` until the namespaces table (its SAVING column) is on screen;
/// the peer is the same harness running `printf` (what the harness itself costs).
enum StartupBenchmark {
    static func run(quick: Bool) throws -> [BenchResult] {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw BenchError("startup benchmark needs `script` (util-linux): apt-get install bsdutils")
        }
        let binary = MeasuredProcess.meshtrimBinary
        let runs = quick ? 3 : 10
        var meshtrim: [Double] = []
        var baseline: [Double] = []
        for _ in 0..<runs {
            meshtrim.append(try timeUntil("SAVING", command: "\(shellQuoted(binary)) --demo --no-color"))
            baseline.append(try timeUntil("SAVING", command: "printf 'SAVING\\n'; sleep 5"))
        }
        meshtrim.sort()
        baseline.sort()
        let median = Stopwatch.percentile(meshtrim, 0.5)
        return [
            BenchResult(
                name: "startup-to-first-frame (demo, real binary)", value: median, unit: "ms",
                peer: "the pty harness printing the same text", peerValue: Stopwatch.percentile(baseline, 0.5),
                budget: "< 150 ms", passed: median < 150)
        ]
    }

    /// Milliseconds from spawning `command` in a pty until `marker` shows up in its output.
    static func timeUntil(_ marker: String, command: String) throws -> Double {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-bench-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, log.path]
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = environment["TERM"].flatMap { $0.isEmpty || $0 == "dumb" ? nil : $0 } ?? "xterm-256color"
        environment["LANG"] = "C.UTF-8"
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Writing "q" to a harness that has already exited must not kill the benchmark.
        signal(SIGPIPE, SIG_IGN)
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        defer {
            try? input.fileHandleForWriting.write(contentsOf: Data("q".utf8))
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let deadline = start + .seconds(20)
        let needle = Data(marker.utf8)
        while clock.now < deadline {
            if let data = try? Data(contentsOf: log), data.range(of: needle) != nil {
                let elapsed = (clock.now - start).components
                return Double(elapsed.seconds) * 1_000 + Double(elapsed.attoseconds) / 1e15
            }
            if !process.isRunning {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw BenchError("`\(command)` exited before showing \"\(marker)\": \(output.suffix(300))")
            }
            usleep(2_000)
        }
        throw BenchError("`\(command)` did not show \"\(marker)\" within 20 s")
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
