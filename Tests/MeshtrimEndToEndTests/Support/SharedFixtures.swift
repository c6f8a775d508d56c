import Foundation

/// The Istio fixtures vendored under `Tests/Fixtures/istio` (their sources in its SOURCES.md).
func sharedFixture(_ relativePath: String) -> String {
    // This file is <repo>/Tests/MeshtrimEndToEndTests/Support/SharedFixtures.swift.
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/istio").appendingPathComponent(relativePath).path
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
