/// One sample line of the Prometheus text exposition format: `name{label="value",…} value [timestamp]`.
public struct PrometheusSample: Hashable, Sendable {
    /// The metric name as written, suffix included (`envoy_x_bucket`, `istio_requests_total`).
    public var name: String
    /// The labels, unescaped (`\\`, `\"`, `\n`). A repeated label name keeps its last value.
    public var labels: [String: String]
    /// The value (`NaN`, `+Inf` and `-Inf` included).
    public var value: Double
    /// The optional timestamp, milliseconds since the Unix epoch.
    public var timestamp: Int64?

    /// Makes a sample.
    public init(name: String, labels: [String: String] = [:], value: Double, timestamp: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// The value of a label, when present.
    public subscript(label name: String) -> String? { labels[name] }

    /// The value as an integer, when it is finite and fits (rounded to the nearest integer).
    public var integerValue: Int? { Self.integer(value) }

    /// `value` rounded to an `Int`, or nil when it is NaN, infinite or out of range.
    static func integer(_ value: Double) -> Int? {
        guard value.isFinite else { return nil }
        let rounded = value.rounded()
        guard rounded >= -9.2e18 && rounded <= 9.2e18 else { return nil }
        return Int(rounded)
    }
}

/// The `# TYPE` of a metric family.
public enum PrometheusMetricType: String, Hashable, Sendable, CaseIterable {
    /// A monotonically increasing count.
    case counter
    /// A value that goes up and down.
    case gauge
    /// Buckets (`_bucket{le=…}`), `_sum` and `_count`.
    case histogram
    /// Quantiles (`{quantile=…}`), `_sum` and `_count`.
    case summary
    /// No type given.
    case untyped
}

/// A line of Prometheus text that could not be read, kept so the caller can say what was skipped.
public struct PrometheusParseProblem: Hashable, Sendable, CustomStringConvertible {
    /// One-based line number.
    public var line: Int
    /// Why the line was skipped.
    public var reason: String
    /// The line (at most 200 characters of it).
    public var text: String

    /// Makes a problem report.
    public init(line: Int, reason: String, text: String) {
        self.line = line
        self.reason = reason
        self.text = text
    }

    /// `line 12: <reason>: <text>`.
    public var description: String { "line \(line): \(reason): \(text)" }
}
