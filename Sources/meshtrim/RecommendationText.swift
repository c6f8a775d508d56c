import Foundation
import MeshtrimCore

/// `meshtrim recommend`'s three outputs: YAML with `#` reasons, the issue's JSON shape, and a table.
enum RecommendationText {
    /// The Sidecar YAML preceded by `#` lines: where the figures come from, each host's reason, inferred and
    /// unknown destinations, notes. Valid YAML for `kubectl apply -f -`.
    static func yaml(_ recommendation: EgressRecommendation, impact: EgressImpact, model: MemoryModel, now: Date) -> String {
        var lines = header(recommendation, impact: impact, model: model, now: now)
        for host in recommendation.hosts { lines.append("\(host.host): \(host.reason)") }
        for inferred in recommendation.inferred {
            lines.append("also in scope: \(inferred.namespace)/\(inferred.host): \(inferred.explanation)")
        }
        for unknown in recommendation.unknownDestinations {
            lines.append("unknown destination \(unknown.host): \(summary(unknown)) — \(unknown.reason)")
        }
        for note in notes(recommendation, impact: impact) { lines.append("note: \(note)") }
        if let replaced = replacement(recommendation) {
            lines.append(replaced.summary)
            lines += replaced.diff
        }
        let comments = lines.map { "# " + $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        return comments + "\n" + recommendation.manifest.yaml
    }

    /// `{"hosts":[{"host","reason","requests","pods",…}],"unknownDestinations":[…],"sidecar":"<yaml>",…}`: the
    /// issue's keys first and in its order, then the rest.
    static func json(_ recommendation: EgressRecommendation, impact: EgressImpact) -> OrderedJSON {
        func object(_ members: [(String, OrderedJSON)]) -> OrderedJSON { .object(members.map { OrderedJSON.Member(key: $0.0, value: $0.1) }) }
        func strings(_ values: [String]) -> OrderedJSON { .array(values.map(OrderedJSON.string)) }
        func date(_ value: Date?) -> OrderedJSON { value.map { .string(EgressRecommender.timestamp($0)) } ?? .null }
        let hosts = recommendation.hosts.map { host in
            object([
                ("host", .string(host.host)), ("reason", .string(host.reason)), ("requests", .number(String(host.requests))),
                ("pods", strings(host.pods)), ("kind", .string(host.kind.rawValue)), ("services", strings(host.services)),
                ("lastSeen", date(host.lastSeen)),
            ])
        }
        let unknown = recommendation.unknownDestinations.map { destination in
            object([
                ("host", .string(destination.host)), ("reason", .string(destination.reason)),
                ("requests", .number(String(destination.requests))), ("pods", strings(destination.pods)),
                ("lastSeen", date(destination.lastSeen)),
            ])
        }
        let inferred = recommendation.inferred.map { destination in
            object([
                ("host", .string("\(destination.namespace)/\(destination.host)")), ("reason", .string(destination.explanation)),
                ("virtualService", .string(destination.virtualService)), ("hasTraffic", .bool(destination.hasTraffic)),
            ])
        }
        let selector = recommendation.workloadSelector.map { labels in
            object(labels.sorted { $0.key < $1.key }.map { ($0.key, OrderedJSON.string($0.value)) })
        } ?? .null
        return object([
            ("hosts", .array(hosts)), ("unknownDestinations", .array(unknown)), ("sidecar", .string(recommendation.manifest.yaml)),
            ("inferred", .array(inferred)), ("namespace", .string(recommendation.namespace)), ("workloadSelector", selector),
            ("source", .string(recommendation.source)), ("window", recommendation.window.map(OrderedJSON.string) ?? .null),
            ("countedSince", date(recommendation.countedSince)), ("groupThreshold", .number(threshold(recommendation.groupThreshold))),
            ("pods", strings(recommendation.pods)), ("unobservedPods", strings(recommendation.unobservedPods)),
            ("notes", strings(notes(recommendation, impact: impact))),
            ("replaces", replacement(recommendation).map { .string($0.name) } ?? .null),
            ("diff", replacement(recommendation).map { strings($0.diff) } ?? .null),
            ("impact", object([
                ("pods", .number(String(impact.affectedPodCount))), ("clustersBefore", .number(String(impact.clustersBefore))),
                ("clustersAfter", .number(String(impact.clustersAfter))),
                ("memoryBeforeBytes", .number(String(impact.memoryBeforeBytes))),
                ("memoryAfterBytes", .number(String(impact.memoryAfterBytes))),
            ])),
        ])
    }

    /// A table of hosts (HOST, REQUESTS, PODS, LAST SEEN, WHY), then inferred and unknown destinations and notes.
    static func table(_ recommendation: EgressRecommendation, impact: EgressImpact, model: MemoryModel, now: Date) -> String {
        var out = header(recommendation, impact: impact, model: model, now: now).joined(separator: "\n") + "\n\n"
        var rows = [["HOST", "REQUESTS", "PODS", "LAST SEEN", "WHY"]]
        for host in recommendation.hosts {
            rows.append([
                host.host, String(host.requests), String(host.pods.count), host.lastSeen.map { age(of: $0, now: now) } ?? "-",
                host.reason,
            ])
        }
        out += aligned(rows)
        if !recommendation.inferred.isEmpty {
            out += "\nAlso in scope through VirtualServices:\n"
            for inferred in recommendation.inferred { out += "  \(inferred.namespace)/\(inferred.host): \(inferred.explanation)\n" }
        }
        if !recommendation.unknownDestinations.isEmpty {
            out += "\nUnknown destinations (not importable; kept only by outboundTrafficPolicy ALLOW_ANY):\n"
            var unknownRows = [["DESTINATION", "REQUESTS", "PODS", "WHY"]]
            for unknown in recommendation.unknownDestinations {
                unknownRows.append([unknown.host, String(unknown.requests), unknown.pods.joined(separator: ","), unknown.reason])
            }
            out += aligned(unknownRows)
        }
        let notes = notes(recommendation, impact: impact)
        if !notes.isEmpty {
            out += "\n" + notes.map { "note: \($0)\n" }.joined()
        }
        if let replaced = replacement(recommendation) {
            out += "\n" + replaced.summary + "\n" + replaced.diff.map { $0 + "\n" }.joined()
        }
        return out
    }

    /// The existing Sidecar a recommendation edits: its `namespace/name`, a sentence, and the diff from the object
    /// as it is in the mesh to the recommended one (only egress hosts change; every other field is kept).
    private static func replacement(_ recommendation: EgressRecommendation) -> (name: String, summary: String, diff: [String])? {
        let manifest = recommendation.manifest
        guard let replacing = manifest.replacing, let replacedYAML = manifest.replacedYAML else { return nil }
        let name = replacing.meta.qualifiedName
        let diff = LineDiff.unifiedText(from: replacedYAML, to: manifest.yaml, oldLabel: "\(name) (in the mesh)", newLabel: manifest.fileName)
        let summary = diff.isEmpty
            ? "replaces Sidecar \(name): no change"
            : "replaces Sidecar \(name): only its egress hosts change, every other field is kept; diff:"
        return (name, summary, diff)
    }

    /// The recommendation's notes, then the impact's (precedence of other Sidecars), each once.
    private static func notes(_ recommendation: EgressRecommendation, impact: EgressImpact) -> [String] {
        var result = recommendation.notes
        for note in impact.notes where !result.contains(note) { result.append(note) }
        return result
    }

    private static func header(_ recommendation: EgressRecommendation, impact: EgressImpact, model: MemoryModel, now: Date) -> [String] {
        let target = recommendation.workloadSelector.map { selector in
            "workload " + selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                + " in namespace \(recommendation.namespace)"
        } ?? "namespace \(recommendation.namespace)"
        var source = "traffic: \(recommendation.source)"
        if let window = recommendation.window { source += ", window \(window)" }
        if let since = recommendation.countedSince {
            source += ", counting since \(EgressRecommender.timestamp(since)) (\(age(of: since, now: now)))"
        }
        return [
            "meshtrim recommend: \(target), \(recommendation.pods.count) sidecar pod(s)",
            source,
            "group threshold \(threshold(recommendation.groupThreshold)) (a namespace becomes ns/* when this fraction of its visible services had traffic)",
            "effect on \(impact.affectedPodCount) pod(s): clusters \(impact.clustersBefore) → \(impact.clustersAfter), Envoy memory "
                + "\(ByteFormat.binary(impact.memoryBeforeBytes)) → \(ByteFormat.binary(impact.memoryAfterBytes)) (estimated, \(ReportCommand.estimateBasis(model)))",
        ]
    }

    private static func summary(_ unknown: EgressRecommendation.UnknownDestination) -> String {
        "\(unknown.requests) request\(unknown.requests == 1 ? "" : "s")"
            + (unknown.pods.isEmpty ? "" : " from \(unknown.pods.joined(separator: ", "))")
    }

    /// `0.5`, `1`.
    static func threshold(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }

    /// `3d 4h ago`, `5m ago`, `just now`.
    static func age(of date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 60 { return seconds < 0 ? "in the future" : "\(seconds)s ago" }
        let days = seconds / 86_400
        let hours = seconds % 86_400 / 3_600
        let minutes = seconds % 3_600 / 60
        if days > 0 { return "\(days)d \(hours)h ago" }
        if hours > 0 { return "\(hours)h \(minutes)m ago" }
        return "\(minutes)m ago"
    }

    private static func aligned(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (column, cell) in row.enumerated() where column < columns - 1 { widths[column] = max(widths[column], cell.count) } }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == columns - 1 ? cell : cell.padding(toLength: widths[column] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
