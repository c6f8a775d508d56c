import Foundation
import MeshtrimCore
import ServiceLifecycle

/// A running lab: the Kubernetes API over HTTPS, the Envoy fleet, and the kubeconfig that points at them.
///
/// ```swift
/// let lab = Lab(configuration: configuration, scenario: scenario, log: { print($0) })
/// try await lab.run()   // until SIGINT or SIGTERM; every Envoy is stopped before it returns
/// ```
public struct Lab: Sendable {
    /// How to run.
    public struct Configuration: Sendable {
        /// Address to listen on.
        public var host = "127.0.0.1"
        /// Port to listen on; 0 picks a free one (the kubeconfig names it).
        public var port = 0
        /// Where to write the kubeconfig.
        public var kubeconfigPath: String
        /// Working directory: certificates, Envoy bootstraps, CDS files, logs.
        public var stateDirectory: String
        /// The Envoy binary; `nil` runs the API without sidecars (pod proxy and port-forward answer 503).
        public var envoyBinary: String?
        /// One Envoy per pod.
        public var envoyPerPod = false
        /// No Envoy at all: the pod proxy and port-forward answer with synthetic Envoy stats (``SyntheticEnvoys``)
        /// computed from the lab's scope, so tens of thousands of sidecars can be observed (`envoyBinary` unused).
        public var syntheticEnvoy = false
        /// Envoy `--concurrency`.
        public var envoyConcurrency = 1
        /// Most Envoys a scenario may need.
        public var maxEnvoys = 40
        /// Only these namespaces' pods get Envoys (`nil`: all); the rest answer 503 on the pod proxy.
        public var envoyNamespaces: Set<String>?
        /// Faults to inject.
        public var faults = LabFaults()
        /// The read-only user's name.
        public var viewerName = "viewer"
        /// Make the viewer the current context, and every user read-only.
        public var readOnly = false
        /// A fixed admin token (tests); random when `nil`.
        public var adminToken: String?
        /// The field manager the scenario's Sidecars are recorded as applied or written by.
        public var sidecarManager = LabFieldManager.default
        /// The `networking.istio.io` versions served, preferred first (`["v1beta1", "v1alpha3"]`: Istio before 1.22).
        public var istioVersions = ["v1"]
        /// The Kubernetes version claimed: `/version`, and the verbs a port-forward is authorised as.
        public var kubernetesVersion = LabKubernetesVersion.default

        /// Makes a configuration with the required paths.
        public init(kubeconfigPath: String, stateDirectory: String) {
            self.kubeconfigPath = kubeconfigPath
            self.stateDirectory = stateDirectory
        }
    }

    /// How to run.
    public var configuration: Configuration
    /// What to serve.
    public var scenario: LabScenario
    /// Where progress and problems go (one line each).
    public var log: @Sendable (String) -> Void

    /// Makes a lab.
    public init(configuration: Configuration, scenario: LabScenario, log: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.scenario = scenario
        self.log = log
    }

    /// Starts everything, writes the kubeconfig once the server listens, and runs until SIGINT or SIGTERM.
    ///
    /// - Throws: ``LabError`` for anything that stops the lab from starting (an unwritable state directory, an Envoy
    ///   that does not come up, a port in use). Envoys that were started are stopped before this returns or throws.
    public func run() async throws {
        let state = configuration.stateDirectory
        try? FileManager.default.removeItem(atPath: "\(state)/envoy")
        try FileManager.default.createDirectory(atPath: "\(state)/envoy", withIntermediateDirectories: true)
        let certificates = try LabCertificates.generate(in: "\(state)/pki")
        let store = LabStore(scenario: scenario, sidecarOwner: configuration.sidecarManager)
        var fleet: EnvoyFleet?
        var synthetic: SyntheticEnvoys?
        if configuration.syntheticEnvoy {
            let started = ContinuousClock.now
            let computed = SyntheticEnvoys(inventory: scenario.inventory)
            synthetic = computed
            log("lab: synthetic Envoy stats for \(computed.sidecarCount) sidecars (no Envoy runs; computed in \(started.duration(to: .now)))")
        } else if let binary = configuration.envoyBinary {
            fleet = EnvoyFleet(
                scenario: scenario,
                options: .init(
                    binary: binary, directory: "\(state)/envoy", concurrency: configuration.envoyConcurrency,
                    envoyPerPod: configuration.envoyPerPod, maxEnvoys: configuration.maxEnvoys, updateDelay: configuration.faults.slowEnvoy,
                    envoyNamespaces: configuration.envoyNamespaces),
                log: log)
        }
        do {
            if let fleet {
                log("lab: starting Envoys (\(configuration.envoyPerPod ? "one per pod" : "one per distinct sidecar configuration"))…")
                try await fleet.start(sidecars: await store.sidecars())
            }
            try await serve(store: store, fleet: fleet, synthetic: synthetic, certificates: certificates)
        } catch {
            await fleet?.shutdown()
            throw error
        }
        await fleet?.shutdown()
    }

    private func serve(store: LabStore, fleet: EnvoyFleet?, synthetic: SyntheticEnvoys?, certificates: LabCertificates) async throws {
        let adminToken = configuration.adminToken ?? LabKubeconfig.randomToken()
        let viewerToken = LabKubeconfig.randomToken()
        let clientCertificate = try? NIOSSLCertificateLoader.first(pem: certificates.clientCertificate)
        let authenticator = LabAuthenticator(
            adminToken: adminToken, viewerName: configuration.viewerName, viewerToken: viewerToken,
            clientCertificate: clientCertificate, everyoneReadOnly: configuration.readOnly)
        var api = KubernetesAPI(
            store: store, fleet: fleet, scenario: scenario, serverAddress: "\(configuration.host):\(configuration.port)",
            istioVersions: configuration.istioVersions)
        api.kubernetesVersion = configuration.kubernetesVersion
        api.synthetic = synthetic
        let server = LabServer(
            host: configuration.host, port: configuration.port, api: api, authenticator: authenticator, certificates: certificates,
            faults: configuration.faults, log: log)
        var services: [any Service] = []
        if let fleet { services.append(FleetService(fleet: fleet, store: store, log: log)) }
        if let synthetic { services.append(SyntheticEnvoysService(synthetic: synthetic, store: store)) }
        let configuration = self.configuration
        let scenario = self.scenario
        let log = self.log
        let application = try server.application(services: services) { port in
            let kubeconfig = LabKubeconfig(
                server: "https://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(port)", certificates: certificates,
                adminToken: adminToken, viewerName: configuration.viewerName, viewerToken: viewerToken,
                readOnlyByDefault: configuration.readOnly)
            do {
                try kubeconfig.write(to: configuration.kubeconfigPath)
            } catch {
                log("lab: \(error)")
                return
            }
            let pods = scenario.inventory.pods
            log(
                "lab: serving \(scenario.inventory.namespaces.count) namespaces, \(pods.count) pods (\(pods.filter(\.hasSidecar).count) with sidecars), "
                    + "\(scenario.inventory.services.count) services, \(scenario.inventory.sidecars.count) Sidecars from \(scenario.origin)")
            if !configuration.faults.isEmpty { log("lab: faults on: \(configuration.faults)") }
            log("lab: API at https://\(configuration.host):\(port); kubeconfig written to \(configuration.kubeconfigPath)")
            log("lab: ready: export KUBECONFIG=\(configuration.kubeconfigPath); kubectl get pods -A")
        }
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// Runs the fleet's supervision and follows Sidecar changes while the server runs; stops the Envoys on shutdown.
struct FleetService: Service {
    let fleet: EnvoyFleet
    let store: LabStore
    let log: @Sendable (String) -> Void

    func run() async throws {
        let changes = await store.sidecarChanges()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await fleet.supervise() }
                group.addTask {
                    for await _ in changes {
                        await fleet.update(sidecars: await store.sidecars())
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await fleet.shutdown() }
        }
        await fleet.shutdown()
    }
}

/// Recomputes the synthetic Envoys' figures when Sidecars change, as istiod's push changes real Envoys'.
struct SyntheticEnvoysService: Service {
    let synthetic: SyntheticEnvoys
    let store: LabStore

    func run() async throws {
        let changes = await store.sidecarChanges()
        for await _ in changes.cancelOnGracefulShutdown() {
            let sidecars = await store.sidecars()
            synthetic.update(sidecars: sidecars)
        }
    }
}
