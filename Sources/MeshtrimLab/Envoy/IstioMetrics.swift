import Foundation
import MeshtrimCore

/// Istio's standard metrics for one pod, as its sidecar would export them: `istio_requests_total` for HTTP and
/// gRPC destinations, `istio_tcp_connections_opened_total` for TCP ones, all with `reporter="source"`.
///
/// Counts start at the scenario's numbers and grow while the lab runs (each destination gains its initial count per
/// hour, and at least two per second, so every scrape of a Prometheus sees traffic to every destination). Counters
/// live in the pod's Envoy: when that Envoy restarts (a new `envoyPID`) they start again from zero (see
/// ``CounterEpochs``), like a restarted sidecar's.
struct IstioMetrics {
    /// The pod whose sidecar reports.
    var pod: Pod
    /// Where it sends traffic.
    var destinations: [ObservedDestination]
    /// The registry, to find each destination's protocol and name.
    var services: [String: MeshService]
    /// Seconds since the lab started.
    var elapsed: TimeInterval
    /// The lab's counter epochs, which restart a pod's counters when its Envoy restarts (`nil`: never restart).
    var epochs: CounterEpochs? = nil
    /// The process id of the pod's Envoy now.
    var envoyPID: Int32? = nil

    /// Requests per second a destination gains while the lab runs.
    static func rate(_ destination: ObservedDestination) -> Double {
        max(Double(destination.requests) / 3_600, 2)
    }

    /// The Prometheus text, filtered like Envoy filters stats: `filter` is matched against Envoy's internal name
    /// (`reporter=.=source;.;…;.;istio_requests_total`).
    func text(filter: String?) -> String {
        let regex = filter.flatMap { try? NSRegularExpression(pattern: $0) }
        var requests: [String] = []
        var connections: [String] = []
        // Istio's source_workload is the Deployment's name, source_app the app label.
        let workload = EgressRecommender.workloadName(of: pod)
        let app = pod.labels["app"] ?? workload
        let version = pod.labels["version"] ?? "unknown"
        let now = Date()
        let epoch = epochs?.epoch(pod: "\(pod.namespace)/\(pod.name)", pid: envoyPID, now: now)
            ?? CounterEpochs.Epoch(start: now.addingTimeInterval(-elapsed), hasBaseline: true)
        let counting = max(0, now.timeIntervalSince(epoch.start))
        for destination in destinations {
            let service = services[destination.host]
            let httpLike = service.map { service in
                let port = service.ports.first { $0.number == destination.port } ?? service.ports.first
                return ["HTTP", "HTTP2", "GRPC", "GRPC-WEB"].contains(port?.protocol ?? "TCP")
            } ?? true
            let count = (epoch.hasBaseline ? destination.requests : 0) + Int(counting * Self.rate(destination))
            let namespace = destination.namespace ?? service?.namespace ?? "unknown"
            let name = service?.name ?? (destination.host.split(separator: ".").first.map(String.init) ?? destination.host)
            let labels: [(String, String)] = [
                ("reporter", "source"), ("source_workload", workload), ("source_workload_namespace", pod.namespace),
                ("source_principal", "spiffe://cluster.local/ns/\(pod.namespace)/sa/\(app)"), ("source_app", app),
                ("source_version", version), ("source_cluster", "Kubernetes"),
                ("destination_workload", name), ("destination_workload_namespace", namespace),
                ("destination_principal", "spiffe://cluster.local/ns/\(namespace)/sa/\(name)"), ("destination_app", name),
                ("destination_version", "v1"), ("destination_service", destination.host), ("destination_service_name", name),
                ("destination_service_namespace", namespace), ("destination_cluster", "Kubernetes"),
                ("request_protocol", httpLike ? "http" : "tcp"), ("response_code", httpLike ? "200" : "0"),
                ("grpc_response_status", ""), ("response_flags", "-"), ("connection_security_policy", "unknown"),
            ]
            let metric = httpLike ? "istio_requests_total" : "istio_tcp_connections_opened_total"
            let internalName = labels.map { "\($0.0)=.=\($0.1);.;" }.joined() + metric
            if let regex, regex.firstMatch(in: internalName, range: NSRange(internalName.startIndex..., in: internalName)) == nil { continue }
            let line = "\(metric){" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "} \(count)"
            if httpLike { requests.append(line) } else { connections.append(line) }
        }
        var text = ""
        if !requests.isEmpty { text += "# TYPE istio_requests_total counter\n" + requests.joined(separator: "\n") + "\n" }
        if !connections.isEmpty {
            text += "# TYPE istio_tcp_connections_opened_total counter\n" + connections.joined(separator: "\n") + "\n"
        }
        return text
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
