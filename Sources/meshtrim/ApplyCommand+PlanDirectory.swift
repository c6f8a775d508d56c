import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube

#if canImport(Glibc)
    import Glibc
#endif

/// `meshtrim apply -f DIR [--wave N]`: a plan directory, wave by wave, with the checks of a single file.
extension ApplyCommand {
    /// One wave of the directory: its number and its documents.
    struct PlanWaveDocuments {
        /// `N` of `wave-N/`.
        var number: Int
        /// Its Sidecars, in the kustomization's order.
        var documents: [ApplyDocument]
        /// Whether it holds the mesh-wide default (its file says `mesh-default`, as `meshtrim plan` writes it), whose
        /// safety checks need every namespace; the other waves' need only their own namespaces.
        var isMeshWide: Bool
    }

    /// Applies the plan directory `file`: every wave in order (or only `--wave N`), each checked whole (RBAC, diff,
    /// server-side dry-run, safety against the cluster as it is after the earlier waves), then confirmed with one
    /// question (or `--yes`), then applied; the first refusal, "no" or failure stops it, naming what was applied.
    func runPlanDirectory() async throws {
        let directory = file
        let layout: PlanDirectoryLayout
        let texts: [String: String]
        do {
            (layout, texts) = try Self.readPlanDirectory(directory, wave: wave)
        } catch {
            printError("meshtrim apply: \(error)")
            throw ExitCode(1)
        }
        let selected = layout.waves.filter { wave == nil || $0.number == wave }
        let interactive = isatty(0) == 1
        if !dryRun && !yes && !interactive {
            printError(
                "meshtrim apply: refusing to apply without a question: standard input is not a terminal; add --yes to apply, "
                    + "or --dry-run to check only")
            throw ExitCode(1)
        }
        let (access, client) = try await connect()
        // Every file of every selected wave is read before the first is sent: a broken file stops nothing half-way.
        var waves: [PlanWaveDocuments] = []
        do {
            for wave in selected {
                var documents: [ApplyDocument] = []
                var isMeshWide = false
                for relative in wave.files {
                    let path = Self.join(directory, relative)
                    let text = texts[relative] ?? ""
                    documents += try ApplyDocumentReader.read(text, file: path, defaultNamespace: access.namespace)
                    if text.hasPrefix("# wave \(wave.number): \(PlannedSidecar.Kind.meshDefault.rawValue) ") { isMeshWide = true }
                }
                // A selector-less Sidecar in istio-system is the usual mesh default even without meshtrim's comment.
                isMeshWide = isMeshWide || documents.contains { $0.namespace == "istio-system" && $0.sidecar.workloadSelector == nil }
                waves.append(PlanWaveDocuments(number: wave.number, documents: documents, isMeshWide: isMeshWide))
            }
        } catch {
            printError("meshtrim apply: \(error)")
            await client.shutdown()
            throw ExitCode(1)
        }
        let count = waves.reduce(0) { $0 + $1.documents.count }
        print(
            "Plan directory \(directory): wave(s) \(layout.waveRange), "
                + (wave.map { "applying wave \($0) only (\(count) Sidecar\(count == 1 ? "" : "s"))" }
                    ?? "\(count) Sidecar\(count == 1 ? "" : "s"), one wave at a time"))
        if let wave, let first = layout.waves.first?.number, wave > first {
            print("note: wave \(wave) expects the earlier waves to be applied; the safety checks read the cluster as it is")
        }
        if dryRun && waves.count > 1 {
            print("note: dry-run: each wave is checked against the cluster as it is, without the earlier waves applied")
        }

        let applier = SidecarApplier(client: client)
        var done: [(wave: Int, outcomes: [Outcome])] = []
        var stop: String?
        for (index, wave) in waves.enumerated() {
            print("\n=== Wave \(wave.number) of \(layout.waves.count): \(wave.documents.count) Sidecar\(wave.documents.count == 1 ? "" : "s")")
            let outcomes = await self.apply(wave: wave, applier: applier, interactive: interactive)
            done.append((wave.number, outcomes))
            print("")
            for line in Self.summary(outcomes, dryRun: dryRun) {
                print(line.hasPrefix("== Summary") ? line.replacingOccurrences(of: "== Summary", with: "== Wave \(wave.number) summary") : line)
            }
            // The cause: the first Sidecar refused or failed on its own (not one only held back because of it).
            let failures = outcomes.filter(\.state.isFailure)
            if let failure = failures.first(where: { !Self.isHeldBack($0.state) }) ?? failures.first {
                let rest = waves[(index + 1)...].map { "wave \($0.number)" }
                stop = "Sidecar \(failure.check.document.qualifiedName) of wave \(wave.number) was not applied"
                    + (rest.isEmpty ? "" : "; \(rest.joined(separator: ", ")) not started")
                break
            }
        }
        await client.shutdown()
        print("")
        for line in Self.planSummary(done, layout: layout, dryRun: dryRun, stop: stop, directory: directory) { print(line) }
        if stop != nil { throw ExitCode(1) }
    }

    /// Checks one wave whole, asks once (unless `--yes`), and applies it; the first failure stops the rest of it.
    private func apply(wave: PlanWaveDocuments, applier: SidecarApplier, interactive: Bool) async -> [Outcome] {
        var safetyNotRun: String?
        var analysis: MeshAnalysis?
        if !noSafetyChecks {
            // The mesh-wide default changes sidecars in every namespace without a Sidecar: its wave reads them all.
            let namespaces = wave.isMeshWide ? nil : Array(Set(wave.documents.map(\.namespace))).sorted()
            switch await safetyAnalysis(namespaces: namespaces) {
            case .success(let loaded): analysis = loaded
            case .failure(let reason): safetyNotRun = reason.description
            }
        }
        var outcomes: [Outcome] = []
        for (index, document) in wave.documents.enumerated() {
            if index > 0 { print("") }
            let safety = analysis?.safetyFindings(for: document.sidecar) ?? []
            outcomes.append(await check(document, safety: safety, safetyNotRun: safetyNotRun, applier: applier))
        }
        let ready = outcomes.indices.filter { outcomes[$0].state == .ready }
        if outcomes.contains(where: \.state.isFailure) {
            for index in ready {
                outcomes[index].state = .refused("not sent, since another Sidecar of wave \(wave.number) was refused (a wave is checked whole first)")
            }
            return outcomes
        }
        guard !dryRun, !ready.isEmpty else { return outcomes }
        if !yes {
            let names = ready.map { outcomes[$0].check.document.qualifiedName }
            let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", … (\(names.count - 5) more)" : "")
            FileHandle.standardOutput.write(Data("\nApply wave \(wave.number) (\(names.count) Sidecar\(names.count == 1 ? "" : "s"): \(shown))? [y/N] ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                print("not applied: wave \(wave.number) was left as it was")
                for index in ready { outcomes[index].state = .declined }
                return outcomes
            }
        }
        var stopped: String?
        for index in ready {
            if let stopped {
                outcomes[index].state = .refused("not sent, since \(stopped)")
                continue
            }
            outcomes[index].state = await apply(outcomes[index], applier: applier, interactive: interactive, ask: false)
            if case .failed = outcomes[index].state { stopped = "the apply of Sidecar \(outcomes[index].check.document.qualifiedName) failed" }
        }
        return outcomes
    }

    /// Whether a Sidecar was only not sent because another one of its wave was refused or failed.
    static func isHeldBack(_ state: Outcome.State) -> Bool {
        if case .refused(let reason) = state { return reason.hasPrefix("not sent, since") }
        return false
    }

    /// The last lines: what each wave did, what was applied before a stop, and how to go on.
    static func planSummary(
        _ done: [(wave: Int, outcomes: [Outcome])], layout: PlanDirectoryLayout, dryRun: Bool, stop: String?, directory: String
    ) -> [String] {
        var lines = ["== Plan \(directory)" + (dryRun ? " (dry-run: nothing was changed)" : "")]
        var applied: [String] = []
        for (wave, outcomes) in done {
            let names = outcomes.compactMap { outcome -> String? in
                switch outcome.state {
                case .applied(let what): return "\(outcome.check.document.qualifiedName) \(what)"
                case .unchanged: return "\(outcome.check.document.qualifiedName) unchanged"
                default: return nil
                }
            }
            applied += names
            let failed = outcomes.count { $0.state.isFailure }
            let state =
                failed > 0
                ? "\(failed) of \(outcomes.count) not \(dryRun ? "accepted" : "applied")"
                : dryRun ? "all \(outcomes.count) accepted by the dry-run" : "applied (\(names.joined(separator: ", ")))"
            lines.append("\(failed > 0 ? "✗" : "✓") wave \(wave): \(state)")
        }
        if let stop {
            lines.append("stopped: \(stop)")
            if !dryRun {
                lines.append(
                    applied.isEmpty
                        ? "nothing was applied"
                        : "applied before the stop: \(applied.joined(separator: ", "))")
            }
            if let failedWave = done.last?.wave, !dryRun {
                lines.append("fix what is marked ✗ above, then go on with: meshtrim apply -f \(directory) --wave \(failedWave)")
            }
        } else if !dryRun, let last = done.last?.wave, let final = layout.waves.last?.number, last < final {
            lines.append("next: meshtrim apply -f \(directory) --wave \(last + 1)")
        }
        return lines
    }

    /// The layout of the plan directory and the text of every file of the selected wave(s).
    ///
    /// - Throws: ``RuntimeError`` when `directory` has no `kustomization.yaml`, is not a plan directory, has no wave
    ///   `wave`, or a file it lists cannot be read.
    static func readPlanDirectory(_ directory: String, wave: Int?) throws -> (PlanDirectoryLayout, [String: String]) {
        let kustomizationPath = join(directory, PlanDirectoryLayout.kustomizationFile)
        guard FileManager.default.fileExists(atPath: kustomizationPath) else {
            throw RuntimeError(
                "\(directory) is not a plan directory: it has no \(PlanDirectoryLayout.kustomizationFile) (meshtrim plan --out DIR "
                    + "writes wave-N/*.yaml, kustomization.yaml and PLAN.md); give -f FILE to apply a Sidecar file")
        }
        let layout: PlanDirectoryLayout
        do {
            let text = try InputFile.text(kustomizationPath, expected: "a kustomization (YAML)")
            layout = try PlanDirectoryLayout.read(kustomization: text, file: kustomizationPath)
        } catch let error as InputFileError {
            throw RuntimeError(error.description)
        } catch {
            throw RuntimeError("\(error)")
        }
        if let wave, layout.wave(wave) == nil {
            throw RuntimeError("\(directory) has wave(s) \(layout.waveRange); there is no wave \(wave)")
        }
        var texts: [String: String] = [:]
        for entry in layout.waves where wave == nil || entry.number == wave {
            for relative in entry.files {
                do {
                    texts[relative] = try InputFile.text(join(directory, relative), expected: "Sidecar YAML")
                } catch {
                    throw RuntimeError("\(kustomizationPath) lists \(relative), which cannot be read: \(error.description)")
                }
            }
        }
        return (layout, texts)
    }

    /// `directory/relative` (no doubled slash).
    static func join(_ directory: String, _ relative: String) -> String {
        directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }
}
