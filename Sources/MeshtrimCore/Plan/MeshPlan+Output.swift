import Foundation

/// A plan as `meshtrim plan` prints and writes it: JSON (the issue's keys, in order), multi-document YAML, a table and
/// the `PLAN.md` a reviewer reads. Pure text, so the CLI, the directory writer and the tests share it.
extension MeshPlan {
    // MARK: JSON

    /// `{"meshDefault", "sidecars", "waves", "unknownDestinations", "totals"}` with the keys of issue #14 first and
    /// in its order, then meshtrim's extras (`existing`, `memoryModel`, `trafficSource`, `notes`).
    public var orderedJSON: OrderedJSON {
        func object(_ members: [(String, OrderedJSON)]) -> OrderedJSON { .object(members.map { .init(key: $0.0, value: $0.1) }) }
        func strings(_ values: [String]) -> OrderedJSON { .array(values.map(OrderedJSON.string)) }
        func number(_ value: Int) -> OrderedJSON { .number(String(value)) }
        func destination(_ destination: PlanDestination) -> OrderedJSON {
            object([
                ("sourceNamespace", .string(destination.sourceNamespace)), ("host", .string(destination.host)),
                ("requests", number(destination.requests)), ("pods", strings(destination.pods)),
            ])
        }
        func selector(_ labels: [String: String]?) -> OrderedJSON {
            labels.map { object($0.sorted { $0.key < $1.key }.map { ($0.key, OrderedJSON.string($0.value)) }) } ?? .null
        }
        let sidecarObjects = sidecars.map { sidecar in
            object([
                ("namespace", .string(sidecar.manifest.namespace)), ("name", .string(sidecar.manifest.name)),
                ("kind", .string(sidecar.kind.rawValue)), ("workloadSelector", selector(sidecar.workloadSelector)),
                ("hosts", strings(sidecar.hosts)), ("wave", number(sidecar.wave)), ("reason", .string(sidecar.reason)),
                ("sidecarsAffected", number(sidecar.sidecarsAffected)), ("clustersBefore", number(sidecar.clustersBefore)),
                ("clustersAfter", number(sidecar.clustersAfter)), ("bytesBefore", number(sidecar.bytesBefore)),
                ("bytesAfter", number(sidecar.bytesAfter)), ("keeps", .array(sidecar.keeps.map(destination))),
                ("cuts", .array(sidecar.cuts.map(destination))),
                ("hostReasons", .array(sidecar.hostReasons.map { object([("host", .string($0.host)), ("reason", .string($0.reason))]) })),
                ("replaces", sidecar.replaces.map { .string($0.meta.qualifiedName) } ?? .null),
                ("diff", sidecar.diff.map(strings) ?? .null),
            ])
        }
        let waveObjects = waves.map { wave in
            object([
                ("wave", number(wave.wave)), ("sidecars", strings(wave.sidecars)), ("sidecarsAffected", number(wave.sidecarsAffected)),
                ("bytesBefore", number(wave.bytesBefore)), ("bytesAfter", number(wave.bytesAfter)),
                ("clustersBefore", number(wave.clustersBefore)), ("clustersAfter", number(wave.clustersAfter)),
                ("namespaces", strings(wave.namespaces)), ("why", .string(wave.why)), ("watch", strings(wave.watch)),
                ("cutsAfterWave", .array(wave.cutsAfterWave.map(destination))),
            ])
        }
        let unknown = unknownDestinations.map { entry in
            object([
                ("sourceNamespace", .string(entry.sourceNamespace)), ("host", .string(entry.host)), ("reason", .string(entry.reason)),
                ("requests", number(entry.requests)), ("pods", strings(entry.pods)),
            ])
        }
        var totalMembers: [(String, OrderedJSON)] = [
            ("sidecarsAffected", number(totals.sidecarsAffected)), ("clustersBefore", number(totals.clustersBefore)),
            ("clustersAfter", number(totals.clustersAfter)), ("bytesBefore", number(totals.bytesBefore)),
            ("bytesAfter", number(totals.bytesAfter)), ("cuts", .array(totals.cuts.map(destination))),
        ]
        if let price = options.memoryPricePerGiBMonth {
            totalMembers += [
                ("memoryPricePerGiBMonth", .number(Self.decimal(price))),
                ("costBefore", .number(Self.decimal(PlanTotals.cost(bytes: totals.bytesBefore, pricePerGiBMonth: price)))),
                ("costAfter", .number(Self.decimal(PlanTotals.cost(bytes: totals.bytesAfter, pricePerGiBMonth: price)))),
            ]
        }
        return object([
            ("meshDefault", object([
                ("namespace", .string(meshDefault.manifest.namespace)), ("name", .string(meshDefault.manifest.name)),
                ("hosts", strings(meshDefault.hosts)),
            ])),
            ("sidecars", .array(sidecarObjects)), ("waves", .array(waveObjects)), ("unknownDestinations", .array(unknown)),
            ("totals", object(totalMembers)),
            ("existing", .array(existing.map { report in
                object([
                    ("name", .string(report.qualifiedName)), ("kind", .string(report.kind.rawValue)),
                    ("action", .string(report.action.rawValue)), ("sidecars", number(report.sidecars)),
                ])
            })),
            ("memoryModel", .string(memoryModel.summary(formatBytes: ByteFormat.binary))), ("trafficSource", .string(trafficSource)),
            ("notes", strings(notes)),
        ])
    }

    /// `12.34`: two decimals, no locale.
    static func decimal(_ value: Double) -> String {
        let cents = Int((value * 100).rounded())
        let sign = cents < 0 ? "-" : ""
        let fraction = abs(cents) % 100
        return "\(sign)\(abs(cents) / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    // MARK: YAML

    /// The planned Sidecars in the order they are applied: by wave, then namespace and name.
    public var sidecarsInWaveOrder: [PlannedSidecar] {
        sidecars.sorted { ($0.wave, $0.manifest.namespace, $0.manifest.name) < ($1.wave, $1.manifest.namespace, $1.manifest.name) }
    }

    /// Every planned Sidecar as one multi-document YAML stream, in wave order (`kubectl apply -f -` takes it).
    public var yaml: String {
        sidecarsInWaveOrder.map { "# wave \($0.wave): \($0.qualifiedName) (\($0.kind.rawValue))\n" + $0.manifest.yaml }.joined(separator: "---\n")
    }

    /// `wave-N/NAMESPACE-NAME.yaml`: where `--out` writes a planned Sidecar.
    public static func relativePath(of sidecar: PlannedSidecar) -> String {
        "wave-\(sidecar.wave)/\(fileSafe(sidecar.manifest.namespace))-\(fileSafe(sidecar.manifest.name)).yaml"
    }

    private static func fileSafe(_ text: String) -> String {
        let safe = text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "-" }
        return safe.isEmpty ? "unnamed" : String(safe)
    }

    /// The `kustomization.yaml` that lists every planned Sidecar's file, in wave order.
    public var kustomization: String {
        var lines = [
            "# Written by meshtrim plan. Apply wave by wave (meshtrim apply -f DIR --wave N) or all at once (kubectl apply -k DIR).",
            "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources:",
        ]
        lines += sidecarsInWaveOrder.map { "- " + Self.relativePath(of: $0) }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Text

    /// `now → after` of a byte figure.
    private static func bytes(_ before: Int, _ after: Int) -> String {
        "\(ByteFormat.binary(before)) → \(ByteFormat.binary(after))"
    }

    /// The totals in a few lines: sidecars, clusters, memory (with the model's basis), cost.
    public var summaryLines: [String] {
        var lines = [
            "mesh-wide default: \(meshDefault.qualifiedName) with \(meshDefault.hosts.joined(separator: ", "))"
                + (sidecars.contains { $0.kind == .meshDefault } ? "" : " (existing, kept)"),
            "sidecars affected: \(CountFormat.thousands(totals.sidecarsAffected))",
            "clusters: \(CountFormat.thousands(totals.clustersBefore)) → \(CountFormat.thousands(totals.clustersAfter))",
            "Envoy memory: \(Self.bytes(totals.bytesBefore, totals.bytesAfter)) (saves \(ByteFormat.binary(totals.savingBytes)); "
                + "\(memoryModel.summary(formatBytes: ByteFormat.binary)))",
        ]
        if let price = options.memoryPricePerGiBMonth {
            lines.append(
                "cost per month: \(Self.decimal(PlanTotals.cost(bytes: totals.bytesBefore, pricePerGiBMonth: price))) → "
                    + "\(Self.decimal(PlanTotals.cost(bytes: totals.bytesAfter, pricePerGiBMonth: price))) at \(Self.decimal(price)) per GiB-month")
        }
        lines.append(
            totals.cuts.isEmpty
                ? "observed destinations cut: none (every destination with observed traffic stays in scope)"
                : "OBSERVED DESTINATIONS CUT: \(totals.cuts.count): do not apply this plan as is")
        lines.append("traffic: \(trafficSource)")
        return lines
    }

    /// The plan for a terminal: totals, waves, Sidecars, unknown destinations, notes.
    public var table: String {
        var out = summaryLines.joined(separator: "\n") + "\n\n"
        var table = TextTable(headers: ["WAVE", "SIDECAR", "KIND", "SIDECARS", "CLUSTERS", "MEMORY", "HOSTS"], rightAligned: [0, 3, 6])
        for sidecar in sidecars {
            table.rows.append([
                String(sidecar.wave), sidecar.qualifiedName + (sidecar.replaces == nil ? "" : " (update)"), sidecar.kind.rawValue,
                CountFormat.thousands(sidecar.sidecarsAffected),
                "\(CountFormat.thousands(sidecar.clustersBefore)) → \(CountFormat.thousands(sidecar.clustersAfter))",
                Self.bytes(sidecar.bytesBefore, sidecar.bytesAfter), String(sidecar.hosts.count),
            ])
        }
        out += table.rendered + "\n"
        out += waveLines.joined(separator: "\n") + "\n"
        if !unknownDestinations.isEmpty {
            out += "\nunknown destinations (no Sidecar host can keep them; they work only while outboundTrafficPolicy is ALLOW_ANY):\n"
            for entry in unknownDestinations.prefix(20) {
                out += "  \(entry.sourceNamespace) → \(entry.host): \(CountFormat.thousands(entry.requests)) req from "
                    + "\(entry.pods.count) pod(s); \(entry.reason)\n"
            }
            if unknownDestinations.count > 20 { out += "  … \(unknownDestinations.count - 20) more (-o json lists all)\n" }
        }
        for note in notes { out += "note: \(note)\n" }
        return out
    }

    /// One block per wave: its Sidecars, sidecars affected, saving, why, and what to watch.
    var waveLines: [String] {
        var lines: [String] = []
        for wave in waves {
            lines.append("")
            lines.append(
                "wave \(wave.wave): \(wave.sidecars.count) Sidecar(s), \(CountFormat.thousands(wave.sidecarsAffected)) sidecars in "
                    + "\(wave.namespaces.count) namespace(s), memory \(Self.bytes(wave.bytesBefore, wave.bytesAfter))")
            lines.append("  why: \(wave.why)")
            let shown = wave.sidecars.prefix(10).joined(separator: ", ") + (wave.sidecars.count > 10 ? ", … (\(wave.sidecars.count - 10) more)" : "")
            lines.append("  sidecars: \(shown)")
            lines.append("  cuts after this wave: \(wave.cutsAfterWave.isEmpty ? "none" : String(wave.cutsAfterWave.count))")
            lines.append("  watch before the next wave:")
            lines += wave.watch.map { "    \($0)" }
        }
        return lines
    }

    /// `PLAN.md`: the plan for a human reviewer (totals, waves, per namespace, cut risks, unknown destinations).
    public var markdown: String {
        var out = "# Sidecar plan\n\nWritten by `meshtrim plan`. Apply wave by wave, watching the counters listed for each wave "
            + "before going on; or all at once with `kubectl apply -k .`.\n\n## Totals\n\n"
        out += summaryLines.map { "- \($0)" }.joined(separator: "\n") + "\n\n## Waves\n\n"
        out += "A namespace's own Sidecar is applied no later than any Sidecar that would otherwise cut its traffic: namespace "
            + "Sidecars come before the mesh-wide default, which is applied last. Among namespaces, those whose sidecars call no "
            + "other namespace come first, then the largest saving.\n"
        for wave in waves {
            out += "\n### Wave \(wave.wave)\n\n\(wave.why).\n\n"
            out += "- Sidecars affected: \(CountFormat.thousands(wave.sidecarsAffected)) in \(wave.namespaces.count) namespace(s)\n"
            out += "- Clusters: \(CountFormat.thousands(wave.clustersBefore)) → \(CountFormat.thousands(wave.clustersAfter))\n"
            out += "- Envoy memory: \(Self.bytes(wave.bytesBefore, wave.bytesAfter))\n"
            out += "- Observed destinations cut after it: \(wave.cutsAfterWave.isEmpty ? "none" : String(wave.cutsAfterWave.count))\n"
            out += "- Files: " + sidecars.filter { $0.wave == wave.wave }.map { "`\(Self.relativePath(of: $0))`" }.joined(separator: ", ") + "\n"
            out += "- Watch (must stay flat):\n" + wave.watch.map { "  - `\($0)`" }.joined(separator: "\n") + "\n"
        }
        out += "\n## Sidecars\n\n| wave | Sidecar | kind | sidecars | clusters | memory | cross-namespace hosts kept |\n|---|---|---|---|---|---|---|\n"
        for sidecar in sidecars {
            let cross = sidecar.hosts.filter { !$0.hasPrefix("./") && !$0.hasPrefix("\(sidecar.manifest.namespace)/") }.count
            out += "| \(sidecar.wave) | `\(sidecar.qualifiedName)`\(sidecar.replaces == nil ? "" : " (update)") | \(sidecar.kind.rawValue) | "
                + "\(CountFormat.thousands(sidecar.sidecarsAffected)) | \(CountFormat.thousands(sidecar.clustersBefore)) → "
                + "\(CountFormat.thousands(sidecar.clustersAfter)) | \(Self.bytes(sidecar.bytesBefore, sidecar.bytesAfter)) | \(cross) |\n"
        }
        out += "\n## Per Sidecar\n"
        for sidecar in sidecars {
            out += "\n### \(sidecar.qualifiedName)\n\n\(sidecar.reason).\n\n"
            for host in sidecar.hostReasons { out += "- `\(host.host)`: \(host.reason)\n" }
            if let diff = sidecar.diff, !diff.isEmpty { out += "\n```diff\n" + diff.joined(separator: "\n") + "\n```\n" }
        }
        out += "\n## Cut risks\n\n"
        if totals.cuts.isEmpty {
            out += "None: every destination with observed traffic stays in the scope of the sidecars that sent it.\n"
        } else {
            for cut in totals.cuts {
                out += "- **\(cut.sourceNamespace) → \(cut.host)**, \(CountFormat.thousands(cut.requests)) req from \(cut.pods.count) pod(s)\n"
            }
        }
        out += "\n## Unknown destinations\n\n"
        if unknownDestinations.isEmpty {
            out += "None.\n"
        } else {
            out += "No Sidecar host can keep these; they keep working only while outboundTrafficPolicy is ALLOW_ANY (add a "
                + "ServiceEntry to make them known).\n\n"
            for entry in unknownDestinations {
                out += "- \(entry.sourceNamespace) → `\(entry.host)`: \(CountFormat.thousands(entry.requests)) req from "
                    + entry.pods.prefix(5).joined(separator: ", ") + (entry.pods.count > 5 ? ", …" : "") + "; \(entry.reason)\n"
            }
        }
        if !existing.isEmpty {
            out += "\n## Existing Sidecars\n\n"
            for report in existing { out += "- `\(report.qualifiedName)` (\(report.kind.rawValue), \(report.sidecars) sidecars): \(report.action.rawValue)\n" }
        }
        if !notes.isEmpty { out += "\n## Notes\n\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }
}
