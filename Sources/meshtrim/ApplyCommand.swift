import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimKube

#if canImport(Glibc)
    import Glibc
#endif

/// `meshtrim apply -f FILE|- [--dry-run] [--yes] [--force-conflicts]`: applies Sidecars with RBAC check, diff,
/// server-side dry-run and a question first; server-side apply with field manager `meshtrim`.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply Sidecars to the cluster: RBAC check, diff against the live object, server-side dry-run, then ask.",
        discussion: """
            Every Sidecar of the file in turn: prints whether RBAC allows it, the diff against the live object, the \
            server-side dry-run's answer (Istio's validation included) and the pods that will get it, then asks \
            (default No). Nothing is restarted: Envoy takes the new scope over xDS. Exit status 0 when everything was \
            applied (or, with --dry-run, accepted), 1 when anything was refused or failed.
            """
    )

    @Option(name: .customShort("f"), help: ArgumentHelp("The Sidecar YAML (multi-document allowed; - reads standard input).", valueName: "file"))
    var file: String

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

    @Option(name: .long, help: ArgumentHelp("The kubeconfig file (default: KUBECONFIG, then ~/.kube/config).", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("The kubeconfig context (default: the current context).", valueName: "name"))
    var context: String?

    mutating func run() async throws {
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
        let access: ClusterAccess
        let client: KubeClient
        do {
            let config = try KubeconfigLoader.load(explicitPath: kubeconfig, environment: ProcessInfo.processInfo.environment)
            access = try config.resolve(context: context)
            client = try await KubeClient.connect(access)
        } catch {
            printError("meshtrim apply: \(error)")
            throw ExitCode(1)
        }
        let documents: [ApplyDocument]
        do {
            documents = try ApplyDocumentReader.read(text, file: file, defaultNamespace: access.namespace)
        } catch {
            printError("meshtrim apply: \(error)")
            await client.shutdown()
            throw ExitCode(1)
        }
        let applier = SidecarApplier(client: client)
        let analysis = noSafetyChecks ? nil : await safetyAnalysis(namespaces: Array(Set(documents.map(\.namespace))).sorted())
        var failed = false
        for (index, document) in documents.enumerated() {
            if index > 0 { print("") }
            let safety = analysis?.safetyFindings(for: document.sidecar) ?? []
            if await !handle(document, safety: safety, applier: applier, interactive: interactive) { failed = true }
        }
        await client.shutdown()
        if failed { throw ExitCode(1) }
    }

    /// Checks, asks and applies one document; whether it went as asked.
    private func handle(_ document: ApplyDocument, safety: [SafetyFinding], applier: SidecarApplier, interactive: Bool) async -> Bool {
        let check = await applier.check(document, forceConflicts: forceConflicts)
        for line in ApplyReport.lines(for: check, safety: safety) { print(Self.render(line)) }
        guard check.mayApply else {
            printError("meshtrim apply: Sidecar \(document.qualifiedName) not applied: \(Self.reason(check))")
            return false
        }
        if safety.hasErrors && !ignoreSafety && !dryRun {
            printError(
                "meshtrim apply: Sidecar \(document.qualifiedName) not applied: the safety checks found errors (✗ safety above); "
                    + "fix the Sidecar, or add --ignore-safety to apply it anyway")
            return false
        }
        if check.isUnchanged {
            print("Sidecar \(document.qualifiedName) unchanged: the live object already says this")
            return true
        }
        if dryRun {
            print("dry-run: Sidecar \(document.qualifiedName) would be \(check.exists == true ? "updated" : "created"); nothing was changed")
            return true
        }
        if !yes {
            guard interactive else { return false }
            FileHandle.standardOutput.write(Data("Apply Sidecar \(document.qualifiedName)? [y/N] ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                print("not applied: Sidecar \(document.qualifiedName) was left as it was")
                return false
            }
        }
        do {
            let result = try await applier.apply(document, forceConflicts: forceConflicts)
            let generation = result.generation.map { ", generation \($0)" } ?? ""
            print(
                "✓ Sidecar \(document.qualifiedName) \(result.created ? "created" : "configured") (server-side apply, field manager "
                    + "\(SidecarApplier.fieldManager)\(generation)); \(check.pods.count) pod\(check.pods.count == 1 ? " gets" : "s get") it over xDS, none restarted")
            return true
        } catch {
            printError("meshtrim apply: Sidecar \(document.qualifiedName) not applied: \(error)")
            return false
        }
    }

    /// The cluster's analysis for the safety checks (the documents' namespaces observed), or `nil` with a note
    /// when it cannot be read.
    private func safetyAnalysis(namespaces: [String]) async -> MeshAnalysis? {
        do {
            let (analysis, capture) = try await LiveAnalysisLoader.load(
                kubeconfig: kubeconfig, context: context, namespaces: namespaces, progress: SourceOptions.progressPrinter())
            if !capture.failures.isEmpty {
                printError("note: \(capture.failures.count) sidecar(s) not observed; the safety checks may miss traffic they would cut")
            }
            return analysis
        } catch {
            printError("note: safety checks not run: the cluster could not be read for them (\(error))")
            return nil
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

    private func readInput() throws -> String {
        if file == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SourceError("\(file): no such file, or not readable")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
