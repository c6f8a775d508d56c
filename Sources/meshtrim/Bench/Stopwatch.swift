/// Repeats a piece of work and reports percentiles in milliseconds (for `meshtrim bench`, never for tests).
enum Stopwatch {
    /// Milliseconds of one run of `body`.
    static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        return milliseconds(clock.now - start)
    }

    /// A duration in milliseconds.
    static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1_000 + Double(parts.attoseconds) / 1e15
    }

    /// Milliseconds of one run of an asynchronous `body`, and its value.
    static func measure<Value>(_ body: () async throws -> Value) async rethrows -> (value: Value, milliseconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await body()
        return (value, milliseconds(clock.now - start))
    }

    /// Runs `body` `runs` times after `warmUp` unmeasured runs; returns the sorted samples in milliseconds.
    static func samples(runs: Int, warmUp: Int = 2, _ body: (Int) throws -> Void) rethrows -> [Double] {
        for index in 0..<warmUp { try body(index) }
        var samples: [Double] = []
        samples.reserveCapacity(runs)
        for index in 0..<runs { samples.append(try milliseconds { try body(index) }) }
        return samples.sorted()
    }

    /// The `fraction` percentile (0.5 = median) of sorted samples.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * fraction).rounded())))
        return sorted[index]
    }
}
