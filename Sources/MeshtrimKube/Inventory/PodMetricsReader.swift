import Foundation
import MeshtrimCore

/// The `istio-proxy` containers' working sets from `metrics.k8s.io` (metrics-server).
public struct ProxyWorkingSets: Sendable {
    /// Bytes by pod.
    public var bytes: [PodKey: Int]
    /// Why there are none, when there are none (`metrics-server is not installed`).
    public var note: String?
}

/// Reads PodMetrics, cluster-wide or per namespace.
public struct PodMetricsReader: Sendable {
    /// The client.
    public var client: KubeClient

    /// Makes a reader.
    public init(client: KubeClient) { self.client = client }

    /// The working set of every `istio-proxy` container (native sidecars included when metrics-server reports them).
    ///
    /// Never throws: a missing metrics-server (404 or 503) or a refused list becomes ``ProxyWorkingSets/note``.
    public func read(namespaces: [String]? = nil) async -> ProxyWorkingSets {
        let base = "/apis/metrics.k8s.io/v1beta1"
        var result = ProxyWorkingSets(bytes: [:], note: nil)
        let paths = namespaces.map { $0.map { "\(base)/namespaces/\($0)/pods" } } ?? ["\(base)/pods"]
        for path in paths {
            do {
                let pages = try await client.listPages(path, pageSize: 2000)
                for page in pages.pages { Self.add(page, to: &result.bytes) }
            } catch let error as KubeError {
                switch error.kind {
                case .notFound,
                    .server where error.statusCode == 503:
                    return ProxyWorkingSets(bytes: [:], note: "working set: metrics-server is not installed or not ready (metrics.k8s.io answered \(error.statusCode ?? 0))")
                case .forbidden:
                    if namespaces == nil, path == "\(base)/pods" {
                        // Cluster-wide refused: the caller may retry per namespace.
                        return ProxyWorkingSets(bytes: [:], note: "working set: listing pods.metrics.k8s.io in all namespaces is not permitted")
                    }
                    result.note = "working set: pods.metrics.k8s.io not permitted in some namespaces"
                default:
                    result.note = "working set: \(error.message)"
                }
            } catch {
                result.note = "working set: \(error)"
            }
        }
        return result
    }

    static func add(_ page: Data, to bytes: inout [PodKey: Int]) {
        struct List: Decodable {
            struct Item: Decodable {
                struct Meta: Decodable {
                    var name: String
                    var namespace: String?
                }
                struct Container: Decodable {
                    var name: String
                    var usage: [String: String]?
                }
                var metadata: Meta
                var containers: [Container]?
            }
            var items: [Item]?
        }
        guard let list = try? JSONDecoder().decode(List.self, from: page) else { return }
        for item in list.items ?? [] {
            guard let proxy = item.containers?.first(where: { $0.name == "istio-proxy" }), let memory = proxy.usage?["memory"],
                let value = Quantity.bytes(memory)
            else { continue }
            bytes[PodKey(namespace: item.metadata.namespace ?? "", name: item.metadata.name)] = value
        }
    }
}
