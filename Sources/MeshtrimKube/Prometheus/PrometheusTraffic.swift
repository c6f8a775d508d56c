import Foundation
import MeshtrimCore

/// Reads a namespace's outbound traffic over a window from Prometheus: Istio's `istio_requests_total` and
/// `istio_tcp_connections_opened_total` with `reporter="source"`, `increase()`d over the window (so counter resets
/// from restarted pods are handled by Prometheus) and summed per source workload and destination service.
public struct PrometheusTraffic: Sendable {
    /// The labels the queries keep.
    public static let groupingLabels = [
        "source_workload_namespace", "source_workload", "destination_service", "destination_service_namespace",
        "destination_service_name",
    ]

    /// The client.
    public var client: PrometheusClient
    /// How far back to look.
    public var window: PrometheusWindow

    /// Makes a reader.
    public init(client: PrometheusClient, window: PrometheusWindow) {
        self.client = client
        self.window = window
    }

    /// The PromQL for one metric and namespace:
    /// `sum by (…) (increase(metric{reporter="source", source_workload_namespace="NS"}[7d]))`.
    public static func query(metric: String, namespace: String, window: PrometheusWindow) -> String {
        let escaped = namespace.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "sum by (\(groupingLabels.joined(separator: ", "))) "
            + "(increase(\(metric){reporter=\"source\", source_workload_namespace=\"\(escaped)\"}[\(window.text)]))"
    }

    /// The PromQL for when each (source workload, destination) pair last had traffic in the window: the last step
    /// of a subquery at which the counter increased, `step` apart (the window / 500, at least 5 s; steps are aligned
    /// to multiples of it, so a pair seen only since the last step has none yet).
    public static func lastSeenQuery(metric: String, namespace: String, window: PrometheusWindow) -> String {
        let escaped = namespace.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let step = max(5, Int((window.seconds / 500).rounded(.up)))
        let labels = groupingLabels.joined(separator: ", ")
        return "max by (\(labels)) (max_over_time((timestamp(sum by (\(labels)) "
            + "(increase(\(metric){reporter=\"source\", source_workload_namespace=\"\(escaped)\"}[\(max(60, step * 2))s])) > 0))"
            + "[\(window.text):\(step)s]))"
    }

    /// The traffic evidence for `namespace`, source workloads mapped to pods by `recommender`.
    ///
    /// - Parameter time: the window's end (default: now).
    /// - Throws: ``PrometheusError``.
    public func evidence(namespace: String, recommender: EgressRecommender, at time: Date = Date()) async throws -> TrafficEvidence {
        var records: [TrafficRecord] = []
        let since = time.addingTimeInterval(-window.seconds)
        var podsByWorkload: [String: [String]] = [:]
        for metric in ["istio_requests_total", "istio_tcp_connections_opened_total"] {
            let series = try await client.query(Self.query(metric: metric, namespace: namespace, window: window), at: time)
            var lastSeen: [[String: String]: Date] = [:]
            if !series.isEmpty {
                let query = Self.lastSeenQuery(metric: metric, namespace: namespace, window: window)
                for entry in try await client.query(query, at: time) where entry.value.isFinite {
                    lastSeen[entry.labels] = Date(timeIntervalSince1970: entry.value)
                }
            }
            for entry in series {
                guard let host = entry.labels["destination_service"], !host.isEmpty, entry.value.isFinite else { continue }
                let count = Int(entry.value.rounded())
                guard count > 0 else { continue }
                let workload = entry.labels["source_workload"] ?? "unknown"
                let pods = podsByWorkload[workload] ?? recommender.pods(namespace: namespace, workload: workload)
                podsByWorkload[workload] = pods
                let serviceNamespace = entry.labels["destination_service_namespace"].flatMap { $0.isEmpty ? nil : $0 }
                let name = entry.labels["destination_service_name"].flatMap { $0.isEmpty ? nil : $0 }
                records.append(
                    TrafficRecord(
                        sourceNamespace: namespace, sourcePods: pods, sourceWorkload: workload,
                        destination: ObservedDestination(
                            host: host, namespace: serviceNamespace, requests: count,
                            serviceName: name.flatMap { ObservedDestination.unknownServiceNames.contains($0) ? $0 : nil },
                            lastSeen: lastSeen[entry.labels]),
                        countedSince: since))
            }
        }
        return TrafficEvidence(records: records, source: "prometheus \(client.baseURL)", window: window.text)
    }
}
