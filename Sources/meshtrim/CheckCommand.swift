import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles

/// `meshtrim check`: the Sidecars under some paths (a plan directory, a GitOps repository) checked against a mesh as
/// if applied, for CI: findings with file and line, in text, JSON, JUnit or GitHub's workflow commands, and an exit
/// status (0 clean, 1 an error, 2 unusable input).
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check Sidecar files against a mesh as if applied, for CI (exit 1 on errors).",
        discussion: """
            Reads every Sidecar under PATH (files, or directories read recursively: .yaml, .yml and .json, sorted; a \
            kustomize directory is read as plain YAML, other kinds skipped) and evaluates them all as if applied to \
            the mesh (--demo, --snapshot, --manifests, or the live cluster: --cluster or no source): Istio's webhook \
            rules, the safety checks (docs/safety-checks.md), and every pod whose observed traffic would be cut, \
            with the destination and requests (the sidecars' counters, or --prometheus over --window). \
            --require-scope also fails every namespace whose sidecars still import every service (*/*); --drift \
            reports each Sidecar that differs from the one in the mesh, with the changed lines.

            Output (-o): text (FILE:LINE: error|warning [CODE] message, then a summary), json (an array of \
            {file,line,severity,code,message,namespace,sidecar,pod,destination}), junit (one test case per Sidecar, \
            a failure per error) or github (::error file=…,line=…:: workflow commands). Codes: docs/check.md.

            Exit status: 0 when nothing is an error, 1 when something is (warnings too with --strict), 2 when the \
            input is unusable (a path that does not exist, a file that is not YAML, no Sidecar at all, a mesh that \
            cannot be read); the message names the file and why. Put PATH before --manifests, whose list takes \
            every path after it (or end it with --).

            Examples:
              meshtrim plan --demo --allow-partial --out plan/
              meshtrim check plan/ --demo
              meshtrim check sidecars/ --snapshot mesh.json --require-scope -o junit
              meshtrim check sidecars/ --cluster --context prod --drift -o github
              meshtrim check sidecars/ --prometheus http://prom:9090 --window 7d
            """
    )

    /// `-o` formats of `meshtrim check`.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, junit, github
    }

    @Argument(help: "Sidecar files or directories to check (- reads standard input).")
    var paths: [String] = []

    @OptionGroup var source: SourceOptions

    @Flag(name: .long, help: "Check against the live cluster of the kubeconfig (--kubeconfig, --context choose it); the default without a source.")
    var cluster = false

    @OptionGroup var traffic: PrometheusOptions

    @Flag(name: .long, help: "Fail every namespace whose sidecars still import every service (*/*).")
    var requireScope = false

    @Flag(name: .long, help: "Report each Sidecar that differs from the one in the mesh (with --cluster: the live one).")
    var drift = false

    @Flag(name: .long, help: "Warnings fail the check too.")
    var strict = false

    @Option(name: .shortAndLong, help: "Output format: text, json, junit or github.")
    var output: Format = .text

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give the Sidecar files or directories to check (e.g. a plan directory)") }
        if cluster && source.isGiven { throw ValidationError("give one mesh to check against: --snapshot, --manifests, --demo or --cluster") }
    }

    func run() async throws {
        let sidecars: [CheckedSidecar]
        let analysis: MeshAnalysis
        let evidence: [String: TrafficEvidence]
        let namespaces: [String]
        do {
            sidecars = try Self.read(paths)
            analysis = try await source.analysis()
            namespaces = Set(analysis.pods.filter { MeshPlanner.isScoped($0.pod) }.map(\.pod.namespace)).sorted()
            evidence = try await traffic.evidence(namespaces: namespaces, recommender: EgressRecommender(analysis: analysis)) ?? [:]
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        // Manifests carry no traffic at all; a mesh with some sidecars unread is checked on the traffic of the others.
        if source.manifests.isEmpty,
            let note = PlanCommand.partialNote(
                analysis, namespaces: namespaces, evidence: evidence,
                consequence: "so traffic only they send is not checked (a cut there is not found)")
        {
            printError("note: \(note)")
        }
        let report = SidecarCheck(analysis: analysis, evidence: evidence)
            .run(sidecars, options: .init(requireScope: requireScope, drift: drift, defaultNamespace: source.manifestsNamespace ?? "default"))
        switch output {
        case .text: print(report.text, terminator: "")
        case .json: print(report.json, terminator: "")
        case .junit: print(report.junit(strict: strict), terminator: "")
        case .github: print(report.github, terminator: "")
        }
        if report.fails(strict: strict) { throw ExitCode(1) }
    }

    /// Every Sidecar under `paths`, in order.
    ///
    /// - Throws: ``RuntimeError`` naming the file and why: a path that does not exist, a directory without manifests,
    ///   a file that cannot be read or is not YAML, or no Sidecar under any path.
    static func read(_ paths: [String]) throws -> [CheckedSidecar] {
        var result: [CheckedSidecar] = []
        for path in paths {
            let files: [String]
            do {
                files = try ManifestLoader.expand(path)
            } catch let error as ManifestError {
                throw RuntimeError(error.description)
            }
            if files.isEmpty { throw RuntimeError("\(path): no .yaml, .yml or .json files in the directory") }
            for file in files {
                let text: String
                do {
                    text = try InputFile.text(file, expected: "Kubernetes YAML or JSON")
                } catch {
                    throw RuntimeError("\(file): \(error.message)")
                }
                do {
                    result += try SidecarDocumentReader.read(text).sidecars.map { CheckedSidecar(file: file, document: $0) }
                } catch {
                    let place = [error.line, error.column].compactMap { $0.map(String.init) }.joined(separator: ":")
                    throw RuntimeError("\(file)\(place.isEmpty ? "" : ":" + place): not valid YAML: \(error.message)")
                }
            }
        }
        if result.isEmpty {
            throw RuntimeError("\(paths.joined(separator: ", ")): no Sidecar (networking.istio.io) to check")
        }
        return result
    }
}
