import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimProcess

/// `meshtrim snapshot`: captures a live cluster's inventory and sidecar observations into a snapshot file.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Capture a live cluster's inventory and sidecar observations into a snapshot file.",
        discussion: """
            Reads the cluster of the kubeconfig's current context (--kubeconfig, --context pick another): namespaces, \
            pods, Services, ServiceEntries, VirtualServices, DestinationRules, Sidecars and the istio ConfigMap by \
            paginated lists, then each sidecar's Envoy memory, cluster count and Istio request metrics through the pod \
            proxy (:15090), and the istio-proxy working sets from metrics.k8s.io. --cluster-names also reads every \
            sidecar's actual cluster names by port-forward to Envoy admin (:15000; one config dump per sidecar).

            An existing -o FILE is replaced only after a yes on a terminal, or with --force; the file is written \
            atomically, into a symbolic link's target, keeping the mode and owner of a file it replaces.

            Browse the result offline with meshtrim --snapshot FILE, or report on it with meshtrim report --snapshot FILE.

            Examples:
              meshtrim snapshot -o mesh.json
              meshtrim snapshot -o shop.json -n shop -n payments --cluster-names
              meshtrim snapshot -o prod.json --context prod -A
            """)

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The snapshot file to write.", valueName: "file"))
    var output: String

    @Option(name: [.short, .customLong("namespace")], help: ArgumentHelp("Only this namespace's sidecars (repeatable).", valueName: "namespace"))
    var namespaces: [String] = []

    @Flag(name: [.customShort("A"), .long], help: "All namespaces (the default).")
    var allNamespaces = false

    @Flag(name: .long, help: "Also read each sidecar's actual cluster names by port-forward (slower; needs pods/portforward).")
    var clusterNames = false

    @OptionGroup var cluster: ClusterOptions
    var kubeconfig: String? { cluster.kubeconfig }
    var context: String? { cluster.context }

    @Option(name: [.long, .customLong("proxy-concurrency")], help: "Sidecars read through the API server's pod proxy at once.")
    var concurrency: Int = 16

    @Option(name: .long, help: "Port-forwards at once (Envoy stats when the API server cannot reach pod IPs, cluster names).")
    var portForwardConcurrency: Int = 8

    @Flag(name: .long, help: "Indent the JSON.")
    var pretty = false

    @Flag(name: .long, help: "Replace the output file when it exists (without asking).")
    var force = false

    func validate() throws {
        if !namespaces.isEmpty && allNamespaces { throw ValidationError("give -n NAMESPACE or -A, not both") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard portForwardConcurrency >= 1 else { throw ValidationError("--port-forward-concurrency must be at least 1") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        // Asked before the capture (which can take minutes), and the write still never replaces a file that
        // appears meanwhile unless this said so.
        let replace = try mayReplace(output)
        let session = try await LiveSession.open(kubeconfig: kubeconfig, context: context)
        let capture: LiveCapture
        do {
            capture = try await session.capture(
                namespaces: namespaces.isEmpty ? nil : namespaces, clusterNames: clusterNames, concurrency: concurrency,
                portForwardConcurrency: portForwardConcurrency, progress: SourceOptions.progressPrinter())
            await session.shutdown()
        } catch {
            await session.shutdown()
            throw error
        }
        SourceOptions.report(capture)
        let data = try capture.snapshot.encoded(pretty: pretty)
        do {
            try AtomicFileWriter.write(data, to: output, mode: replace ? .overwrite : .createNew)
        } catch where error.reason == .exists {
            throw RuntimeError("\(output) exists (created during the capture); pass --force to replace it")
        } catch {
            throw RuntimeError(error.description)
        }
        let snapshot = capture.snapshot
        let sidecars = snapshot.inventory.pods.filter(\.hasSidecar).count
        let seconds = LiveSession.seconds(ContinuousClock.now - started)
        printError(
            "captured \(snapshot.inventory.namespaces.count) namespaces, \(snapshot.inventory.pods.count) pods (\(sidecars) with sidecars), "
                + "\(snapshot.inventory.services.count) services; \(snapshot.observations.count) sidecars observed"
                + (capture.failures.isEmpty ? "" : ", \(capture.failures.count) not")
                + " from \(snapshot.source) in \(String(format: "%.1f", seconds)) s → \(output)")
    }

    /// Whether an existing `path` may be replaced: with `--force`, or when the person says yes on a terminal;
    /// otherwise an existing file is an error that names `--force`. What cannot be written at all (a directory, a
    /// device, a missing directory) is an error here, before the capture.
    private func mayReplace(_ path: String) throws -> Bool {
        do {
            try AtomicFileWriter.check(path, mode: .overwrite)
        } catch {
            throw RuntimeError(error.description)
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return force }
        if force { return true }
        guard isatty(0) == 1, isatty(2) == 1 else { throw RuntimeError("\(path) exists; pass --force to replace it") }
        FileHandle.standardError.write(Data("\(path) exists; replace it? [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { throw RuntimeError("\(path) exists; not replaced") }
        return true
    }
}
