import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimKube

/// `meshtrim clusters POD`: the live pod's Envoy through a port-forward, and the scope engine's view of the pod
/// (`--predicted`, `--why`) from the inventory alone.
extension ClustersCommand {
    /// What the scope engine says about one pod: its scope and, per cluster name, why the cluster exists.
    struct PodScope {
        var scope: SidecarScope
        var reasons: [String: String]
    }

    /// Reads the pod's `/config_dump` as istioctl does and prints its clusters (with reasons under `--why`).
    func runLive() async throws {
        guard let argument = pod else { throw RuntimeError("no POD given") }
        let session = try await openSession()
        do {
            let (pod, namespace) = Self.target(argument, namespace: self.namespace, defaultNamespace: session.access.namespace)
            let data = try await ConfigDumpReader(client: session.client).configDump(namespace: namespace, pod: pod)
            let reasons = why ? try await podScope(session: session, namespace: namespace, pod: pod).reasons : nil
            await session.shutdown()
            try printDump(data, name: "the config dump of \(namespace)/\(pod)", reasons: reasons)
        } catch {
            await session.shutdown()
            throw error
        }
    }

    /// Prints the clusters istiod would send to the pod, from the inventory only.
    func runPredicted() async throws {
        let scope = try await loadScope()
        let rows = scope.scope.clusters.map(IstioctlClusterRow.init)
        print(why ? table.render(rows: rows, reasons: scope.reasons) : table.render(rows: rows), terminator: "")
    }

    /// The pod's scope from the chosen source: the live cluster's inventory (no sidecar is contacted), else the
    /// demo, snapshot or manifests.
    func loadScope() async throws -> PodScope {
        guard let argument = pod else { throw RuntimeError("no POD given") }
        guard source.isLive else {
            let (pod, namespace) = Self.target(argument, namespace: self.namespace, defaultNamespace: "default")
            let analysis = try await source.analysis(namespaces: [namespace])
            return try Self.podScope(engine: analysis.engine, namespace: namespace, pod: pod, sourceName: analysis.source)
        }
        let session = try await openSession()
        do {
            let (pod, namespace) = Self.target(argument, namespace: self.namespace, defaultNamespace: session.access.namespace)
            let result = try await podScope(session: session, namespace: namespace, pod: pod)
            await session.shutdown()
            return result
        } catch {
            await session.shutdown()
            throw error
        }
    }

    /// The pod and namespace of `POD[.NAMESPACE]`, as istioctl reads them: the text after the last `.` is the
    /// namespace and wins over `-n`; else `-n`, else `defaultNamespace` (the context's, or `default`).
    static func target(_ argument: String, namespace: String?, defaultNamespace: String) -> (pod: String, namespace: String) {
        if let dot = argument.lastIndex(of: "."), dot > argument.startIndex, argument.index(after: dot) < argument.endIndex {
            return (String(argument[..<dot]), String(argument[argument.index(after: dot)...]))
        }
        return (argument, namespace ?? defaultNamespace)
    }

    /// The pod's scope from the live inventory of `namespace` (pods of that namespace only).
    func podScope(session: LiveSession, namespace: String, pod: String) async throws -> PodScope {
        let live = try await session.loadInventory(podNamespaces: [namespace], progress: SourceOptions.progressPrinter())
        for note in live.notes { printError("note: \(note)") }
        let engine = ScopeEngine(inventory: live.inventory, istioVersion: try parseIstioVersion(source.istioVersion))
        return try Self.podScope(engine: engine, namespace: namespace, pod: pod, sourceName: session.sourceDescription)
    }

    /// The scope of `namespace/pod` in the engine's inventory.
    ///
    /// - Throws: ``RuntimeError`` naming the pod, namespace and source when the inventory has no such pod.
    static func podScope(engine: ScopeEngine, namespace: String, pod: String, sourceName: String) throws -> PodScope {
        guard let found = engine.inventory.pods.first(where: { $0.namespace == namespace && $0.name == pod }) else {
            throw RuntimeError("pod \(pod) not found in namespace \(namespace) (\(sourceName))")
        }
        let scope = engine.scope(for: found)
        return PodScope(scope: scope, reasons: IstioctlClusterTable.reasons(of: scope))
    }

    /// Opens the kubeconfig's context (`--kubeconfig`, `--context`).
    func openSession() async throws -> LiveSession {
        do {
            return try await LiveSession.open(kubeconfig: source.kubeconfig, context: source.context)
        } catch let error as KubeconfigError where error.isMissing {
            throw RuntimeError(
                "no cluster to read: set KUBECONFIG or give --kubeconfig FILE (~/.kube/config does not exist), "
                    + "or read a saved dump with --config-dump FILE")
        }
    }
}
