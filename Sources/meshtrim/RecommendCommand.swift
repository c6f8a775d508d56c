import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimKube

/// `meshtrim recommend`: the Sidecar for a namespace or workload from observed traffic, each host with why.
struct RecommendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend a Sidecar from observed traffic: every destination used, the istiod namespace, with reasons.",
        discussion: """
            The traffic comes from the sidecars' own istio_requests_total and istio_tcp_connections_opened_total \
            counters (reporter="source", since each proxy started), or with --prometheus from a Prometheus server \
            over --window (default 7d), which remembers traffic across restarts. Each host says which pods sent how \
            many requests and when; a namespace is written as ns/* when at least --group-threshold of the services \
            it exports to the proxy had traffic (default 1.0: only when all of them did, so nothing unseen is \
            imported). Traffic Istio could not attribute to a service (PassthroughCluster, BlackHoleCluster, hosts \
            outside the registry) is listed as unknown destinations. See docs/recommend.md.

            -o yaml (the default) prints the Sidecar preceded by # comment lines with the reasons, so it can be \
            piped to `meshtrim validate -` or `kubectl apply -f -`. When a selected pod's sidecar could not be read \
            (a stopped Envoy), nothing is printed and the exit status is 1, naming the pods; --allow-partial prints \
            the Sidecar anyway, with a first line `# PARTIAL: …` (-o json: "partial": true; -o table: a PARTIAL line). \
            The Prometheus bearer token is read from \
            --prometheus-token-file or MESHTRIM_PROMETHEUS_TOKEN and never printed.

            Examples:
              meshtrim recommend -n shop
              meshtrim recommend -n shop --workload app=cart -o json
              meshtrim recommend -n shop --prometheus http://prometheus.monitoring:9090 --window 30d
              meshtrim recommend --snapshot mesh.json -n shop --group-threshold 0.5 -o table
              meshtrim recommend -n shop | kubectl apply -f -
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case yaml, json, table }

    @OptionGroup var source: SourceOptions

    @Option(name: [.short, .long], help: "The namespace the Sidecar is for.")
    var namespace: String

    @Option(name: .long, help: ArgumentHelp("A workload Sidecar for the pods with these labels (k=v,…).", valueName: "labels"))
    var workload: String?

    @OptionGroup var traffic: PrometheusOptions

    @Option(name: .long, help: ArgumentHelp("Group a namespace to ns/* when at least this fraction of its visible services had traffic.", valueName: "fraction"))
    var groupThreshold: Double = EgressRecommender.Options.defaultGroupThreshold

    @Flag(name: .long, help: "Also import the proxy's own namespace (./*).")
    var includeOwnNamespace = false

    @Option(name: .long, help: "The Sidecar's name (default: default, or the workload's app label).")
    var name: String?

    @Option(name: .shortAndLong, help: "Output format: yaml (with # reasons), json or table.")
    var output: Format = .yaml

    @Flag(name: .long, help: "Print the Sidecar although some selected sidecars could not be read (marked PARTIAL); without it that exits 1.")
    var allowPartial = false

    func validate() throws {
        guard groupThreshold.isFinite, groupThreshold >= 0 else {
            throw ValidationError("--group-threshold must be a fraction such as 0.5 (1 groups only fully used namespaces; above 1 never groups)")
        }
        if try workload.map(parseLabels)?.isEmpty == true {
            throw ValidationError("--workload needs at least one label, e.g. --workload app=cart")
        }
    }

    func run() async throws {
        let selector = try workload.map(parseLabels)
        let analysis = try await source.analysis(namespaces: [namespace])
        guard analysis.inventory.allNamespaceNames.contains(namespace) || !analysis.pods(in: namespace).isEmpty else {
            throw RuntimeError("namespace \(namespace) not found in \(analysis.source)")
        }
        let recommender = EgressRecommender(analysis: analysis)
        let evidence = try await traffic.evidence(namespaces: [namespace], recommender: recommender)?[namespace]
            ?? recommender.counterEvidence(namespace: namespace, workloadSelector: selector)
        let recommendation = recommender.recommend(
            namespace: namespace, workloadSelector: selector, evidence: evidence,
            options: .init(groupThreshold: groupThreshold, includeOwnNamespace: includeOwnNamespace, name: name))
        // What applying it would do (pods that keep a more specific Sidecar are named in the notes).
        let impact = analysis.impact(
            namespace: namespace, workloadSelector: selector, hosts: recommendation.hostNames, name: recommendation.manifest.name)
        // A Sidecar from part of the pods cuts what only the others use: refused unless asked for, then marked.
        let unread = recommendation.unobservedPods.map { "\(namespace)/\($0)" }
        let partial = unread.isEmpty || source.manifests.count > 0 ? nil : Self.partialNote(unread: unread, selected: recommendation.pods.count)
        if let partial, !allowPartial {
            throw RuntimeError(
                "\(partial); fix them (a stopped Envoy, an unreachable pod) and run again, or add --allow-partial to print it marked as partial")
        }
        switch output {
        case .yaml:
            if let partial { print("# PARTIAL: \(partial)") }
            print(RecommendationText.yaml(recommendation, impact: impact, model: analysis.memoryModel, now: Date()), terminator: "")
        case .json:
            var json = RecommendationText.json(recommendation, impact: impact)
            // After the keys issue #6 puts first (hosts, unknownDestinations, sidecar), before everything else.
            if case .object(let members) = json {
                let marker = [OrderedJSON.Member(key: "partial", value: .bool(partial != nil))]
                    + (partial.map { [OrderedJSON.Member(key: "partialReason", value: .string($0))] } ?? [])
                json = .object(Array(members.prefix(3)) + marker + members.dropFirst(3))
            }
            print(json.formatted(indent: "  "))
        case .table:
            if let partial { print("PARTIAL: \(partial)\n") }
            print(RecommendationText.table(recommendation, impact: impact, model: analysis.memoryModel, now: Date()), terminator: "")
        }
    }

    /// Why the recommendation is incomplete: the selected pods whose sidecars could not be read, named.
    static func partialNote(unread: [String], selected: Int) -> String {
        let shown = unread.prefix(10).joined(separator: ", ") + (unread.count > 10 ? ", … (\(unread.count - 10) more)" : "")
        return "\(unread.count) of \(selected) selected pod\(selected == 1 ? "" : "s") could not be read (\(shown)), so the Sidecar "
            + "misses destinations only they use"
    }

}
