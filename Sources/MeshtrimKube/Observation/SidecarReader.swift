import Foundation
import MeshtrimCore

/// The way to a sidecar's Envoy stats (:15090).
public enum StatsPath: String, Sendable, Hashable, CaseIterable {
    /// `GET pods/NAME:15090/proxy/…`: the API server dials the pod IP (needs the pod network open to it).
    case podProxy
    /// A WebSocket port-forward to 15090: through the kubelet, not the pod network.
    case portForward

    /// What observations say they came from.
    public var source: String { self == .podProxy ? "pod proxy :15090" : "port-forward :15090" }
}

/// Reads one sidecar's figures: Envoy stats through the pod proxy (or a port-forward when the API server cannot
/// reach pod IPs), cluster names through a port-forward.
public struct SidecarReader: Sendable {
    /// The Envoy stats filter: memory gauges, uptime (since when the traffic counters count), cluster counts and
    /// Istio's request metrics. Envoy matches it against its dotted stat names (RE2, partial match), so the answer
    /// stays a few kilobytes whatever the cluster count.
    public static let statsFilter =
        #"^server\.memory_(allocated|heap_size|physical_size)$|^server\.uptime$|^cluster_manager\.(active|warming)_clusters$|istio_requests_total|istio_tcp_connections_opened_total"#

    /// The admin paths that list a sidecar's cluster names (dynamic, then static), names only.
    public static let clusterNamePaths = [
        "/config_dump?resource=dynamic_active_clusters&mask=cluster.name",
        "/config_dump?resource=static_clusters&mask=cluster.name",
    ]

    /// The client.
    public var client: KubeClient
    /// Time limit per call (the client's request timeout, at most 20 s: a sidecar that slow is reported, not awaited).
    public var timeout: Duration

    /// Makes a reader.
    public init(client: KubeClient) {
        self.client = client
        timeout = min(client.options.requestTimeout, .seconds(20))
    }

    /// `GET /stats/prometheus?filter=…` on :15090, through the pod proxy or a port-forward, parsed.
    ///
    /// - Parameters:
    ///   - path: the way to the Envoy.
    ///   - timeout: the time limit of this read (default ``timeout``).
    /// - Throws: ``KubeError``; a pod whose Envoy does not answer through the pod proxy gives kind `unreachable`
    ///   naming the pod; through a port-forward, kind `portForward` or `timeout`.
    public func stats(namespace: String, pod: String, path: StatsPath = .podProxy, timeout: Duration? = nil) async throws -> EnvoyStats {
        let timeout = timeout ?? self.timeout
        if path == .portForward {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let filter = Self.statsFilter.addingPercentEncoding(withAllowedCharacters: allowed) ?? Self.statsFilter
            let answer = try await PortForwarder(client: client).get(
                namespace: namespace, pod: pod, port: 15090, path: "/stats/prometheus?filter=\(filter)", timeout: timeout)
            guard answer.status == 200 else {
                throw KubeError(.badResponse, statusCode: answer.status, "the Envoy of \(namespace)/\(pod) answered \(answer.status) on :15090 (port-forward)")
            }
            return try Self.parse(answer.body, namespace: namespace, pod: pod)
        }
        let proxyPath = "/api/v1/namespaces/\(PortForwarder.segment(namespace))/pods/\(PortForwarder.segment(pod)):15090/proxy/stats/prometheus"
        do {
            let response = try await client.send(
                "GET", proxyPath, query: [("filter", Self.statsFilter)], accept: "text/plain, */*", timeout: timeout, maxBytes: 64 << 20)
            return try Self.parse(response.body, namespace: namespace, pod: pod)
        } catch let error as KubeError where error.statusCode == 503 || error.statusCode == 502 {
            throw KubeError(
                .unreachable, statusCode: error.statusCode,
                "the Envoy of \(namespace)/\(pod) did not answer through the API server's pod proxy (\(error.statusCode ?? 0): "
                    + "\(Self.serverDetail(error.message)))")
        }
    }

    /// The sidecar's actual cluster names (dynamic active, then static), by port-forward to Envoy admin :15000.
    ///
    /// - Throws: ``KubeError``: `forbidden` without `pods/portforward`, `portForward` when admin does not listen.
    public func clusterNames(namespace: String, pod: String) async throws -> [String] {
        try await clusterNamesWithBytes(namespace: namespace, pod: pod).names
    }

    /// The cluster names and the bytes that crossed the port-forward.
    public func clusterNamesWithBytes(namespace: String, pod: String) async throws -> (names: [String], wireBytes: Int) {
        let answers = try await PortForwarder(client: client).get(
            namespace: namespace, pod: pod, port: 15000, paths: Self.clusterNamePaths, timeout: timeout)
        var names: [String] = []
        for answer in answers {
            guard answer.status == 200 else {
                throw KubeError(.badResponse, statusCode: answer.status, "Envoy admin of \(namespace)/\(pod) answered \(answer.status) to config_dump")
            }
            do {
                names += try EnvoyConfigDump(data: answer.body).clusterNames
            } catch {
                throw KubeError(.badResponse, "the config_dump of \(namespace)/\(pod) could not be read: \(error)")
            }
        }
        return (names, answers.first?.wireBytes ?? 0)
    }

    private static func parse(_ body: Data, namespace: String, pod: String) throws -> EnvoyStats {
        let stats = EnvoyStats(prometheusText: String(decoding: body, as: UTF8.self))
        guard stats.activeClusters != nil || stats.memoryAllocatedBytes != nil else {
            throw KubeError(.badResponse, "the stats of \(namespace)/\(pod) hold no Envoy figures (is :15090 Envoy's Prometheus port?)")
        }
        return stats
    }

    static func serverDetail(_ message: String) -> String {
        guard let range = message.range(of: "answered ") else { return message }
        return String(message[range.upperBound...])
    }
}
