/// A parsed Prometheus text exposition (format 0.0.4), as Envoy's `/stats/prometheus` and pilot-agent's merged
/// `:15020/stats/prometheus` emit it.
///
/// Reads `# HELP` / `# TYPE` lines, samples with or without labels (`envoy_x{} 11` included), escaped label values,
/// histogram `_bucket{le="…"}` / `_sum` / `_count` series, `NaN` / `±Inf` values and timestamps. A line that can't
/// be read is skipped and reported in ``problems``; parsing never fails. Linear in the input size.
public struct PrometheusText: Sendable {
    /// Every sample, in input order.
    public var samples: [PrometheusSample]
    /// `# TYPE` by metric family name.
    public var types: [String: PrometheusMetricType]
    /// `# HELP` text (unescaped) by metric family name.
    public var help: [String: String]
    /// Lines that were skipped, and why.
    public var problems: [PrometheusParseProblem]

    /// Parses exposition text.
    ///
    /// - Parameter isIncluded: Called with each sample's metric name before its labels are read; return false to
    ///   skip the sample cheaply (unfiltered Envoy output reaches tens of megabytes).
    public init(parsing text: String, where isIncluded: (String) -> Bool = { _ in true }) {
        samples = []
        types = [:]
        help = [:]
        problems = []
        var copy = text
        copy.withUTF8 { buffer in
            var lineNumber = 0
            var lineStart = 0
            while lineStart < buffer.count {
                var lineEnd = lineStart
                while lineEnd < buffer.count, buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                lineNumber += 1
                var line = PrometheusLineReader(buffer: buffer, start: lineStart, end: lineEnd)
                line.trimCarriageReturn()
                read(&line, number: lineNumber, isIncluded: isIncluded)
                lineStart = lineEnd + 1
            }
        }
    }

    /// The samples with this exact name.
    public func samples(named name: String) -> [PrometheusSample] {
        samples.filter { $0.name == name }
    }

    /// The first sample with this exact name, preferring one without labels.
    public func firstSample(named name: String) -> PrometheusSample? {
        var first: PrometheusSample?
        for sample in samples where sample.name == name {
            if sample.labels.isEmpty { return sample }
            if first == nil { first = sample }
        }
        return first
    }

    /// The declared type of the family a sample name belongs to (`x_bucket`, `x_sum` and `x_count` belong to a
    /// histogram or summary `x`).
    public func type(ofSampleNamed name: String) -> PrometheusMetricType? {
        if let type = types[name] { return type }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            if let type = types[String(name.dropLast(suffix.count))], type == .histogram || type == .summary {
                return type
            }
        }
        return nil
    }

    private mutating func read(_ line: inout PrometheusLineReader, number: Int, isIncluded: (String) -> Bool) {
        line.skipBlanks()
        guard !line.isAtEnd else { return }
        if line.peek == UInt8(ascii: "#") {
            readComment(&line, number: number)
            return
        }
        guard let name = line.readMetricName() else {
            report(line, number: number, reason: "not a metric name")
            return
        }
        guard isIncluded(name) else { return }
        var labels: [String: String] = [:]
        line.skipBlanks()
        if line.peek == UInt8(ascii: "{") {
            switch line.readLabels() {
            case .success(let read): labels = read
            case .failure(let problem):
                report(line, number: number, reason: problem.reason)
                return
            }
        }
        line.skipBlanks()
        guard let valueText = line.readToken() else {
            report(line, number: number, reason: "missing value")
            return
        }
        guard let value = Double(valueText) else {
            report(line, number: number, reason: "value \"\(valueText)\" is not a number")
            return
        }
        line.skipBlanks()
        var timestamp: Int64?
        if let timestampText = line.readToken() {
            guard let parsed = Int64(timestampText) else {
                report(line, number: number, reason: "timestamp \"\(timestampText)\" is not an integer")
                return
            }
            timestamp = parsed
            line.skipBlanks()
        }
        guard line.isAtEnd else {
            report(line, number: number, reason: "unexpected text after the value")
            return
        }
        samples.append(PrometheusSample(name: name, labels: labels, value: value, timestamp: timestamp))
    }

    private mutating func readComment(_ line: inout PrometheusLineReader, number: Int) {
        line.advance()  // #
        line.skipBlanks()
        let keyword = line.readToken()
        guard keyword == "HELP" || keyword == "TYPE" else { return }  // an ordinary comment
        line.skipBlanks()
        guard let family = line.readMetricName() else {
            report(line, number: number, reason: "# \(keyword ?? "") without a metric name")
            return
        }
        line.skipBlanks()
        let rest = line.remainder
        if keyword == "HELP" {
            help[family] = Self.unescapeHelp(rest)
        } else if let type = PrometheusMetricType(rawValue: rest.trimmingTrailingBlanks()) {
            types[family] = type
        } else {
            report(line, number: number, reason: "unknown metric type \"\(rest)\"")
        }
    }

    private mutating func report(_ line: PrometheusLineReader, number: Int, reason: String) {
        problems.append(PrometheusParseProblem(line: number, reason: reason, text: String(line.wholeLine.prefix(200))))
    }

    private static func unescapeHelp(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "\\": result.append("\\")
                default: result.append("\\"); result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        if escaping { result.append("\\") }
        return result
    }
}

extension String {
    fileprivate func trimmingTrailingBlanks() -> String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
