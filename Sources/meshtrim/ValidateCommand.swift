import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles

/// `meshtrim validate`: Istio's webhook rules (and meshtrim's warnings) for the Sidecars in manifest files, then,
/// against a mesh (snapshot, manifests, the demo or a live cluster), the safety checks of docs/safety-checks.md.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Sidecar resources like Istio's validating webhook, and against a mesh like istioctl analyze.",
        discussion: """
            Reads YAML (or JSON) files with one or more documents, including kind: List; a directory is read \
            recursively (its .yaml, .yml and .json files, sorted). Objects that are not Sidecars are skipped. Every \
            rule of Istio's webhook (ValidateSidecar) applies, ingress listeners, TLS, connection pools and the \
            egress proxy included, with Istio's messages. Prints one line per problem, \
            FILE: Sidecar NAMESPACE/NAME: error|warning: …, then a summary; meshtrim's own rules carry their \
            code, warning [MT0003]: … (docs/validation.md).

            With a mesh to check against (--snapshot, --manifests, --demo, or --cluster for the kubeconfig's \
            cluster), each Sidecar then gets the safety checks as if it were applied: observed traffic it would \
            cut, the istiod namespace, istio/istio#59376, ambient namespaces and conflicts with the mesh's other \
            Sidecars, one line each, FILE: Sidecar NAMESPACE/NAME: error|warning|info [CODE]: …. Without files \
            it checks the Sidecars already in that mesh. Codes are explained in docs/safety-checks.md.

            Exits 1 when there is any error (or a file cannot be read), 0 otherwise.

            Examples:
              meshtrim validate sidecar-bookinfo.yaml
              meshtrim validate k8s/
              kubectl get sidecars -A -o yaml | meshtrim validate -
              meshtrim validate --istio-version 1.30 k8s/*.yaml
              meshtrim validate sidecar-shop.yaml --snapshot mesh.json
              meshtrim validate --cluster --context prod
            """
    )

    @Argument(help: "Manifest files or directories to check (- reads standard input).")
    var files: [String] = []

    @OptionGroup var source: SourceOptions

    @Flag(name: .long, help: "Check against the live cluster of the kubeconfig (--kubeconfig, --context choose it).")
    var cluster = false

    func validate() throws {
        let mesh = (source.isGiven ? 1 : 0) + (cluster ? 1 : 0)
        if mesh > 1 { throw ValidationError("give one mesh to check against: --snapshot, --manifests, --demo or --cluster") }
        if (source.kubeconfig != nil || source.context != nil) && !cluster && mesh > 0 {
            throw ValidationError("--kubeconfig and --context choose a live cluster; use them with --cluster")
        }
        if files.isEmpty && mesh == 0 && source.kubeconfig == nil && source.context == nil {
            throw ValidationError("give Sidecar files to check, or a mesh to check (--snapshot, --manifests, --demo, --cluster)")
        }
        _ = try parseIstioVersion(source.istioVersion)
    }

    /// Whether the safety checks run (a mesh to check against was given).
    private var checksAgainstMesh: Bool {
        cluster || source.isGiven || source.kubeconfig != nil || source.context != nil
    }

    func run() async throws {
        let analysis = try await meshAnalysis()
        // The webhook of the mesh's own Istio when checking against a mesh, unless --istio-version says otherwise.
        let version = try parseIstioVersion(source.istioVersion) ?? analysis?.engine.version ?? .defaultVersion
        let validator = SidecarValidator(version: version)
        var tally = Tally()
        for file in files.flatMap(expand) {
            guard let text = read(file) else {
                tally.unreadableFiles += 1
                continue
            }
            let contents: SidecarDocumentSet
            do {
                contents = try SidecarDocumentReader.read(text)
            } catch {
                let place = [error.line, error.column].compactMap { $0.map(String.init) }.joined(separator: ":")
                print("\(file)\(place.isEmpty ? "" : ":" + place): error: not valid YAML: \(error.message)")
                tally.unreadableFiles += 1
                continue
            }
            tally.otherObjects += contents.otherObjectCount
            for document in contents.sidecars {
                tally.sidecars += 1
                let findings =
                    analysis.flatMap { document.sidecar.meta.namespace.isEmpty ? nil : $0.safetyFindings(for: document.sidecar) } ?? []
                // A safety check with the same code says the same thing about this Sidecar, with the mesh in view.
                let findingCodes = Set(findings.map(\.code))
                let problems = validator.validate(document, spec: document.spec)
                    .filter { $0.code.map { !findingCodes.contains($0) } ?? true }
                let name = document.sidecar.meta.qualifiedName.isEmpty ? "(unnamed)" : document.sidecar.meta.qualifiedName
                for problem in problems {
                    print("\(file): Sidecar \(name): \(problem)")
                    if problem.severity == .error { tally.errors += 1 } else { tally.warnings += 1 }
                }
                for finding in findings {
                    print("\(file): Sidecar \(name): \(Self.line(finding))")
                    tally.count(finding)
                }
            }
        }
        if let analysis, files.isEmpty {
            tally.sidecars = analysis.inventory.sidecars.count
            for finding in analysis.safetyFindings() {
                print("\(finding.subject ?? "mesh"): \(Self.line(finding))")
                tally.count(finding)
            }
        }
        if let analysis { print("checked against \(analysis.source): \(Self.sidecarCount(analysis))") }
        print(tally.summary)
        if tally.errors > 0 || tally.unreadableFiles > 0 { throw ExitCode(1) }
    }

    /// `error [IST0110]: message`.
    private static func line(_ finding: SafetyFinding) -> String {
        "\(finding.severity.rawValue) [\(finding.code)]: \(finding.message)"
    }

    private static func sidecarCount(_ analysis: MeshAnalysis) -> String {
        "\(analysis.inventory.sidecars.count) Sidecar\(analysis.inventory.sidecars.count == 1 ? "" : "s") in the mesh"
    }

    /// The mesh to check against, `nil` when only the webhook rules apply.
    private func meshAnalysis() async throws -> MeshAnalysis? {
        guard checksAgainstMesh else { return nil }
        return try await source.analysis()
    }

    /// A file as itself; a directory as its `.yaml`, `.yml` and `.json` files, recursively, sorted (as `--manifests`
    /// reads one). A path that does not exist stays, so that ``read(_:)`` reports it.
    private func expand(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
            let enumerator = FileManager.default.enumerator(atPath: path)
        else { return [path] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let lower = relative.lowercased()
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") {
                found.append((path as NSString).appendingPathComponent(relative))
            }
        }
        if found.isEmpty { printError("\(path): warning: no .yaml, .yml or .json files in the directory") }
        return found.sorted()
    }

    /// The file's text (``InputFile``: at most 256 MiB, text only), or `nil` after printing why it cannot be read.
    private func read(_ file: String) -> String? {
        do {
            return try InputFile.text(file, expected: "Kubernetes YAML or JSON")
        } catch {
            printError("\(file): error: \(error.message)")
            return nil
        }
    }
}

/// Counts for the summary line.
private struct Tally {
    var sidecars = 0
    var otherObjects = 0
    var errors = 0
    var warnings = 0
    var unreadableFiles = 0
    var infos = 0

    /// Counts a safety finding by severity.
    mutating func count(_ finding: SafetyFinding) {
        switch finding.severity {
        case .error: errors += 1
        case .warning: warnings += 1
        case .info: infos += 1
        }
    }

    /// `2 Sidecars checked, 3 other objects skipped, 1 error, 1 warning`.
    var summary: String {
        var parts = [Self.count(sidecars, "Sidecar") + " checked"]
        if otherObjects > 0 { parts.append(Self.count(otherObjects, "other object") + " skipped") }
        if unreadableFiles > 0 { parts.append(Self.count(unreadableFiles, "unreadable file")) }
        parts.append(Self.count(errors, "error"))
        parts.append(Self.count(warnings, "warning"))
        if infos > 0 { parts.append(Self.count(infos, "note")) }
        return parts.joined(separator: ", ")
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
