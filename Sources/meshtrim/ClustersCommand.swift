import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles

/// `meshtrim clusters`: `istioctl proxy-config clusters`, byte for byte: a live pod's Envoy (through a
/// port-forward), a config dump file, or (`--predicted`) what istiod would send; `--why` adds the engine's reasons.
struct ClustersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusters",
        abstract: "Print a pod's Envoy clusters exactly as istioctl proxy-config clusters does, with --why and --predicted.",
        discussion: """
            With POD, reads the pod's Envoy config dump through a port-forward to its admin port 15000, as istioctl \
            does (the current kubeconfig context; POD.NAMESPACE, else -n, else the context's namespace; needs \
            pods/portforward). With \
            --config-dump FILE, reads a saved dump instead: the JSON of the Envoy admin endpoint /config_dump (a full \
            dump, istioctl's masked form, or ?resource=dynamic_active_clusters&mask=cluster.name, where TYPE and \
            DESTINATION RULE print as <unknown> because the mask removed them). Static and active dynamic clusters are \
            listed; warming clusters are not. Filters are substring tests on the cluster name, as in istioctl.

            --predicted prints the clusters istiod would send to POD, computed from the inventory only (the pod's \
            Envoy is not contacted; --demo, --snapshot or --manifests work too). --why adds a WHY column: the scope \
            engine's reason for each cluster (the egress host, VirtualService or DestinationRule subset that brought \
            it in), or "not predicted" for a cluster the engine does not expect.

            Examples:
              meshtrim clusters productpage-v1-7f9c8 -n bookinfo
              meshtrim clusters productpage-v1-7f9c8 -n bookinfo --why --fqdn reviews
              meshtrim clusters productpage-v1-7f9c8 -n bookinfo --predicted
              kubectl exec P -c istio-proxy -- pilot-agent request GET config_dump >d.json
              meshtrim clusters --config-dump d.json --fqdn reviews --port 9080
              meshtrim clusters --config-dump - -o json < d.json
            """,
        aliases: ["cluster", "c"]
    )

    /// How to print the clusters.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// The istioctl table (istioctl calls it `short`).
        case table
        /// Same as `table`, istioctl's spelling.
        case short
        /// The filtered cluster objects as a JSON array.
        case json
    }

    @Argument(help: ArgumentHelp("The pod whose Envoy to read (or predict, with --predicted); POD.NAMESPACE as in istioctl.", valueName: "pod"))
    var pod: String?

    @Option(name: [.short, .long], help: "The pod's namespace (default: the context's namespace, else default).")
    var namespace: String?

    @Option(
        name: [.customLong("config-dump"), .customLong("file"), .customShort("f")],
        help: ArgumentHelp("The config dump JSON file (- reads standard input) instead of the pod's Envoy.", valueName: "file"))
    var configDump: String?

    @Flag(help: "Add a WHY column: the scope engine's reason for each cluster (needs POD).")
    var why = false

    @Flag(help: "Print the clusters istiod would send to POD, from the inventory only, without contacting the pod.")
    var predicted = false

    @OptionGroup var source: SourceOptions

    @Option(help: "Keep clusters whose name contains this text.")
    var fqdn: String = ""

    @Option(help: "Keep clusters whose name contains |PORT| (0: any port).")
    var port: Int = 0

    @Option(help: "Keep clusters whose name contains this text (inbound, outbound).")
    var direction: String = ""

    @Option(help: "Keep clusters whose name contains this text.")
    var subset: String = ""

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: table (or short), json.")
    var output: Format = .table

    func validate() throws {
        if pod == nil && configDump == nil {
            throw ValidationError("give a POD (its Envoy is read through a port-forward) or --config-dump FILE")
        }
        if predicted && configDump != nil {
            throw ValidationError("--predicted computes the clusters from the inventory; leave out --config-dump")
        }
        if (why || predicted) && pod == nil {
            throw ValidationError("--why and --predicted need the POD whose scope to compute (with --config-dump, name the pod it came from)")
        }
        if output == .json && (why || predicted) {
            throw ValidationError("--why and --predicted print the table; -o json prints the clusters of a real Envoy")
        }
        if source.isGiven && !predicted && configDump == nil {
            throw ValidationError("--demo, --snapshot and --manifests have no Envoy to read: add --predicted, or --config-dump FILE with --why")
        }
    }

    func run() async throws {
        if predicted { return try await runPredicted() }
        guard let configDump else { return try await runLive() }
        let reasons = why ? try await loadScope().reasons : nil
        try printDump(try readInput(configDump), name: Self.displayName(configDump), reasons: reasons)
    }

    /// Prints a config dump's clusters (table or JSON), with a WHY column when `reasons` is given.
    func printDump(_ data: Data, name: String, reasons: [String: String]?) throws {
        let dump: EnvoyConfigDump
        let clusters: [EnvoyCluster]
        do {
            dump = try EnvoyConfigDump(data: data)
            clusters = try dump.requireClusters()
        } catch {
            throw RuntimeError("\(name): \(error)")
        }
        switch output {
        case .table, .short:
            if dump.isMaskedToNames {
                printError(
                    "note: \(name) has cluster names only (mask=cluster.name): TYPE and DESTINATION RULE are "
                        + "\(IstioctlClusterTable.unknownCell); fetch /config_dump?resource=dynamic_active_clusters without the mask to see them")
            }
            let rows = IstioctlClusterTable.rows(of: dump)
            if let reasons {
                print(table.render(rows: rows, reasons: reasons), terminator: "")
            } else {
                print(table.render(rows: rows), terminator: "")
            }
        case .json: print(table.renderJSON(clusters), terminator: "")
        }
    }

    static func displayName(_ configDump: String) -> String { configDump == "-" ? "standard input" : configDump }

    /// The table printer of the filter options.
    var table: IstioctlClusterTable {
        IstioctlClusterTable(filter: ClusterFilter(fqdn: fqdn, port: port, direction: direction, subset: subset))
    }

    /// The dump's bytes (``InputFile``: at most 256 MiB, no binary data; `-` is standard input).
    private func readInput(_ configDump: String) throws -> Data {
        do {
            let data = try InputFile.read(configDump)
            try InputFile.checkText(data, file: configDump, expected: "an Envoy config dump (JSON)")
            return data
        } catch {
            throw RuntimeError(error.description)
        }
    }
}
