import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimKube

/// `meshtrim plan`: a complete, safe Sidecar change for the whole mesh, in waves, with what it saves.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan Sidecars for the whole mesh: the mesh-wide default, namespace exceptions, waves, savings.",
        discussion: """
            The plan is the mesh-wide default (ROOT/default in meshConfig.rootNamespace, hosts ./* and the istiod \
            namespace unless --default-hosts), plus a namespace Sidecar with the hosts `meshtrim recommend` chooses \
            for every namespace whose observed traffic the default would cut, plus workload Sidecars with \
            --per-workload. Existing Sidecars are kept and reported (--replace-existing proposes updates, as diffs). \
            No destination with observed traffic is cut: the plan checks it, after every wave too; traffic no host can \
            keep (PassthroughCluster, hosts outside the registry) is listed under unknown destinations with its pods. \
            Gateways are never scoped by a Sidecar and are left out.

            Waves (--waves N, default 3): namespace Sidecars come before the mesh-wide default, which is last, so a \
            namespace's own Sidecar is in place before anything could cut its traffic; namespaces whose sidecars \
            call no other namespace come first, then the largest saving. Each wave lists what to watch (the \
            BlackHole/Passthrough counters of the sidecars it changes). See docs/plan.md.

            Output: -o table (the default), json (the keys of issue #14 in order), yaml (every Sidecar, one \
            document each). --out DIR writes wave-N/NAMESPACE-NAME.yaml, kustomization.yaml and PLAN.md atomically \
            (kubectl apply -k DIR takes it); a non-empty DIR is refused without --force.

            Examples:
              meshtrim plan --demo
              meshtrim plan --snapshot mesh.json --memory-price 4.2 -o json
              meshtrim plan --prometheus http://prometheus.monitoring:9090 --window 30d --out plan/
              meshtrim plan --demo --per-workload -o yaml | meshtrim validate -
            """
    )

    @OptionGroup var source: SourceOptions

    @OptionGroup var traffic: PrometheusOptions

    @Option(name: .long, help: ArgumentHelp("The mesh default's hosts (default: ./* and the istiod namespace).", valueName: "host,…"))
    var defaultHosts: String?

    @Option(name: .long, help: ArgumentHelp("Group a namespace to ns/* when at least this fraction of its visible services had traffic.", valueName: "fraction"))
    var groupThreshold: Double = EgressRecommender.Options.defaultGroupThreshold

    @Flag(name: .long, help: "Also write a Sidecar per workload (app label) with only what its own traffic needs.")
    var perWorkload = false

    @Flag(name: .long, help: "Propose updates (as diffs) to existing Sidecars instead of keeping them.")
    var replaceExisting = false

    @Option(name: .long, help: "The most waves to roll the plan out in.")
    var waves: Int = MeshPlanner.Options.defaultWaves

    @Option(name: .long, help: ArgumentHelp("Memory price per GiB-month, for the cost now → after.", valueName: "price"))
    var memoryPrice: Double?

    @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table

    @Option(name: .long, help: ArgumentHelp("Write the plan as a directory (wave-N/*.yaml, kustomization.yaml, PLAN.md).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "With --out: replace a non-empty directory.")
    var force = false

    @Flag(name: .long, help: "Plan although some sidecars could not be read (marked PARTIAL); without it that exits 1.")
    var allowPartial = false

    func validate() throws {
        guard groupThreshold.isFinite, groupThreshold >= 0 else {
            throw ValidationError("--group-threshold must be a fraction such as 0.5 (1 groups only fully used namespaces; above 1 never groups)")
        }
        guard waves >= 1 else { throw ValidationError("--waves must be at least 1") }
        if let memoryPrice, !(memoryPrice.isFinite && memoryPrice >= 0) {
            throw ValidationError("--memory-price must be a price per GiB-month such as 4.2")
        }
        if force && out == nil { throw ValidationError("--force replaces the --out directory; give --out DIR") }
        if let hosts = try parsedDefaultHosts() {
            for host in hosts where host != "*" && !host.contains("/") {
                throw ValidationError("--default-hosts: \(host) is not namespace/dnsName (e.g. ./*, istio-system/*)")
            }
        }
    }

    func parsedDefaultHosts() throws -> [String]? {
        guard let defaultHosts else { return nil }
        let hosts = defaultHosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !hosts.isEmpty else { throw ValidationError("--default-hosts needs at least one host, e.g. ./*,istio-system/*") }
        return hosts
    }

    func run() async throws {
        // A directory that cannot be written is found before the (possibly slow) plan is made.
        if let out {
            do {
                try PlanDirectoryWriter.check(out, force: force)
            } catch {
                throw RuntimeError(error.description)
            }
        }
        let analysis = try await source.analysis()
        let options = MeshPlanner.Options(
            defaultHosts: try parsedDefaultHosts(), groupThreshold: groupThreshold, perWorkload: perWorkload,
            replaceExisting: replaceExisting, waves: waves, memoryPricePerGiBMonth: memoryPrice)
        let scopedNamespaces = Set(analysis.pods.filter { MeshPlanner.isScoped($0.pod) }.map(\.pod.namespace)).sorted()
        let evidence = try await traffic.evidence(
            namespaces: scopedNamespaces, recommender: EgressRecommender(analysis: analysis)) ?? [:]
        let plan = MeshPlanner(analysis: analysis).plan(options: options, evidence: evidence)
        // A plan from part of the traffic can cut what only the unread sidecars use: refused unless asked for.
        let partial = source.manifests.isEmpty ? Self.partialNote(unread: plan.unreadSidecars) : nil
        if let partial, !allowPartial {
            throw RuntimeError(
                "\(partial); fix them (a stopped Envoy, an unreachable pod) and run again, or add --allow-partial to plan anyway")
        }
        if let partial { printError("PARTIAL: \(partial)") }
        if let out {
            do {
                try PlanDirectoryWriter.write(plan, to: out, force: force)
            } catch {
                throw RuntimeError(error.description)
            }
            printError("wrote \(plan.sidecars.count) Sidecar(s) in \(plan.waves.count) wave(s) to \(out) (kubectl apply -k \(out))")
        }
        switch output {
        case .table:
            if let partial { print("PARTIAL: \(partial)\n") }
            print(plan.table, terminator: "")
        case .json:
            var json = plan.orderedJSON
            // After the keys issue #14 names, so their order is kept.
            if let partial, case .object(let members) = json {
                json = .object(members + [
                    OrderedJSON.Member(key: "partial", value: .bool(true)),
                    OrderedJSON.Member(key: "partialReason", value: .string(partial)),
                ])
            }
            print(json.formatted(indent: "  "))
        case .yaml:
            if let partial { print("# PARTIAL: \(partial)") }
            print(plan.yaml, terminator: "")
        }
        if !plan.keepsEveryObservedDestination {
            throw RuntimeError("the plan would cut \(plan.totals.cuts.count) observed destination(s) (listed under cuts); do not apply it as is")
        }
    }

    /// The same note without a plan (`meshtrim check`): the unread sidecars of `namespaces`, from `evidence` or, for a
    /// namespace without evidence, the sidecars' counters.
    static func partialNote(
        _ analysis: MeshAnalysis, namespaces: [String], evidence: [String: TrafficEvidence], consequence: String
    ) -> String? {
        let recommender = EgressRecommender(analysis: analysis)
        let unread = namespaces.flatMap { namespace in
            (evidence[namespace] ?? recommender.counterEvidence(namespace: namespace, workloadSelector: nil))
                .unobservedPods.map { "\(namespace)/\($0)" }
        }
        return partialNote(unread: unread, consequence: consequence)
    }

    /// Why the plan (or a check) is incomplete: the sidecars whose traffic could not be read (by their counters, or by
    /// Prometheus), named (``MeshPlan/unreadSidecars``), and `consequence`; nil when every one was read.
    static func partialNote(unread: [String], consequence: String = "so the plan misses destinations only they use") -> String? {
        guard !unread.isEmpty else { return nil }
        let shown = unread.prefix(10).joined(separator: ", ") + (unread.count > 10 ? ", … (\(unread.count - 10) more)" : "")
        return "\(unread.count) sidecar\(unread.count == 1 ? "" : "s") could not be read (\(shown)), \(consequence)"
    }
}
