import Foundation
import MeshtrimCore

/// `meshtrim drift`'s outputs: a section per Sidecar in effect (table), or a JSON array.
enum DriftText {
    /// How many rows of each list the table shows (JSON has them all).
    static let tableLimit = 20

    /// One section per drift: the Sidecar and its pods, the new dependencies, the trim candidates with their cost,
    /// the suggested update as a diff, notes. Ends in a newline.
    static func table(_ drifts: [SidecarDrift]) -> String {
        guard !drifts.isEmpty else { return "No Sidecar is in effect: there is nothing to drift (meshtrim plan proposes Sidecars).\n" }
        var out = ""
        for (offset, drift) in drifts.enumerated() {
            if offset > 0 { out += "\n" }
            let pods = drift.pods.count
            out += "Sidecar \(drift.sidecar.meta.qualifiedName) in \(drift.namespace): \(pods) pod\(pods == 1 ? "" : "s"), "
                + "traffic from \(drift.trafficSource): "
                + (drift.hasDrift ? "\(drift.newDependencies.count) new, \(drift.trimCandidates.count) to trim" : "no drift") + "\n"
            if !drift.newDependencies.isEmpty {
                out += "\nNEW DEPENDENCIES (traffic the Sidecar does not import)\n"
                let rows = drift.newDependencies.prefix(tableLimit).map { dependency in
                    [dependency.host, CountFormat.thousands(dependency.requests), String(dependency.pods.count), dependency.reason]
                }
                out += indented(TextTable(headers: ["HOST", "REQUESTS", "PODS", "WHY"], rows: Array(rows), rightAligned: [1, 2]).rendered)
                out += more(drift.newDependencies.count)
            }
            if !drift.trimCandidates.isEmpty {
                let clusters = drift.trimmableClusters
                out += "\nTRIM CANDIDATES (imported, no traffic): \(CountFormat.thousands(clusters)) cluster\(clusters == 1 ? "" : "s"), "
                    + "\(ByteFormat.binary(drift.trimmableBytes)) over \(pods) pod\(pods == 1 ? "" : "s")\n"
                let rows = drift.trimCandidates.prefix(tableLimit).map { candidate in
                    [candidate.host, String(candidate.clusters), ByteFormat.binary(candidate.bytesPerProxy), candidate.importedBecause]
                }
                out += indented(
                    TextTable(headers: ["HOST", "CLUSTERS", "MEM/PROXY", "IMPORTED BECAUSE"], rows: Array(rows), rightAligned: [1, 2]).rendered)
                out += more(drift.trimCandidates.count)
            }
            if drift.suggestion != nil {
                out += drift.diff.isEmpty
                    ? "\nSUGGESTED UPDATE: none, the Sidecar imports what its pods use\n"
                    : "\nSUGGESTED UPDATE (recommend's decision applied to the Sidecar as it is)\n" + drift.diff.map { "  " + $0 + "\n" }.joined()
            }
            for note in drift.notes { out += "note: \(note)\n" }
        }
        return out
    }

    /// `[{namespace, sidecar, pods, …, newDependencies, trimCandidates, suggestedHosts, diff, notes}]`.
    static func json(_ drifts: [SidecarDrift]) -> OrderedJSON {
        func object(_ members: [(String, OrderedJSON)]) -> OrderedJSON { .object(members.map { OrderedJSON.Member(key: $0.0, value: $0.1) }) }
        func strings(_ values: [String]) -> OrderedJSON { .array(values.map(OrderedJSON.string)) }
        func number(_ value: Int) -> OrderedJSON { .number(String(value)) }
        return .array(drifts.map { drift in
            let dependencies = drift.newDependencies.map { dependency in
                object([
                    ("host", .string(dependency.host)), ("kind", .string(dependency.kind.rawValue)), ("reason", .string(dependency.reason)),
                    ("requests", number(dependency.requests)), ("pods", strings(dependency.pods)),
                    ("lastSeen", dependency.lastSeen.map { .string(EgressRecommender.timestamp($0)) } ?? .null),
                ])
            }
            let candidates = drift.trimCandidates.map { candidate in
                object([
                    ("host", .string(candidate.host)), ("importedBecause", .string(candidate.importedBecause)),
                    ("clusters", number(candidate.clusters)), ("bytesPerProxy", number(candidate.bytesPerProxy)),
                    ("totalBytes", number(candidate.totalBytes)),
                ])
            }
            return object([
                ("namespace", .string(drift.namespace)), ("sidecar", .string(drift.sidecar.meta.qualifiedName)),
                ("pods", strings(drift.pods)), ("unobservedPods", strings(drift.unobservedPods)),
                ("traffic", .string(drift.trafficSource)), ("drift", .bool(drift.hasDrift)),
                ("newDependencies", .array(dependencies)), ("trimCandidates", .array(candidates)),
                ("trimmableClusters", number(drift.trimmableClusters)), ("trimmableBytes", number(drift.trimmableBytes)),
                ("suggestedHosts", drift.suggestion.map { strings($0.hostNames) } ?? .null),
                ("suggestedSidecar", drift.suggestion.map { .string($0.manifest.yaml) } ?? .null),
                ("diff", strings(drift.diff)), ("notes", strings(drift.notes)),
            ])
        })
    }

    private static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
            + (text.hasSuffix("\n") ? "" : "\n")
    }

    private static func more(_ count: Int) -> String {
        count > tableLimit ? "  … and \(count - tableLimit) more (-o json lists them all)\n" : ""
    }
}
