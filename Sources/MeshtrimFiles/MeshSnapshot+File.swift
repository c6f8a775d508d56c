import MeshtrimCore

extension MeshSnapshot {
    /// Reads and decodes a snapshot file (at most ``InputFile/maximumBytes``; `-` is standard input).
    ///
    /// - Throws: ``SnapshotError`` naming the file: it cannot be read, or is not a snapshot this meshtrim reads.
    public static func load(from path: String) throws -> MeshSnapshot {
        let bytes: [UInt8]
        do {
            // The `Data` is released as soon as it is copied: one copy of the file lives while it is decoded.
            bytes = [UInt8](try InputFile.read(path))
        } catch {
            throw SnapshotError(file: path, message: error.message)
        }
        return try decode(bytes: bytes, file: path)
    }
}
