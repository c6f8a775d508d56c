import ArgumentParser
import Foundation
import MeshtrimCore

/// `meshtrim report`: one row per sidecar with its memory, clusters and what the common fix would leave.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Per-sidecar memory and clusters now, and with ./* + the istiod namespace.",
        discussion: """
            Sorted by Envoy memory (largest first), then predicted clusters. "preset" columns are the prediction \
            for a namespace-wide Sidecar with egress ./* and <istiod namespace>/* (pods that keep a workload \
            Sidecar keep their numbers).

            Without --snapshot or --manifests the report reads the live cluster of the kubeconfig's current context \
            (--kubeconfig, --context pick another): the inventory by paginated lists, each sidecar's Envoy memory and \
            cluster count through the API server's pod proxy (:15090), and the istio-proxy working set from \
            metrics.k8s.io. What RBAC does not permit is reported on standard error and left blank.

            Examples:
              meshtrim report -A -o csv > sidecars.csv
              meshtrim report --context prod -n shop
              meshtrim report --snapshot mesh.json -A -o csv > sidecars.csv
              meshtrim report --manifests k8s/ -n shop -o json
            """
    )

    /// One row of the report (`-o json` keys, in this order, are part of the scripting interface).
    struct Row {
        var namespace: String
        var pod: String
        /// `sidecar` or `gateway` (a gateway keeps the default scope: its preset figures equal its current ones).
        var proxy: ProxyKind = .sidecar
        var envoyAllocatedBytes: Int?
        var workingSetBytes: Int?
        var activeClusters: Int?
        var predictedClusters: Int
        var sidecar: String?
        var presetClusters: Int
        var presetEstimatedBytes: Int?

        var orderedJSON: OrderedJSON {
            func number(_ value: Int?) -> OrderedJSON { value.map { .number(String($0)) } ?? .null }
            let members: [(String, OrderedJSON)] = [
                ("namespace", .string(namespace)), ("pod", .string(pod)), ("proxy", .string(proxy.rawValue)),
                ("envoyAllocatedBytes", number(envoyAllocatedBytes)), ("workingSetBytes", number(workingSetBytes)),
                ("activeClusters", number(activeClusters)), ("predictedClusters", number(predictedClusters)),
                ("sidecar", sidecar.map(OrderedJSON.string) ?? .null), ("presetClusters", number(presetClusters)),
                ("presetEstimatedBytes", number(presetEstimatedBytes)),
            ]
            return .object(members.map { OrderedJSON.Member(key: $0.0, value: $0.1) })
        }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var source: SourceOptions

    /// `-n` or `-A`.
    @OptionGroup var namespaces: NamespaceOptions
    var namespace: String? { namespaces.namespace }

    @Option(name: .shortAndLong, help: "Output format: table, json or csv.")
    var output: Format = .table

    func run() async throws {
        let analysis = try await source.analysis(namespaces: namespaces.selected)
        try namespaces.requireKnown(in: analysis)
        let rows = Self.rows(analysis, namespace: namespace)
        switch output {
        case .json:
            Self.printJSON(rows)
        case .csv:
            print("namespace,pod,proxy,envoyAllocatedBytes,workingSetBytes,activeClusters,predictedClusters,sidecar,presetClusters,presetEstimatedBytes")
            for row in rows {
                let cells: [String] = [
                    row.namespace, row.pod, row.proxy.rawValue, row.envoyAllocatedBytes.map(String.init) ?? "",
                    row.workingSetBytes.map(String.init) ?? "", row.activeClusters.map(String.init) ?? "",
                    String(row.predictedClusters), row.sidecar ?? "", String(row.presetClusters),
                    row.presetEstimatedBytes.map(String.init) ?? "",
                ]
                print(cells.map(Self.csvField).joined(separator: ","))
            }
        case .table:
            let table = TextTable(
                headers: ["NAMESPACE", "POD", "ENVOY MEM", "WORKING SET", "CLUSTERS", "PREDICTED", "SIDECAR", "PRESET", "PRESET MEM"],
                rows: rows.map { row in
                    [row.namespace, row.pod, ByteFormat.binary(row.envoyAllocatedBytes), ByteFormat.binary(row.workingSetBytes),
                     row.activeClusters.map(String.init) ?? "-", String(row.predictedClusters),
                     row.proxy == .gateway ? "(gateway)" : row.sidecar ?? "-",
                     String(row.presetClusters), ByteFormat.binary(row.presetEstimatedBytes)]
                },
                rightAligned: [2, 3, 4, 5, 7, 8])
            print(table.rendered)
            print("PRESET MEM is an estimate: \(Self.estimateBasis(analysis)).")
        }
        if output != .table { printError("note: presetEstimatedBytes is an estimate: \(Self.estimateBasis(analysis))") }
    }

    /// The rows as `OrderedJSON.array(rows).formatted(indent: "  ")` prints them, one row at a time: 50,000 rows never
    /// exist as one JSON tree and one string (that was a third of the command's peak memory).
    static func printJSON(_ rows: [Row]) {
        guard !rows.isEmpty else {
            print(OrderedJSON.array([]).formatted(indent: "  "))
            return
        }
        // The array printed as `formatted` prints it, one row at a time into a buffer written every 64 KiB.
        let indent = Array("  ".utf8)
        var chunk: [UInt8] = [UInt8(ascii: "[")]
        chunk.reserveCapacity(1 << 17)
        for (position, row) in rows.enumerated() {
            chunk.append(contentsOf: "\n  ".utf8)
            row.orderedJSON.appendFormatted(to: &chunk, indent: indent, level: 1)
            if position < rows.count - 1 { chunk.append(UInt8(ascii: ",")) }
            if chunk.count > 1 << 16 {
                print(String(decoding: chunk, as: UTF8.self), terminator: "")
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk.append(contentsOf: "\n]".utf8)
        print(String(decoding: chunk, as: UTF8.self))
    }

    /// What the estimates rest on: `fit on 312 proxies (base 5.9Mi, 27Ki per cluster)` or the measured table.
    static func estimateBasis(_ analysis: MeshAnalysis) -> String { estimateBasis(analysis.memoryModel) }

    /// What estimates with `model` rest on, as in ``estimateBasis(_:)-swift.type.method``.
    static func estimateBasis(_ model: MemoryModel) -> String {
        model.summary { ByteFormat.binary($0) } + "; working set falls only after the pods restart"
    }

    /// Rows for every pod with a sidecar (optionally one namespace), sorted by memory then clusters.
    static func rows(_ analysis: MeshAnalysis, namespace: String?) -> [Row] {
        let namespaces = namespace.map { [$0] } ?? analysis.namespaces.map(\.name)
        // Namespaces are independent (each one's common fix is its own scope): their rows are made on all cores, and
        // the sort below, total on (namespace, pod), makes the order the same as one by one.
        let rows = namespaces.concurrentMap { namespaceRows(analysis, $0) }.flatMap { $0 }
        return rows.sorted {
            let left = $0.envoyAllocatedBytes ?? -1
            let right = $1.envoyAllocatedBytes ?? -1
            if left != right { return left > right }
            if $0.predictedClusters != $1.predictedClusters { return $0.predictedClusters > $1.predictedClusters }
            return ($0.namespace, $0.pod) < ($1.namespace, $1.pod)
        }
    }

    /// The rows of one namespace's pods with a sidecar, their preset figures from the namespace's common fix (as the
    /// analysis computed it for the SAVING column).
    private static func namespaceRows(_ analysis: MeshAnalysis, _ name: String) -> [Row] {
        var rows: [Row] = []
        // Pod names are unique per namespace in every source, but a snapshot comes from outside: never trap.
        let changes = Dictionary(analysis.commonFixChanges(in: name).map { ($0.pod, $0) }, uniquingKeysWith: { _, last in last })
        for summary in analysis.pods(in: name) where summary.pod.hasSidecar {
            let change = summary.pod.isGateway ? nil : changes[summary.pod.name]
            let presetBytes: Int? = change.map(\.bytesAfter)
                ?? summary.envoyAllocatedBytes
                ?? (summary.observation == nil ? nil : analysis.memoryModel.estimatedBytes(clusters: summary.clusterCount))
            rows.append(
                Row(
                    namespace: name, pod: summary.pod.name, proxy: summary.pod.proxyKind, envoyAllocatedBytes: summary.envoyAllocatedBytes,
                    workingSetBytes: summary.workingSetBytes, activeClusters: summary.activeClusters,
                    predictedClusters: summary.predictedClusters, sidecar: summary.sidecar,
                    presetClusters: change?.clustersAfter ?? summary.predictedClusters,
                    presetEstimatedBytes: summary.observation == nil ? nil : presetBytes))
        }
        return rows
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
