import Foundation
import MeshtrimTestSupport
import Testing

/// A test failure with a message.
struct KubeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
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
    let result = try runProcess(["install", "-m", "755", source, path])
    try? FileManager.default.removeItem(atPath: source)
    guard result.exitCode == 0 else { throw KubeTestError("install \(path): \(result.stderr)") }
}
