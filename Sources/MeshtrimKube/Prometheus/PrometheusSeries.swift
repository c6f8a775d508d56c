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
        guard let root = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], let status = root["status"] as? String else {
            let snippet = String(decoding: body.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            throw PrometheusError(
                .badResponse, statusCode: statusCode,
                "the answer is not Prometheus query API JSON (HTTP \(statusCode): \(snippet.isEmpty ? "empty body" : snippet)); "
                    + "is the URL a Prometheus server (not a Grafana or a UI path)?")
        }
        guard status == "success" else {
            let type = root["errorType"] as? String ?? "error"
            let message = root["error"] as? String ?? "no message"
            throw PrometheusError(.query, statusCode: statusCode, "Prometheus refused the query (\(type)): \(message)")
        }
        guard let data = root["data"] as? [String: Any], let resultType = data["resultType"] as? String,
            let result = data["result"] as? [Any]
        else {
            throw PrometheusError(.badResponse, statusCode: statusCode, "the Prometheus answer has no data.result")
        }
        guard resultType == "vector" else {
            throw PrometheusError(.badResponse, statusCode: statusCode, "expected an instant vector from Prometheus, got \(resultType)")
        }
        return try result.map { element in
            guard let entry = element as? [String: Any], let metric = entry["metric"] as? [String: Any],
                let pair = entry["value"] as? [Any], pair.count == 2, let time = (pair[0] as? NSNumber)?.doubleValue,
                let text = pair[1] as? String
            else {
                throw PrometheusError(.badResponse, statusCode: statusCode, "a Prometheus result element is not {metric, value: [time, \"number\"]}")
            }
            let value: Double
            switch text {
            case "NaN": value = .nan
            case "+Inf": value = .infinity
            case "-Inf": value = -.infinity
            default:
                guard let parsed = Double(text) else {
                    throw PrometheusError(.badResponse, statusCode: statusCode, "a Prometheus sample value is not a number: \(text)")
                }
                value = parsed
            }
            return PrometheusSeries(
                labels: metric.compactMapValues { $0 as? String }, timestamp: Date(timeIntervalSince1970: time), value: value)
        }
    }
}
