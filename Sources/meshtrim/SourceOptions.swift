import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube

#if canImport(Glibc)
    import Glibc
#endif

/// Where a command reads the mesh from: a snapshot file, plain manifests, the bundled demo, or (with none of them)
/// the live cluster of the kubeconfig's current context (`--kubeconfig`, `--context` pick another).
struct SourceOptions: ParsableArguments {
    @Flag(name: .long, help: "Read the bundled demo mesh (a generated snapshot; no cluster needed).")
    var demo = false

    @Option(name: .long, help: "Read a snapshot captured by `meshtrim snapshot` (or generated).")
    var snapshot: String?

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp(
            "Read plain Kubernetes/Istio manifests: files or directories, several after one flag or the flag repeated. Predictions only.",
            valueName: "path"))
    var manifests: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --manifests: the namespace of objects that name none (as kubectl apply -n; default: the command's -n, else default).",
            valueName: "namespace"))
    var manifestsNamespace: String?

    @Option(name: .long, help: "The Istio version whose behaviour to model (default: the mesh's, else 1.31).")
    var istioVersion: String?

    /// Live cluster: `--kubeconfig`, `--context`.
    @OptionGroup var cluster: ClusterOptions
    var kubeconfig: String? { cluster.kubeconfig }
    var context: String? { cluster.context }

    @Option(name: .long, help: ArgumentHelp("Live cluster: sidecars read through the API server's pod proxy at once.", valueName: "n"))
    var proxyConcurrency: Int = 16

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Live cluster: port-forwards at once (Envoy stats when the API server cannot reach pod IPs, cluster names).", valueName: "n"))
    var portForwardConcurrency: Int = 8

    /// Whether a source other than the live cluster was given.
    var isGiven: Bool { demo || snapshot != nil || !manifests.isEmpty }

    /// Whether the source is the live cluster (no `--demo`, `--snapshot` or `--manifests`).
    var isLive: Bool { !isGiven }

    func validate() throws {
        if [demo, snapshot != nil, !manifests.isEmpty].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --demo, --snapshot or --manifests")
        }
        if manifestsNamespace != nil && manifests.isEmpty {
            throw ValidationError("--manifests-namespace is the namespace of namespace-less objects in --manifests; give --manifests PATH too")
        }
        guard proxyConcurrency >= 1, portForwardConcurrency >= 1 else {
            throw ValidationError("--proxy-concurrency and --port-forward-concurrency must be at least 1")
        }
        if isGiven && (kubeconfig != nil || context != nil) {
            throw ValidationError("--kubeconfig and --context choose a live cluster; leave them out with --demo, --snapshot or --manifests")
        }
        _ = try parseIstioVersion(istioVersion)
    }

    /// The same choice, as the terminal UI loads it.
    var uiSource: UISource {
        if demo { return .demo }
        if let snapshot { return .snapshot(snapshot) }
        if !manifests.isEmpty { return .manifests(manifests, namespace: manifestsNamespace) }
        return .live(kubeconfig: kubeconfig, context: context)
    }

    /// Loads the chosen source and analyses it.
    ///
    /// - Parameter namespaces: for a live cluster, only these namespaces' sidecars are observed (`nil`: all); for
    ///   manifests, one namespace here (the command's `-n`) is where objects without a namespace go, as with
    ///   `kubectl apply -n`, unless `--manifests-namespace` says otherwise.
    /// - Throws: ``RuntimeError`` for unreadable files; ``KubeError`` and ``KubeconfigError`` (printed as one line)
    ///   for a live cluster that cannot be read.
    func analysis(namespaces: [String]? = nil) async throws -> MeshAnalysis {
        let version = try parseIstioVersion(istioVersion)
        if demo {
            do {
                return MeshAnalysis(snapshot: try DemoSnapshot.load(), source: "demo", istioVersion: version)
            } catch let error as SnapshotError {
                throw RuntimeError(error.description)
            }
        }
        if let snapshot {
            do {
                return MeshAnalysis(snapshot: try MeshSnapshot.load(from: snapshot), source: snapshot, istioVersion: version)
            } catch let error as SnapshotError {
                throw RuntimeError(error.description)
            }
        }
        if !manifests.isEmpty {
            let namespace = manifestsNamespace ?? namespaces.flatMap { $0.count == 1 ? $0.first : nil }
            let set = try loadManifests(manifests, defaultNamespace: namespace)
            for warning in set.warnings { printError("warning: \(warning)") }
            for note in set.notes { printError("note: \(note)") }
            return MeshAnalysis(
                inventory: set.inventory, observations: [], source: Self.manifestsLabel(files: set.files.count, namespace: namespace),
                istioVersion: version)
        }
        let loaded: (analysis: MeshAnalysis, capture: LiveCapture)
        do {
            loaded = try await LiveAnalysisLoader.load(
                kubeconfig: kubeconfig, context: context, namespaces: namespaces, istioVersion: version,
                concurrency: proxyConcurrency, portForwardConcurrency: portForwardConcurrency, progress: Self.progressPrinter())
        } catch let error as KubeconfigError where error.isMissing {
            throw RuntimeError(
                "no mesh to read: give a source (--snapshot FILE or --manifests PATH) or a cluster (KUBECONFIG or --kubeconfig FILE; "
                    + "~/.kube/config does not exist)")
        }
        let (analysis, capture) = loaded
        Self.report(capture)
        return analysis
    }

    /// `manifests (3 files)`, or `manifests (3 files, -n shop)` when namespace-less objects go into `shop`.
    static func manifestsLabel(files: Int, namespace: String?) -> String {
        "manifests (\(files) file\(files == 1 ? "" : "s")\(namespace.map { ", -n \($0)" } ?? ""))"
    }

    /// Prints what a live capture could not read (notes and sidecar failures) on standard error.
    static func report(_ capture: LiveCapture) {
        for note in capture.notes { printError("note: \(note)") }
        if !capture.failures.isEmpty {
            printError("note: \(capture.failures.count) sidecar\(capture.failures.count == 1 ? "" : "s") not observed (predictions shown):")
            for line in LiveAnalysisLoader.failureLines(capture.failures) { printError("  \(line)") }
        }
    }

    /// Progress lines on standard error, only when it is a terminal (scripts get clean output).
    static func progressPrinter() -> (@Sendable (String) -> Void)? {
        guard isatty(2) == 1 else { return nil }
        return { line in printError("… \(line)") }
    }
}
