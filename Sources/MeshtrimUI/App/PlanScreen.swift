import MeshtrimCore

/// The `:plan` screen: ``MeshPlanner``'s plan of the loaded mesh as one scrollable text — totals, the waves with their
/// Sidecars (sidecars affected, clusters and memory now → after), cut risks, unknown destinations and notes — with a
/// cursor; `enter` on a Sidecar's line opens its YAML preview, `w` writes the plan directory.
public struct PlanScreen: Hashable, Sendable {
    /// The plan shown.
    public var plan: MeshPlan
    /// Everything shown, in order (coloured by kind).
    public var lines: [ReportLine]
    /// For each line, the `namespace/name` of the planned Sidecar it is (nil: not a Sidecar's line).
    public var sidecarOfLine: [String?]
    /// The line under the cursor.
    public var cursor: Int
    /// The first line on screen.
    public var offset: Int
    /// The last directory written, if any.
    public var lastPath: String?

    /// The screen for `plan`, cursor on its first Sidecar.
    public init(plan: MeshPlan) {
        self.plan = plan
        (lines, sidecarOfLine) = Self.content(of: plan)
        cursor = sidecarOfLine.firstIndex { $0 != nil } ?? 0
        offset = 0
        lastPath = nil
    }

    /// The planned Sidecar under the cursor, if the cursor is on one.
    public var selectedSidecar: PlannedSidecar? {
        guard sidecarOfLine.indices.contains(cursor), let name = sidecarOfLine[cursor] else { return nil }
        return plan.sidecar(named: name)
    }

    /// The lines and which Sidecar each one is.
    static func content(of plan: MeshPlan) -> ([ReportLine], [String?]) {
        var lines: [ReportLine] = []
        var owners: [String?] = []
        func add(_ text: String, _ kind: ReportLine.Kind, sidecar: String? = nil) {
            lines.append(ReportLine(text, kind))
            owners.append(sidecar)
        }
        let totals = plan.totals
        add("TOTALS", .heading)
        if !plan.unreadSidecars.isEmpty {
            // As `meshtrim plan` refuses without --allow-partial: what only these sidecars call is not protected.
            add(
                "PARTIAL: \(Formatting.plural(plan.unreadSidecars.count, "sidecar")) could not be read; the plan misses "
                    + "destinations only they use", .error)
        }
        add(
            "mesh-wide default \(plan.meshDefault.qualifiedName): \(plan.meshDefault.hosts.joined(separator: ", "))"
                + (plan.sidecars.contains { $0.kind == .meshDefault } ? "" : " (existing, kept)"), .context)
        add(
            "\(Formatting.plural(plan.sidecars.count, "Sidecar")) in \(Formatting.plural(plan.waves.count, "wave")) · "
                + "\(Formatting.plural(totals.sidecarsAffected, "sidecar")) affected", .context)
        add(
            "clusters \(Formatting.count(totals.clustersBefore)) → \(Formatting.count(totals.clustersAfter)) · Envoy memory "
                + "\(Formatting.bytes(totals.bytesBefore)) → ~\(Formatting.bytes(totals.bytesAfter)) (saves "
                + "\(Formatting.bytes(totals.savingBytes)))", .context)
        add("estimate: \(plan.memoryModel.summary(formatBytes: Formatting.bytes))", .note)
        add("traffic: \(plan.trafficSource)", .note)

        for wave in plan.waves {
            add("", .context)
            add(
                "WAVE \(wave.wave) · \(Formatting.plural(wave.sidecars.count, "Sidecar")) · "
                    + "\(Formatting.plural(wave.sidecarsAffected, "sidecar")) · \(Formatting.bytes(wave.bytesBefore)) → "
                    + "~\(Formatting.bytes(wave.bytesAfter))", .heading)
            add(wave.why, .note)
            for sidecar in plan.sidecarsInWaveOrder where sidecar.wave == wave.wave {
                add(
                    "  \(sidecar.qualifiedName)\(sidecar.replaces == nil ? "" : " (update)") · \(sidecar.kind.rawValue) · "
                        + "\(Formatting.plural(sidecar.sidecarsAffected, "sidecar")) · clusters "
                        + "\(Formatting.count(sidecar.clustersBefore)) → \(Formatting.count(sidecar.clustersAfter)) · "
                        + "\(Formatting.bytes(sidecar.bytesBefore)) → ~\(Formatting.bytes(sidecar.bytesAfter)) · "
                        + Formatting.plural(sidecar.hosts.count, "host"),
                    .context, sidecar: sidecar.qualifiedName)
            }
            add(
                wave.cutsAfterWave.isEmpty
                    ? "✓ no observed destination cut after this wave"
                    : "✗ \(wave.cutsAfterWave.count) observed destination(s) cut after this wave",
                wave.cutsAfterWave.isEmpty ? .success : .error)
            add("watch: the BlackHole/Passthrough counters of these sidecars must stay flat", .note)
        }

        add("", .context)
        add("CUT RISKS", .heading)
        if totals.cuts.isEmpty {
            add("✓ none: every destination with observed traffic stays in the scope of the sidecars that sent it", .success)
        } else {
            add("✗ \(totals.cuts.count) observed destination(s) would be cut: do not apply this plan as is", .error)
            for cut in totals.cuts {
                add("✗ \(cut.sourceNamespace) → \(cut.host): \(Formatting.count(cut.requests)) req from "
                    + Formatting.plural(cut.pods.count, "pod"), .error)
            }
        }
        let kept = plan.sidecars.filter { $0.kind != .meshDefault && !$0.keeps.isEmpty }
        for sidecar in kept where sidecar.kind == .namespace {
            let cross = sidecar.keeps.filter { $0.host.split(separator: "/").first.map(String.init) != sidecar.manifest.namespace }
            guard !cross.isEmpty else { continue }
            add(
                "kept by \(sidecar.qualifiedName): \(Formatting.plural(cross.count, "cross-namespace destination")) the mesh-wide "
                    + "default alone would cut", .warning)
        }

        add("", .context)
        add("UNKNOWN DESTINATIONS (\(plan.unknownDestinations.count))", .heading)
        if plan.unknownDestinations.isEmpty {
            add("none", .note)
        } else {
            add("no Sidecar host can keep these; they work only while outboundTrafficPolicy is ALLOW_ANY", .note)
            for entry in plan.unknownDestinations {
                add(
                    "! \(entry.sourceNamespace) → \(entry.host): \(Formatting.count(entry.requests)) req from "
                        + "\(Formatting.plural(entry.pods.count, "pod")); \(entry.reason)", .warning)
            }
        }
        if !plan.notes.isEmpty {
            add("", .context)
            add("NOTES", .heading)
            for note in plan.notes { add(note, .note) }
        }
        return (lines, owners)
    }
}
