import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles

/// `-o` formats shared by the scriptable commands (kubectl's spelling).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}

/// A failure while a command runs — an unreadable or damaged file, an output that cannot be written, a cluster or
/// server that cannot be reached — as opposed to a usage error.
///
/// ArgumentParser prints it as one line, `Error: <message>`, and exits with status 1. A `ValidationError` is for
/// usage errors only: it prints the usage text and exits 64, and when thrown from `run()` (after parsing) that
/// usage is the whole program's, not the subcommand's, so every command throws usage errors from `validate()`
/// and everything that goes wrong later as a `RuntimeError`. The message names the file or server.
struct RuntimeError: Error, CustomStringConvertible {
    /// What went wrong, naming the file or server (e.g. `mesh.json: no such file`).
    let description: String

    /// Makes a runtime failure with its one-line message.
    init(_ description: String) { self.description = description }
}

/// Parses `k=v,k=v` (kubectl's label syntax) into a dictionary; commands call it from `validate()` so that a bad
/// value is a usage error of that subcommand.
func parseLabels(_ text: String) throws -> [String: String] {
    var labels: [String: String] = [:]
    for pair in text.split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--labels: '\(pair)' is not key=value (write --labels app=reviews,version=v1)")
        }
        labels[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
    }
    return labels
}

/// Parses `--istio-version`; commands call it from `validate()` too, so that a bad value is a usage error.
func parseIstioVersion(_ text: String?) throws -> IstioVersion? {
    guard let text else { return nil }
    guard let version = IstioVersion(text) else {
        throw ValidationError("--istio-version: '\(text)' is not a version like 1.31")
    }
    return version
}

/// Loads manifests, turning a ``ManifestError`` (unreadable or damaged file, naming it) into a ``RuntimeError``.
/// Objects without a namespace go into `defaultNamespace` (as `kubectl apply -n`), else into `default`.
func loadManifests(_ paths: [String], defaultNamespace: String? = nil) throws -> ManifestSet {
    guard !paths.isEmpty else { throw ValidationError("give at least one --manifests PATH (file, directory or -)") }
    do {
        return try ManifestLoader.load(paths: paths, defaultNamespace: defaultNamespace)
    } catch let error as ManifestError {
        throw RuntimeError(error.description)
    }
}

/// Writes to standard error (for warnings that must not pollute `-o json` output).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
