import ArgumentParser
import Foundation
import MeshtrimCore

/// `meshtrim clusters`: `istioctl proxy-config clusters --file`, byte for byte, without istioctl or a cluster.
struct ClustersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusters",
        abstract: "Print the clusters of an Envoy config dump exactly as istioctl proxy-config clusters does.",
        discussion: """
            Reads the JSON of the Envoy admin endpoint /config_dump (a full dump, istioctl's masked form, or \
            ?resource=dynamic_active_clusters&mask=cluster.name, where TYPE and DESTINATION RULE print as <unknown> \
            because the mask removed them). Static and active dynamic clusters are listed; warming clusters are not. Filters are substring tests on the cluster name, as in istioctl.

            Examples:
              kubectl exec POD -c istio-proxy -- pilot-agent request GET config_dump >d.json
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

    @Option(
        name: [.customLong("config-dump"), .customLong("file"), .customShort("f")],
        help: ArgumentHelp("The config dump JSON file (- reads standard input).", valueName: "file"))
    var configDump: String

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

    func run() throws {
        let data = try readInput()
        let dump: EnvoyConfigDump
        let clusters: [EnvoyCluster]
        do {
            dump = try EnvoyConfigDump(data: data)
            clusters = try dump.requireClusters()
        } catch {
            throw RuntimeError("\(displayName): \(error)")
        }
        let table = IstioctlClusterTable(
            filter: ClusterFilter(fqdn: fqdn, port: port, direction: direction, subset: subset))
        switch output {
        case .table, .short:
            if dump.isMaskedToNames {
                printError(
                    "note: \(displayName) has cluster names only (mask=cluster.name): TYPE and DESTINATION RULE are "
                        + "\(IstioctlClusterTable.unknownCell); fetch /config_dump?resource=dynamic_active_clusters without the mask to see them")
            }
            print(table.render(rows: IstioctlClusterTable.rows(of: dump)), terminator: "")
        case .json: print(table.renderJSON(clusters), terminator: "")
        }
    }

    private var displayName: String { configDump == "-" ? "standard input" : configDump }

    /// The dump's bytes (``InputFile``: at most 256 MiB, no binary data; `-` is standard input).
    private func readInput() throws -> Data {
        do {
            let data = try InputFile.read(configDump)
            try InputFile.checkText(data, file: configDump, expected: "an Envoy config dump (JSON)")
            return data
        } catch {
            throw RuntimeError(error.description)
        }
    }
}
