import MeshtrimCore

/// Two figures of one lab sidecar's Envoy, read through the API server's pod proxy like Prometheus would: how many
/// clusters it holds and how many bytes it has allocated.
public struct EnvoySample: Equatable, Sendable {
    /// `envoy_cluster_manager_active_clusters` (-1 when missing).
    public var clusters: Int
    /// `envoy_server_memory_allocated` in bytes (-1 when missing); Envoy refreshes it on its stats flush (every second in the lab).
    public var allocated: Int
}

extension TestLab {
    /// Reads ``EnvoySample`` for the sidecar of pod `namespace/pod` (`kubectl get --raw` on its `:15090` stats).
    ///
    /// - Throws: ``TestLabError`` with kubectl's message when the pod proxy fails.
    public func envoySample(namespace: String, pod: String) throws -> EnvoySample {
        let path = "/api/v1/namespaces/\(namespace)/pods/\(pod):15090/proxy/stats/prometheus"
            + "?filter=%5Ecluster_manager%5C.active_clusters%7C%5Eserver%5C.memory_allocated"
        let raw = try kubectl(["get", "--raw", path])
        guard raw.exitCode == 0 else { throw TestLabError("pod proxy failed: \(raw.stderr)") }
        let stats = PrometheusText(parsing: raw.stdout)
        return EnvoySample(
            clusters: stats.firstSample(named: "envoy_cluster_manager_active_clusters")?.integerValue ?? -1,
            allocated: stats.firstSample(named: "envoy_server_memory_allocated")?.integerValue ?? -1)
    }
}

extension TestLab {
    /// Samples the sidecar of `namespace/pod` until it holds `clusters` active clusters and then until its allocated
    /// bytes fall below `before`'s (Envoy refreshes `server.memory_allocated` on its stats flush, every second in the lab), or
    /// until `timeout` passes; returns the last sample, for the caller to check.
    ///
    /// - Throws: ``TestLabError`` when the pod proxy fails.
    public func envoySampleAfterTrim(
        namespace: String, pod: String, clusters: Int, before: EnvoySample, timeout: Duration = .seconds(60)
    ) async throws -> EnvoySample {
        var after = try envoySample(namespace: namespace, pod: pod)
        let deadline = ContinuousClock.now + timeout
        while after.clusters != clusters && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            after = try envoySample(namespace: namespace, pod: pod)
        }
        while after.allocated >= before.allocated && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            after = try envoySample(namespace: namespace, pod: pod)
        }
        return after
    }
}
