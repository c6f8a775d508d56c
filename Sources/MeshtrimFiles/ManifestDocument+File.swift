import Foundation
import MeshtrimCore

extension ManifestDocument {
    /// Reads the file at `path` (`-` is standard input) with ``InputFile/read(_:limit:)``: at most
    /// ``InputFile/maximumBytes``, a directory refused by name.
    ///
    /// - Throws: ``ManifestError`` naming the file.
    public init(contentsOf path: String) throws(ManifestError) {
        do {
            self.init(origin: path, bytes: try InputFile.read(path))
        } catch {
            throw ManifestError(file: path, message: error.message)
        }
    }
}
