import Foundation
import MeshtrimCore
import MeshtrimFiles

/// The bundled demo mesh (`Resources/demo-snapshot.json`), so that `meshtrim --demo` works without a cluster.
///
/// The file is the generator's mesh (`meshtrim generate-demo`, default parameters) with each sidecar's cluster
/// count and Envoy memory measured on its own real lab Envoy (`scripts/demo-from-lab.sh`, which calls
/// `generate-demo --from-lab`; see `docs/snapshot-format.md`, "The bundled demo"). SwiftPM ships it in a resource
/// bundle beside the executable.
enum DemoSnapshot {
    /// The resource's file name.
    static let resourceName = "demo-snapshot"

    /// Decodes the bundled demo snapshot.
    ///
    /// - Throws: ``SnapshotError`` saying where the resource was looked for when it is missing, or what is
    ///   wrong with it when it does not decode.
    static func load() throws -> MeshSnapshot {
        guard let url = resourceURL() else {
            let places = bundleCandidates().map(\.path).joined(separator: ", ")
            throw SnapshotError(
                file: "\(resourceName).json",
                message: "the bundled demo is missing: no \(bundleName) beside the meshtrim executable (looked in "
                    + "\(places)); install the resource bundle next to the binary, or run from the source tree with "
                    + "`swift run meshtrim --demo`")
        }
        return try MeshSnapshot.load(from: url.path)
    }

    /// SwiftPM's resource bundle for the `meshtrim` target.
    #if os(Linux) || os(Windows)
        static let bundleName = "meshtrim_meshtrim.resources"
    #else
        static let bundleName = "meshtrim_meshtrim.bundle"
    #endif

    /// The demo file's URL, or `nil` when no resource bundle is installed.
    ///
    /// `Bundle.module` is used only once its preferred location (beside the executable) is known to exist:
    /// SwiftPM's generated accessor stops the process when it finds no bundle, and a missing file must be a
    /// clear error instead. A symlinked executable is also looked up where the link points.
    private static func resourceURL() -> URL? {
        let candidates = bundleCandidates()
        let fileManager = FileManager.default
        if let preferred = candidates.first, fileManager.fileExists(atPath: preferred.path) {
            return Bundle.module.url(forResource: resourceName, withExtension: "json")
        }
        for candidate in candidates.dropFirst() where fileManager.fileExists(atPath: candidate.path) {
            if let url = Bundle(url: candidate)?.url(forResource: resourceName, withExtension: "json") { return url }
            let direct = candidate.appendingPathComponent("\(resourceName).json")
            if fileManager.fileExists(atPath: direct.path) { return direct }
        }
        return nil
    }

    /// Where the resource bundle may be: beside the executable as launched (where `Bundle.module` looks first),
    /// then beside the executable it links to.
    private static func bundleCandidates() -> [URL] {
        var candidates = [Bundle.main.bundleURL.appendingPathComponent(bundleName)]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let resolved = executable.deletingLastPathComponent().appendingPathComponent(bundleName)
            if resolved.standardizedFileURL != candidates[0].standardizedFileURL { candidates.append(resolved) }
        }
        return candidates
    }
}
