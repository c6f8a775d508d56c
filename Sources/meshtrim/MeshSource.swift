import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube
import MeshtrimUI

/// Where a mesh is read from: the bundled demo, a snapshot file, plain manifests, or a live cluster.
///
/// One type for the terminal UI and every command (`report`, `recommend`, `validate`, `plan`, `check`, `drift`,
/// `clusters`), so that a file is read, checked and analysed by one rule, with one set of messages:
/// ``analysis(_:)`` reads any source once; the UI's live cluster goes to `LiveController` instead, which keeps
/// observing and refreshing after the first frame.
enum MeshSource: Sendable {
    /// The bundled demo snapshot.
    case demo
    /// A snapshot file.
    case snapshot(String)
    /// Plain manifests (predictions only), with the namespace of objects that name none (`nil`: `default`).
    case manifests([String], namespace: String?)
    /// A live cluster: a kubeconfig (`nil`: KUBECONFIG, then ~/.kube/config) and a context (`nil`: the current one).
    case live(kubeconfig: String?, context: String?)

    /// How a live cluster is read: sidecars observed at once, and which namespaces' sidecars.
    struct LiveReading: Sendable {
        /// Only these namespaces' sidecars are observed (`nil`: all).
        var namespaces: [String]? = nil
        /// Pod-proxy reads at once.
        var proxyConcurrency = 16
        /// Port-forwards at once.
        var portForwardConcurrency = 8
    }

    /// A source read and analysed, with what reading it assumed or dropped.
    struct Analysed: Sendable {
        /// The analysis.
        var analysis: MeshAnalysis
        /// Problems that did not stop the reading (an object given twice, an unreadable mesh config).
        var warnings: [String] = []
        /// Assumptions (namespace-less objects put into `default`, injection assumed), and for a live cluster what
        /// could not be read (lists refused, sidecars not observed).
        var notes: [String] = []
        /// A live cluster's capture (notes and the sidecars that could not be observed); `nil` for files.
        var capture: LiveCapture?
    }

    /// The label shown while loading.
    var label: String {
        switch self {
        case .demo: return "demo"
        case .snapshot(let path): return path
        case .manifests(let paths, let namespace):
            return "manifests (\(paths.joined(separator: ", "))\(namespace.map { ", -n \($0)" } ?? ""))"
        case .live(_, let context): return context.map { "context \($0)" } ?? "the current context"
        }
    }

    /// Whether this is a live cluster.
    var isLive: Bool {
        if case .live = self { return true }
        return false
    }

    /// `manifests (3 files)`, or `manifests (3 files, -n shop)` when namespace-less objects go into `shop`.
    static func manifestsLabel(files: Int, namespace: String?) -> String {
        "manifests (\(files) file\(files == 1 ? "" : "s")\(namespace.map { ", -n \($0)" } ?? ""))"
    }

    /// Reads the source and analyses it.
    ///
    /// - Parameters:
    ///   - istioVersion: the Istio version whose behaviour to model (`nil`: the mesh's, else the default).
    ///   - live: how a live cluster is read.
    ///   - progress: short lines as work proceeds (`reading mesh.json…`, `reading pods: page 35…`).
    /// - Throws: ``RuntimeError`` for unreadable files (naming the file and line); ``KubeError`` and
    ///   ``KubeconfigError`` for a live cluster that cannot be read.
    func analysis(
        istioVersion: IstioVersion?, live: LiveReading = LiveReading(), progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> Analysed {
        switch self {
        case .demo:
            progress?("reading the bundled demo snapshot…")
            let snapshot = try Self.readSnapshot { try DemoSnapshot.load() }
            progress?("analysing \(Formatting.count(snapshot.inventory.pods.count)) pods…")
            return Analysed(analysis: MeshAnalysis(snapshot: snapshot, source: "demo", istioVersion: istioVersion))
        case .snapshot(let path):
            progress?("reading \(path)…")
            let snapshot = try Self.readSnapshot { try MeshSnapshot.load(from: path) }
            progress?("analysing \(Formatting.count(snapshot.inventory.pods.count)) pods…")
            return Analysed(analysis: MeshAnalysis(snapshot: snapshot, source: path, istioVersion: istioVersion))
        case .manifests(let paths, let namespace):
            progress?("reading manifests…")
            let set = try loadManifests(paths, defaultNamespace: namespace)
            progress?("analysing \(Formatting.count(set.inventory.pods.count)) pods…")
            let analysis = MeshAnalysis(
                inventory: set.inventory, observations: [], source: Self.manifestsLabel(files: set.files.count, namespace: namespace),
                istioVersion: istioVersion)
            return Analysed(analysis: analysis, warnings: set.warnings, notes: set.notes)
        case .live(let kubeconfig, let context):
            do {
                let (analysis, capture) = try await LiveAnalysisLoader.load(
                    kubeconfig: kubeconfig, context: context, namespaces: live.namespaces, istioVersion: istioVersion,
                    concurrency: live.proxyConcurrency, portForwardConcurrency: live.portForwardConcurrency, progress: progress)
                return Analysed(analysis: analysis, notes: capture.notes, capture: capture)
            } catch let error as KubeconfigError where error.isMissing {
                throw RuntimeError(
                    "no mesh to read: give a source (--snapshot FILE or --manifests PATH) or a cluster (KUBECONFIG or --kubeconfig FILE; "
                        + "~/.kube/config does not exist)")
            }
        }
    }

    /// A snapshot read by `body`, its errors as ``RuntimeError``s with the same message.
    private static func readSnapshot(_ body: () throws -> MeshSnapshot) throws -> MeshSnapshot {
        do {
            return try body()
        } catch let error as SnapshotError {
            throw RuntimeError(error.description)
        }
    }

    /// A problem worth reporting before taking over the terminal (a missing file), or `nil`.
    func precheck() -> String? {
        switch self {
        case .demo:
            return nil
        case .snapshot(let path):
            return FileManager.default.fileExists(atPath: path) ? nil : "\(path): no such file"
        case .manifests(let paths, _):
            for path in paths where path != "-" && !FileManager.default.fileExists(atPath: path) {
                return "\(path): no such file or directory"
            }
            return nil
        case .live(let kubeconfig, let context):
            guard let error = LiveController.precheck(kubeconfig: kubeconfig, context: context) else { return nil }
            guard error.isMissing else { return error.message }
            return """
                no cluster to read: KUBECONFIG is not set and ~/.kube/config does not exist. Point meshtrim at a cluster \
                (KUBECONFIG, --kubeconfig FILE, --context NAME), or:
                  meshtrim --demo                 browse the bundled demo mesh
                  meshtrim --snapshot FILE        browse a snapshot (meshtrim snapshot -o FILE captures one)
                  meshtrim --manifests PATH...    browse Kubernetes/Istio manifests (predictions only)
                  meshtrim lab                    run a local cluster stand-in with real Envoys (docs/lab.md)
                """
        }
    }
}
