import ArgumentParser
import Foundation
import MeshtrimCore

/// `meshtrim drift`: how every Sidecar in effect has drifted from its pods' traffic, with the update to apply.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare every Sidecar in effect with its pods' traffic: new dependencies, trim candidates, the update.",
        discussion: """
            For every Sidecar in effect (one section per namespace it governs): "new dependencies" are destinations \
            its pods sent traffic to that it does not import (a registry service outside its hosts, or traffic \
            through PassthroughCluster or BlackHoleCluster), "trim candidates" are services it imports that had no \
            traffic, with the clusters and memory they cost each proxy and over its pods. The suggested update is \
            meshtrim recommend's decision for the same pods, applied to the Sidecar as it is (a diff: only egress \
            hosts change). The traffic is the sidecars' own counters (since each proxy started), or with --prometheus \
            the window (default 7d). The mesh-wide default of the root namespace gets no suggestion: give each \
            namespace its own Sidecar instead. See docs/drift.md.

            Examples:
              meshtrim drift --demo
              meshtrim drift -n shop
              meshtrim drift -A --prometheus http://prometheus.monitoring:9090 --window 30d
              meshtrim drift --snapshot mesh.json -n shop -o json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @OptionGroup var source: SourceOptions

    /// `-n` (only the Sidecars in effect in this namespace) or `-A`.
    @OptionGroup var namespaces: NamespaceOptions
    var namespace: String? { namespaces.namespace }

    @OptionGroup var traffic: PrometheusOptions

    @Option(name: .long, help: ArgumentHelp("The suggestion groups a namespace to ns/* when at least this fraction of its services had traffic.", valueName: "fraction"))
    var groupThreshold: Double = EgressRecommender.Options.defaultGroupThreshold

    @Option(name: .shortAndLong, help: "Output format: table or json.")
    var output: Format = .table

    func validate() throws {
        guard groupThreshold.isFinite, groupThreshold >= 0 else {
            throw ValidationError("--group-threshold must be a fraction such as 0.5 (1 groups only fully used namespaces)")
        }
    }

    func run() async throws {
        let analysis = try await source.analysis(namespaces: namespaces.selected)
        try namespaces.requireKnown(in: analysis)
        // Prometheus is asked only about namespaces where a Sidecar is in effect.
        let governed = Set(analysis.pods.filter { $0.sidecar != nil && $0.pod.hasSidecarProxy }.map(\.pod.namespace))
            .filter { namespace == nil || $0 == namespace }.sorted()
        let evidence = try await traffic.evidence(namespaces: governed, recommender: EgressRecommender(analysis: analysis)) ?? [:]
        let drifts = SidecarDriftAnalyzer(analysis: analysis).drift(
            namespaces: namespaces.selected, evidence: evidence, options: .init(groupThreshold: groupThreshold))
        switch output {
        case .table: print(DriftText.table(drifts), terminator: "")
        case .json: print(DriftText.json(drifts).formatted(indent: "  "))
        }
    }
}
