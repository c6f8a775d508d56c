import Foundation
import MeshtrimCore

extension ManifestLoader {
    /// Reads every `.yaml`, `.yml` and `.json` file under `paths` (directories recursively, sorted by name; `-` is
    /// standard input), one file at a time: each is read, decoded and added before the next is opened.
    ///
    /// Objects that name no namespace go into `defaultNamespace` (as `kubectl apply -n`); without one they go into
    /// `default` and a note says so. The same object given twice is read once (the later one, with a warning).
    ///
    /// - Throws: ``ManifestError`` naming the file and line of the first unreadable file or document.
    public static func load(paths: [String], defaultNamespace: String? = nil) throws -> ManifestSet {
        var loader = ManifestLoader(defaultNamespace: defaultNamespace)
        for path in paths {
            for file in try expand(path) { try loader.add(ManifestDocument(contentsOf: file)) }
        }
        return loader.finish()
    }

    /// A file as itself; a directory as its `.yaml`, `.yml` and `.json` files, recursively, sorted (`meshtrim check`
    /// reads its paths the same way). Throws ``ManifestError`` for a path that does not exist.
    public static func expand(_ path: String) throws -> [String] {
        if path == "-" { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ManifestError(file: path, message: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw ManifestError(file: path, message: "cannot list the directory")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let lower = relative.lowercased()
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") {
                files.append((path as NSString).appendingPathComponent(relative))
            }
        }
        return files.sorted()
    }
}
