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

    /// The chosen source; `namespaces` is the command's `-n`: with one, it is where namespace-less manifests go (as
    /// `kubectl apply -n`) unless `--manifests-namespace` says otherwise.
    func meshSource(namespaces: [String]? = nil) -> MeshSource {
        if demo { return .demo }
        if let snapshot { return .snapshot(snapshot) }
        if !manifests.isEmpty {
            return .manifests(manifests, namespace: manifestsNamespace ?? namespaces.flatMap { $0.count == 1 ? $0.first : nil })
        }
        return .live(kubeconfig: kubeconfig, context: context)
    }

    /// Loads the chosen source and analyses it (``MeshSource/analysis(istioVersion:live:progress:)``), printing what
    /// reading assumed, dropped or could not read on standard error.
    ///
    /// - Parameter namespaces: for a live cluster, only these namespaces' sidecars are observed (`nil`: all); for
    ///   manifests, one namespace here (the command's `-n`) is where objects without a namespace go, as with
    ///   `kubectl apply -n`, unless `--manifests-namespace` says otherwise.
    /// - Throws: ``RuntimeError`` for unreadable files; ``KubeError`` and ``KubeconfigError`` (printed as one line)
    ///   for a live cluster that cannot be read.
    func analysis(namespaces: [String]? = nil) async throws -> MeshAnalysis {
        let source = meshSource(namespaces: namespaces)
        let analysed = try await source.analysis(
            istioVersion: try parseIstioVersion(istioVersion),
            live: MeshSource.LiveReading(
                namespaces: namespaces, proxyConcurrency: proxyConcurrency, portForwardConcurrency: portForwardConcurrency),
            progress: source.isLive ? Self.progressPrinter() : nil)
        if let capture = analysed.capture {
            Self.report(capture)
        } else {
            for warning in analysed.warnings { printError("warning: \(warning)") }
            for note in analysed.notes { printError("note: \(note)") }
        }
        return analysed.analysis
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
