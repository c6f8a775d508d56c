import ArgumentParser
import Foundation
import MeshtrimCore
import Yams

/// `meshtrim scope`: which Sidecar applies to a workload, which services and clusters it gets, and why.
struct ScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope",
        abstract: "Show the Sidecar, services and clusters istiod would give a workload, with reasons.",
        discussion: """
            Reads plain Kubernetes/Istio manifests and evaluates Istio's Sidecar scoping for a proxy in \
            --namespace with --labels (or the labels of --pod). --sidecar FILE evaluates as if that Sidecar \
            were applied.

            Examples:
              meshtrim scope --manifests k8s/ -n bookinfo --labels app=productpage
              meshtrim scope --manifests k8s/ -n bookinfo --pod productpage --sidecar sidecar.yaml -o json
              meshtrim scope --demo -n reporting --labels app=reporting-api
            """
    )

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Manifest files or directories (several after one flag, or repeated; - reads standard input); objects without a namespace go into -n.")
    var manifests: [String] = []

    @Flag(name: .long, help: "Read the bundled demo mesh instead of manifests.")
    var demo = false

    @Option(name: [.short, .long], help: "The proxy's namespace.")
    var namespace: String

    @Option(name: .long, help: "The proxy's labels, as k=v,k=v.")
    var labels: String?

    @Option(name: .long, help: "Take the labels from this pod (or workload) in the manifests.")
    var pod: String?

    @Option(name: .long, help: "Evaluate as if the Sidecar in this file were applied.")
    var sidecar: String?

    @Option(name: .long, help: "The Istio version whose behaviour to model (default 1.31).")
    var istioVersion: String?

    @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table

    func validate() throws {
        if labels != nil && pod != nil { throw ValidationError("give --labels or --pod, not both") }
        if manifests.isEmpty && !demo { throw ValidationError("give at least one --manifests PATH (file, directory or -), or --demo") }
        if !manifests.isEmpty && demo { throw ValidationError("give --manifests or --demo, not both") }
        _ = try labels.map(parseLabels)
        _ = try parseIstioVersion(istioVersion)
    }

    func run() throws {
        let inventory = try demo ? Self.demoInventory() : loadManifests(manifests, defaultNamespace: namespace).inventory
        var labelSet = try labels.map(parseLabels) ?? [:]
        var podValue: Pod?
        if let pod {
            guard let found = inventory.pod(named: pod, in: namespace) else {
                let known = inventory.pods.filter { $0.namespace == namespace }.map(\.name).prefix(10)
                throw RuntimeError(
                    "no pod or workload '\(pod)' in namespace \(namespace)"
                        + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
            }
            podValue = found
            labelSet = found.labels
        }
        let candidate = try sidecar.map(loadCandidate)
        let engine = ScopeEngine(inventory: inventory, istioVersion: try parseIstioVersion(istioVersion))
        var scope = engine.scope(namespace: namespace, labels: labelSet, pod: podValue, candidate: candidate)
        if let podValue, podValue.isGateway {
            // A gateway keeps the default scope whatever Sidecar exists or is proposed (istiod applies none to it).
            scope = engine.scope(for: podValue)
            if candidate != nil { scope.warnings.append("\(podValue.name) is a gateway: Istio applies no Sidecar to it, so --sidecar changes nothing") }
        }
        let report = ScopeReport(scope)
        switch output {
        case .json:
            print(report.json())
        case .yaml:
            print(try YAMLEncoder().encode(report), terminator: "")
        case .table:
            print(Self.table(scope))
        }
    }

    /// The bundled demo's inventory; a missing or damaged bundle is a runtime error naming it.
    private static func demoInventory() throws -> MeshInventory {
        do {
            return try DemoSnapshot.load().inventory
        } catch let error as SnapshotError {
            throw RuntimeError(error.description)
        }
    }

    private func loadCandidate(_ path: String) throws -> Sidecar {
        let set = try loadManifests([path], defaultNamespace: namespace)
        guard let found = set.inventory.sidecars.first else {
            throw RuntimeError("--sidecar \(path): no Sidecar (networking.istio.io) in the file")
        }
        if set.inventory.sidecars.count > 1 {
            printError("warning: --sidecar \(path) holds \(set.inventory.sidecars.count) Sidecars; using \(found.meta.qualifiedName)")
        }
        return found
    }

    static func table(_ scope: SidecarScope) -> String {
        var lines: [String] = []
        let labels = scope.proxyLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        lines.append("Proxy:     namespace \(scope.proxyNamespace)" + (labels.isEmpty ? "" : ", labels \(labels)"))
        lines.append("Sidecar:   \(scope.sidecar.map { $0.meta.qualifiedName } ?? "none") — \(scope.sidecarReason)")
        lines.append("Outbound:  \(scope.outboundTrafficPolicy.rawValue)")
        lines.append("")
        lines.append("SERVICES (\(scope.services.count))")
        lines.append(
            TextTable(
                headers: ["HOSTNAME", "NAMESPACE", "PORTS", "REASON"],
                rows: scope.services.map {
                    [$0.service.hostname, $0.service.namespace, $0.ports.map { String($0.number) }.joined(separator: ","),
                     $0.reason.description]
                }
            ).rendered)
        lines.append("")
        lines.append("CLUSTERS (\(scope.clusters.count): \(scope.dynamicClusterCount) from istiod, "
            + "\(scope.clusters.count - scope.dynamicClusterCount) from the bootstrap)")
        lines.append(
            TextTable(
                headers: ["NAME", "TYPE", "DESTINATION RULE", "REASON"],
                rows: scope.clusters.map { [$0.name, $0.type, $0.destinationRule, $0.reason.description] }
            ).rendered)
        if !scope.warnings.isEmpty {
            lines.append("")
            lines.append("WARNINGS")
            lines += scope.warnings.map { "  ! \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
