import Foundation

/// Reads one pod's whole Envoy config dump the way `istioctl proxy-config clusters` does: `GET /config_dump` on
/// the Envoy admin port 15000 through the API server's port-forward (istioctl's `EnvoyDo`).
///
/// The pod is looked up first, so a mistyped name gives "pod x not found in namespace y" rather than a
/// port-forward failure.
public struct ConfigDumpReader: Sendable {
    /// The admin path istioctl reads for `proxy-config clusters`.
    public static let path = "/config_dump"

    /// The client.
    public var client: KubeClient
    /// Time limit for the port-forward (the client's request timeout).
    public var timeout: Duration

    /// Makes a reader.
    public init(client: KubeClient) {
        self.client = client
        timeout = client.options.requestTimeout
    }

    /// The bytes of the pod's `/config_dump`.
    ///
    /// - Throws: ``KubeError``: `notFound` naming the pod and namespace when there is no such pod, `forbidden`
    ///   without `pods/portforward`, `portForward` when nothing listens on :15000 (no sidecar), `badResponse` when
    ///   Envoy answers with another status than 200.
    public func configDump(namespace: String, pod: String) async throws -> Data {
        let podPath = "/api/v1/namespaces/\(PortForwarder.segment(namespace))/pods/\(PortForwarder.segment(pod))"
        do {
            _ = try await client.send("GET", podPath, maxBytes: 16 << 20)
        } catch let error as KubeError where error.kind == .notFound {
            throw KubeError(.notFound, statusCode: 404, "pod \(pod) not found in namespace \(namespace)")
        }
        let answer = try await PortForwarder(client: client).get(
            namespace: namespace, pod: pod, port: 15000, path: Self.path, timeout: timeout)
        guard answer.status == 200 else {
            throw KubeError(
                .badResponse, statusCode: answer.status,
                "Envoy admin of \(namespace)/\(pod) answered \(answer.status) to GET \(Self.path)")
        }
        return answer.body
    }
}
