import Foundation

/// Locates test data: the shared Istio fixtures beside the repository and the repo's own files.
enum Fixtures {
    /// The repository root (three levels above this file: Tests/MeshtrimCoreTests/Support).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `shared/fixtures/istio/<relativePath>`, from the folder that holds the repository (CI clones next to
    /// `shared/`).
    static func istio(_ relativePath: String) -> URL {
        repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures/istio")
            .appendingPathComponent(relativePath)
    }

    /// The text of an Istio fixture.
    static func istioText(_ relativePath: String) throws -> String {
        try String(contentsOf: istio(relativePath), encoding: .utf8)
    }
}
