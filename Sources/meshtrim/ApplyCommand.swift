import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimKube

#if canImport(Glibc)
    import Glibc
#endif

/// `meshtrim apply -f FILE|-|DIR [--wave N] [--dry-run] [--yes] [--force-conflicts]`: applies Sidecars with RBAC check,
/// diff, server-side dry-run and a question first; server-side apply with field manager `meshtrim`. A directory is a
/// plan directory (`meshtrim plan --out DIR`), applied wave by wave (``runPlanDirectory()``).
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply Sidecars to the cluster: RBAC check, diff against the live object, server-side dry-run, then ask.",
        discussion: """
            Every Sidecar of the file in turn: prints whether RBAC allows it, the diff against the live object, the \
            server-side dry-run's answer (Istio's validation included) and the pods that will get it, then asks \
            (default No). Nothing is restarted: Envoy takes the new scope over xDS. Exit status 0 when everything was \
            applied (or, with --dry-run, accepted), 1 when anything was refused or failed.

            All documents are checked before the first is applied; when any is refused, none is applied. A safety \
            check that cannot run (the cluster could not be read for it, after retries) refuses like one that finds \
            an error: --ignore-safety applies anyway. Reads, access reviews and dry-runs are retried; a failed apply \
            is not sent again before the Sidecar is read back. With several documents, a summary ends the output.

            -f DIR applies a plan directory (meshtrim plan --out DIR): its kustomization.yaml's wave-N/ files, wave by \
            wave, each wave checked whole and then confirmed with one question (or --yes); the first refusal or \
            failure stops it, saying what was applied. --wave N applies only wave N. See docs/plan.md.

            Examples:
              meshtrim recommend -n shop | meshtrim apply -f - --dry-run
              meshtrim apply -f sidecar-shop.yaml
              meshtrim apply -f plan/ --wave 1 --yes
            """
    )

    @Option(
        name: .customShort("f"),
        help: ArgumentHelp(
            "The Sidecar YAML (multi-document allowed; - reads standard input), or a plan directory (meshtrim plan --out DIR).",
            valueName: "file|dir"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("With -f DIR (a plan directory): apply only this wave.", valueName: "n"))
    var wave: Int?

    @Flag(name: .long, help: "Check only: RBAC, diff and the server-side dry-run; change nothing.")
    var dryRun = false

    @Flag(name: [.customShort("y"), .long], help: "Apply without asking (needed when standard input is not a terminal).")
    var yes = false

    @Flag(name: .long, help: "Take over fields another field manager owns (server-side apply force=true).")
    var forceConflicts = false

    @Flag(name: .long, help: "Apply even when the safety checks find errors (cut traffic, istiod namespace missing, …).")
    var ignoreSafety = false

    @Flag(name: .long, help: "Skip the safety checks (they read the namespaces' sidecars and traffic first).")
    var noSafetyChecks = false

    @OptionGroup var cluster: ClusterOptions
    var kubeconfig: String? { cluster.kubeconfig }
    var context: String? { cluster.context }

    func validate() throws {
        if let wave, wave < 1 { throw ValidationError("--wave must be a wave number of the plan (1, 2, …)") }
    }

    mutating func run() async throws {
        var isDirectory: ObjCBool = false
        if file != "-", FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            try await runPlanDirectory()
            return
        }
        if wave != nil {
            printError("meshtrim apply: --wave applies a wave of a plan directory (-f DIR, as meshtrim plan --out DIR writes it); \(file) is not a directory")
            throw ExitCode(1)
        }
        let text: String
        do {
            text = try readInput()
        } catch {
            printError("meshtrim apply: \(error)")
            throw ExitCode(1)
        }
        let interactive = file != "-" && isatty(0) == 1
        if !dryRun && !yes && !interactive {
            printError(
                "meshtrim apply: refusing to apply without a question: standard input is not a terminal"
                    + (file == "-" ? " (it holds the file)" : "") + "; add --yes to apply, or --dry-run to check only")
            throw ExitCode(1)
        }
        let (access, client) = try await connect()
        let documents: [ApplyDocument]
        do {
            documents = try ApplyDocumentReader.read(text, file: file, defaultNamespace: access.namespace)
        } catch {
            printError("meshtrim apply: \(error)")
            await client.shutdown()
            throw ExitCode(1)
        }
        let applier = SidecarApplier(client: client)
        var safetyNotRun: String?
        var analysis: MeshAnalysis?
        if !noSafetyChecks {
            switch await safetyAnalysis(namespaces: Array(Set(documents.map(\.namespace))).sorted()) {
            case .success(let loaded): analysis = loaded
            case .failure(let reason): safetyNotRun = reason.description
            }
        }
        // Every document is checked (RBAC, diff, server-side dry-run, safety) before the first real apply is sent.
        var outcomes: [Outcome] = []
        for (index, document) in documents.enumerated() {
            if index > 0 { print("") }
            let safety = analysis?.safetyFindings(for: document.sidecar) ?? []
            outcomes.append(await check(document, safety: safety, safetyNotRun: safetyNotRun, applier: applier))
        }
        let refused = outcomes.contains { if case .refused = $0.state { return true } else { return false } }
        if refused && documents.count > 1 && !dryRun {
            for index in outcomes.indices where outcomes[index].state == .ready {
                outcomes[index].state = .refused("not sent, since another document of the file was refused (all are checked first)")
            }
        }
        if !dryRun {
            var stopped: String?
            for index in outcomes.indices where outcomes[index].state == .ready {
                if let stopped {
                    outcomes[index].state = .refused("not sent, since \(stopped)")
                    continue
                }
                outcomes[index].state = await apply(outcomes[index], applier: applier, interactive: interactive)
                if case .failed = outcomes[index].state { stopped = "the apply of Sidecar \(outcomes[index].check.document.qualifiedName) failed" }
            }
        }
        await client.shutdown()
        if documents.count > 1 || outcomes.contains(where: \.state.isFailure) {
            print("")
            for line in Self.summary(outcomes, dryRun: dryRun) { print(line) }
        }
        if outcomes.contains(where: \.state.isFailure) { throw ExitCode(1) }
    }

    /// One document's check and what became of it.
    struct Outcome {
        /// Where a document is.
        enum State: Equatable {
            /// Checked and allowed; waiting to be applied (or, with --dry-run, accepted).
            case ready
            /// The live object already says this.
            case unchanged
            /// Not applied (refused by a check, or not sent); the reason.
            case refused(String)
            /// The person answered no.
            case declined
            /// Applied; `created` or `configured`.
            case applied(String)
            /// The apply was sent and failed (or its outcome is unknown).
            case failed(String)

            /// Whether this makes the exit status 1.
            var isFailure: Bool {
                switch self {
                case .refused, .declined, .failed: return true
                case .ready, .unchanged, .applied: return false
                }
            }
        }

        /// The check.
        var check: ApplyCheck
        /// Where it is.
        var state: State
    }

    /// Checks one document and prints the report: whether it may be applied.
    func check(_ document: ApplyDocument, safety: [SafetyFinding], safetyNotRun: String?, applier: SidecarApplier) async -> Outcome {
        let check = await applier.check(document, forceConflicts: forceConflicts)
        for line in ApplyReport.lines(for: check, safety: safety) { print(Self.render(line)) }
        if let safetyNotRun { print("\(ignoreSafety ? "!" : "✗") safety: the checks could not run: \(safetyNotRun)") }
        guard check.mayApply else {
            printError("meshtrim apply: Sidecar \(document.qualifiedName) not applied: \(Self.reason(check))")
            return Outcome(check: check, state: .refused(Self.reason(check)))
        }
        if safetyNotRun != nil && !ignoreSafety {
            printError(
                "meshtrim apply: Sidecar \(document.qualifiedName) not applied: the safety checks could not run (the cluster could not be "
                    + "read for them, even after retries); try again, or add --ignore-safety to apply without them")
            return Outcome(check: check, state: .refused("the safety checks could not run"))
        }
        if safety.hasErrors && !ignoreSafety && !dryRun {
            printError(
                "meshtrim apply: Sidecar \(document.qualifiedName) not applied: the safety checks found errors (✗ safety above); "
                    + "fix the Sidecar, or add --ignore-safety to apply it anyway")
            return Outcome(check: check, state: .refused("the safety checks found errors"))
        }
        if check.isUnchanged {
            print("Sidecar \(document.qualifiedName) unchanged: the live object already says this")
            return Outcome(check: check, state: .unchanged)
        }
        if dryRun {
            print("dry-run: Sidecar \(document.qualifiedName) would be \(check.exists == true ? "updated" : "created"); nothing was changed")
        }
        return Outcome(check: check, state: .ready)
    }

    /// Asks (unless --yes, or `ask` is false because the question was asked for its wave) and applies one checked
    /// document.
    func apply(_ outcome: Outcome, applier: SidecarApplier, interactive: Bool, ask: Bool = true) async -> Outcome.State {
        let check = outcome.check
        let document = check.document
        if !yes && ask {
            guard interactive else { return .refused("no question could be asked") }
            FileHandle.standardOutput.write(Data("Apply Sidecar \(document.qualifiedName)? [y/N] ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                print("not applied: Sidecar \(document.qualifiedName) was left as it was")
                return .declined
            }
        }
        do {
            let result = try await applier.apply(document, forceConflicts: forceConflicts)
            let generation = result.generation.map { ", generation \($0)" } ?? ""
            let what = result.created || (result.note != nil && check.exists == false) ? "created" : "configured"
            if let note = result.note { print("note: \(note)") }
            print(
                "✓ Sidecar \(document.qualifiedName) \(what) (server-side apply, field manager "
                    + "\(SidecarApplier.fieldManager)\(generation)); \(check.pods.count) pod\(check.pods.count == 1 ? " gets" : "s get") it over xDS, none restarted")
            return .applied(what)
        } catch {
            printError("meshtrim apply: Sidecar \(document.qualifiedName) not applied: \(error)")
            return .failed(error.description)
        }
    }

    /// The last lines: every document and what became of it.
    static func summary(_ outcomes: [Outcome], dryRun: Bool) -> [String] {
        var lines = ["== Summary" + (dryRun ? " (dry-run: nothing was changed)" : "")]
        for outcome in outcomes {
            let name = "Sidecar \(outcome.check.document.qualifiedName)"
            switch outcome.state {
            case .ready: lines.append("✓ \(name): \(dryRun ? "would be " + (outcome.check.exists == true ? "updated" : "created") : "checked, not applied")")
            case .unchanged: lines.append("✓ \(name): unchanged")
            case .applied(let what): lines.append("✓ \(name): \(what)")
            case .declined: lines.append("✗ \(name): not applied (answered no)")
            case .refused(let reason): lines.append("✗ \(name): not applied: \(reason)")
            case .failed(let reason): lines.append("✗ \(name): not applied: \(reason)")
            }
        }
        let applied = outcomes.count { if case .applied = $0.state { return true } else { return false } }
        let failed = outcomes.count { $0.state.isFailure }
        lines.append(
            dryRun
                ? "\(outcomes.count - failed) of \(outcomes.count) accepted, \(failed) refused"
                : "\(applied) of \(outcomes.count) applied, \(outcomes.count - applied - failed) unchanged, \(failed) not applied")
        return lines
    }

    /// The cluster's analysis for the safety checks (the documents' namespaces observed; reads are retried), or why
    /// it could not be read.
    func safetyAnalysis(namespaces: [String]?) async -> Result<MeshAnalysis, RuntimeError> {
        do {
            let (analysis, capture) = try await LiveAnalysisLoader.load(
                kubeconfig: kubeconfig, context: context, namespaces: namespaces, progress: SourceOptions.progressPrinter())
            if !capture.failures.isEmpty {
                printError("note: \(capture.failures.count) sidecar(s) not observed; the safety checks may miss traffic they would cut")
            }
            return .success(analysis)
        } catch {
            return .failure(RuntimeError("\(error)"))
        }
    }

    /// Why a check does not allow applying.
    static func reason(_ check: ApplyCheck) -> String {
        if case .denied(let reason) = check.permission { return reason }
        switch check.dryRun {
        case .rejected(let failure): return failure.description
        case .skipped(let reason): return reason
        case .accepted: return "not allowed"
        }
    }

    /// A report line as plain text (the diff keeps its prefixes).
    static func render(_ line: ApplyReport.Line) -> String {
        switch line.kind {
        case .heading: return line.text.isEmpty ? "" : "== " + line.text
        default: return line.text
        }
    }

    /// The file's text (``InputFile``: at most 256 MiB, UTF-8 text only; `-` is standard input).
    /// The cluster of the kubeconfig and `--context`, connected; a failure is printed and exits 1.
    func connect() async throws -> (ClusterAccess, KubeClient) {
        do {
            let config = try KubeconfigLoader.load(explicitPath: kubeconfig, environment: ProcessInfo.processInfo.environment)
            let access = try config.resolve(context: context)
            return (access, try await KubeClient.connect(access))
        } catch {
            printError("meshtrim apply: \(error)")
            throw ExitCode(1)
        }
    }

    private func readInput() throws -> String {
        do {
            return try InputFile.text(file, expected: "Sidecar YAML or JSON")
        } catch {
            throw RuntimeError(error.description)
        }
    }
}
