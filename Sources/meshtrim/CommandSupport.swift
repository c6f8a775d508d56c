import ArgumentParser
import Foundation
import MeshtrimCore

/// `-o` formats shared by the scriptable commands (kubectl's spelling).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}

/// Parses `k=v,k=v` (kubectl's label syntax) into a dictionary.
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

/// Parses `--istio-version`.
func parseIstioVersion(_ text: String?) throws -> IstioVersion? {
    guard let text else { return nil }
    guard let version = IstioVersion(text) else {
        throw ValidationError("--istio-version: '\(text)' is not a version like 1.31")
    }
    return version
}

/// Loads manifests, turning a ``ManifestError`` into a clean CLI failure.
func loadManifests(_ paths: [String]) throws -> ManifestSet {
    guard !paths.isEmpty else { throw ValidationError("give at least one --manifests PATH (file, directory or -)") }
    do {
        return try ManifestLoader.load(paths: paths)
    } catch let error as ManifestError {
        throw ValidationError(error.description)
    }
}

/// Writes to standard error (for warnings that must not pollute `-o json` output).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
