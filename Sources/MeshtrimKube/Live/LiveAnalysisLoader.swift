import Foundation
import MeshtrimCore

/// Builds a ``MeshAnalysis`` from a live cluster: the same analysis `--snapshot` and `--manifests` give, with the
/// sidecars' real figures.
public enum LiveAnalysisLoader {
    /// Captures the cluster (inventory and observations) and analyses it.
    ///
    /// - Parameters:
    ///   - namespaces: only these namespaces' pods; `nil` for all.
    ///   - istioVersion: the version to model, overriding the cluster's.
    /// - Throws: ``KubeError`` when the inventory cannot be read.
    public static func load(
        session: LiveSession, namespaces: [String]? = nil, clusterNames: Bool = false, istioVersion: IstioVersion? = nil,
        concurrency: Int = 16, portForwardConcurrency: Int = 8, progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> (analysis: MeshAnalysis, capture: LiveCapture) {
        let capture = try await session.capture(
            namespaces: namespaces, clusterNames: clusterNames, concurrency: concurrency, portForwardConcurrency: portForwardConcurrency,
            progress: progress)
        let analysis = MeshAnalysis(snapshot: capture.snapshot, source: session.sourceDescription, istioVersion: istioVersion)
        return (analysis, capture)
    }

    /// Opens the context (`--kubeconfig`, `--context`, else the current one), captures it and closes it.
    public static func load(
        kubeconfig: String?, context: String?, namespaces: [String]? = nil, clusterNames: Bool = false,
        istioVersion: IstioVersion? = nil, options: KubeClient.Options = KubeClient.Options(),
        concurrency: Int = 16, portForwardConcurrency: Int = 8, progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> (analysis: MeshAnalysis, capture: LiveCapture) {
        let session = try await LiveSession.open(kubeconfig: kubeconfig, context: context, options: options)
        do {
            let result = try await load(
                session: session, namespaces: namespaces, clusterNames: clusterNames, istioVersion: istioVersion,
                concurrency: concurrency, portForwardConcurrency: portForwardConcurrency, progress: progress)
            await session.shutdown()
            return result
        } catch {
            await session.shutdown()
            throw error
        }
    }

    /// One line per sidecar failure (at most `limit`, then a count), for stderr.
    public static func failureLines(_ failures: [PodKey: KubeError], limit: Int = 5) -> [String] {
        let sorted = failures.sorted { $0.key < $1.key }
        var lines = sorted.prefix(limit).map { "\($0.key): \($0.value.message)" }
        if sorted.count > limit { lines.append("… and \(sorted.count - limit) more") }
        return lines
    }
}
