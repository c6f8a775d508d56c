import Foundation

/// One element of an instant-vector answer: the series' labels and its value at the evaluation time.
public struct PrometheusSeries: Hashable, Sendable {
    /// The labels (`destination_service`, `source_workload`, …).
    public var labels: [String: String]
    /// When the value holds (the query's evaluation time).
    public var timestamp: Date
    /// The value (`NaN`, `+Inf` possible, as Prometheus sends them).
    public var value: Double

    /// Makes a series.
    public init(labels: [String: String], timestamp: Date, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }

    /// Decodes the body of `/api/v1/query`: `{"status":"success","data":{"resultType":"vector","result":[…]}}`.
    ///
    /// - Throws: ``PrometheusError``: `query` for `"status":"error"` (with Prometheus' own message), `badResponse`
    ///   for anything that is not the query API's JSON or not an instant vector.
    public static func decodeVector(_ body: Data, statusCode: Int = 200) throws -> [PrometheusSeries] {
        let decoder = JSONDecoder()
        guard let answer = try? decoder.decode(QueryAnswer.self, from: body) else {
            let snippet = String(decoding: body.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            throw PrometheusError(
                .badResponse, statusCode: statusCode,
                "the answer is not Prometheus query API JSON (HTTP \(statusCode): \(snippet.isEmpty ? "empty body" : snippet)); "
                    + "is the URL a Prometheus server (not a Grafana or a UI path)?")
        }
        guard answer.status == "success" else {
            throw PrometheusError(
                .query, statusCode: statusCode,
                "Prometheus refused the query (\(answer.errorType ?? "error")): \(answer.error ?? "no message")")
        }
        guard let resultType = answer.data?.resultType else {
            throw PrometheusError(.badResponse, statusCode: statusCode, "the Prometheus answer has no data.result")
        }
        guard resultType == "vector" else {
            throw PrometheusError(.badResponse, statusCode: statusCode, "expected an instant vector from Prometheus, got \(resultType)")
        }
        // The result is decoded only once it is known to be a vector (a matrix's elements have `values`, not `value`).
        let vector: VectorAnswer
        do {
            vector = try decoder.decode(VectorAnswer.self, from: body)
        } catch {
            throw PrometheusError(.badResponse, statusCode: statusCode, "a Prometheus result element is not {metric, value: [time, \"number\"]}")
        }
        return try vector.data.result.map { element in
            let value: Double
            switch element.value.text {
            case "NaN": value = .nan
            case "+Inf": value = .infinity
            case "-Inf": value = -.infinity
            default:
                guard let parsed = Double(element.value.text) else {
                    throw PrometheusError(.badResponse, statusCode: statusCode, "a Prometheus sample value is not a number: \(element.value.text)")
                }
                value = parsed
            }
            return PrometheusSeries(labels: element.metric, timestamp: Date(timeIntervalSince1970: element.value.time), value: value)
        }
    }

    /// The envelope of every query API answer: status, the error of a refused query, the result's type.
    private struct QueryAnswer: Decodable {
        struct Payload: Decodable { var resultType: String }
        var status: String
        var errorType: String?
        var error: String?
        var data: Payload?
    }

    /// An instant vector's elements.
    private struct VectorAnswer: Decodable {
        struct Payload: Decodable { var result: [Element] }
        struct Element: Decodable {
            var metric: [String: String]
            var value: Sample
        }
        /// `[time, "value"]`: seconds since the epoch, and the value as Prometheus writes it (`"NaN"`, `"+Inf"` too).
        struct Sample: Decodable {
            var time: Double
            var text: String

            init(from decoder: Decoder) throws {
                var pair = try decoder.unkeyedContainer()
                time = try pair.decode(Double.self)
                text = try pair.decode(String.self)
                guard pair.isAtEnd else {
                    throw DecodingError.dataCorruptedError(in: pair, debugDescription: "a sample is a [time, value] pair")
                }
            }
        }
        var data: Payload
    }
}
