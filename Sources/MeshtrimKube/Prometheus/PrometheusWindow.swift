import Foundation

/// A PromQL range duration (`7d`, `12h`, `1h30m`, `90s`): how far back a recommendation looks.
public struct PrometheusWindow: Hashable, Sendable, CustomStringConvertible {
    /// The duration as written, used verbatim in the query (`[7d]`).
    public let text: String
    /// The duration in seconds.
    public let seconds: Double

    /// Parses a duration made of `<number><unit>` parts, units `ms`, `s`, `m`, `h`, `d`, `w`, `y` (Prometheus'
    /// own syntax, so the query gets exactly what the person typed).
    ///
    /// - Throws: ``PrometheusError`` of kind `configuration` naming the accepted forms.
    public init(_ text: String) throws {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var total = 0.0
        var parts = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Double(digits) else { break }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { parts = 0; break }
            rest = rest.dropFirst(unit.0.count)
            total += number * unit.1
            parts += 1
        }
        guard parts > 0, rest.isEmpty, total > 0 else {
            throw PrometheusError(.configuration, "--window \"\(text)\" is not a duration; use e.g. 7d, 12h, 1h30m or 90s")
        }
        self.text = text.trimmingCharacters(in: .whitespaces)
        seconds = total
    }

    /// The duration as written.
    public var description: String { text }
}
