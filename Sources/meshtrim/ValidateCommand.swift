import ArgumentParser
import Foundation
import MeshtrimCore

/// `meshtrim validate`: Istio's webhook rules (and meshtrim's warnings) for the Sidecars in manifest files.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Sidecar resources the way Istio's validating webhook does, without a cluster.",
        discussion: """
            Reads YAML (or JSON) files with one or more documents, including kind: List. Objects that are not \
            Sidecars are skipped. Prints one line per problem, FILE: Sidecar NAMESPACE/NAME: error|warning: …, \
            then a summary. Exits 1 when there is any error (or a file cannot be read), 0 otherwise.

            Examples:
              meshtrim validate sidecar-bookinfo.yaml
              kubectl get sidecars -A -o yaml | meshtrim validate -
              meshtrim validate --istio-version 1.30 k8s/*.yaml
            """
    )

    @Argument(help: "Manifest files to check (- reads standard input).")
    var files: [String]

    @Option(name: .long, help: "The Istio version whose rules apply (default 1.31; ~ exclusions need 1.31).")
    var istioVersion: String?

    func run() throws {
        let validator = SidecarValidator(version: try parseIstioVersion(istioVersion) ?? .defaultVersion)
        var tally = Tally()
        for file in files {
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
                let problems = document.problems + validator.validate(document.sidecar, details: document.details)
                let name = document.sidecar.meta.qualifiedName.isEmpty ? "(unnamed)" : document.sidecar.meta.qualifiedName
                for problem in problems {
                    print("\(file): Sidecar \(name): \(problem)")
                    if problem.severity == .error { tally.errors += 1 } else { tally.warnings += 1 }
                }
            }
        }
        print(tally.summary)
        if tally.errors > 0 || tally.unreadableFiles > 0 { throw ExitCode(1) }
    }

    /// The file's text, or `nil` after printing why it cannot be read.
    private func read(_ file: String) -> String? {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
                printError("\(file): error: no such file")
                return nil
            }
            guard !isDirectory.boolValue else {
                printError("\(file): error: is a directory; pass the manifest files in it (e.g. \(file)/*.yaml)")
                return nil
            }
            guard let contents = FileManager.default.contents(atPath: file) else {
                printError("\(file): error: cannot read the file (check its permissions)")
                return nil
            }
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            printError("\(file): error: not UTF-8 text; expected Kubernetes YAML or JSON")
            return nil
        }
        return text
    }
}

/// Counts for the summary line.
private struct Tally {
    var sidecars = 0
    var otherObjects = 0
    var errors = 0
    var warnings = 0
    var unreadableFiles = 0

    /// `2 Sidecars checked, 3 other objects skipped, 1 error, 1 warning`.
    var summary: String {
        var parts = [Self.count(sidecars, "Sidecar") + " checked"]
        if otherObjects > 0 { parts.append(Self.count(otherObjects, "other object") + " skipped") }
        if unreadableFiles > 0 { parts.append(Self.count(unreadableFiles, "unreadable file")) }
        parts.append(Self.count(errors, "error"))
        parts.append(Self.count(warnings, "warning"))
        return parts.joined(separator: ", ")
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
