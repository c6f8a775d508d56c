import Foundation

/// The Istio fixtures in `shared/` beside the repository (as CI lays it out).
func sharedFixture(_ relativePath: String) -> String {
    // This file is <repo>/Tests/MeshtrimEndToEndTests/Support/SharedFixtures.swift; shared/ sits beside <repo>.
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/istio").appendingPathComponent(relativePath).path
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
