import Foundation

/// Locates test data: the Istio fixtures vendored under `Tests/Fixtures/istio` (with their SOURCES.md) and the repo's
/// own files, so that a clone of the repository alone passes its tests.
enum Fixtures {
    /// The repository root (three levels above this file: Tests/MeshtrimCoreTests/Support).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/istio/<relativePath>`: real files from istio/istio, their sources in that folder's SOURCES.md.
    static func istio(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures/istio").appendingPathComponent(relativePath)
    }

    /// The text of an Istio fixture.
    static func istioText(_ relativePath: String) throws -> String {
        try String(contentsOf: istio(relativePath), encoding: .utf8)
    }
}
