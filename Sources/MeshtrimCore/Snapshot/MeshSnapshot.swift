import Foundation
import Synchronization

/// A mesh captured for offline use: its inventory plus what was observed on each sidecar (format v1).
///
/// `meshtrim --snapshot FILE` browses one; `meshtrim --demo` opens the bundled one. The format is documented in
/// `docs/snapshot-format.md`; readers reject versions they do not know instead of guessing.
public struct MeshSnapshot: Codable, Hashable, Sendable {
    /// The format version this build writes and reads.
    public static let currentVersion = 1

    /// The format version of this snapshot.
    public var version: Int
    /// When it was captured.
    public var capturedAt: Date
    /// Where it came from (a kubeconfig context, `lab`, `demo generator`, …).
    public var source: String
    /// The mesh's configuration.
    public var inventory: MeshInventory
    /// One entry per observed sidecar.
    public var observations: [ProxyObservation]

    /// Makes a snapshot.
    public init(
        version: Int = MeshSnapshot.currentVersion, capturedAt: Date, source: String, inventory: MeshInventory,
        observations: [ProxyObservation]
    ) {
        self.version = version
        self.capturedAt = capturedAt
        self.source = source
        self.inventory = inventory
        self.observations = observations
    }

    /// Decodes a snapshot, checking its version.
    ///
    /// - Throws: ``SnapshotError`` with a message naming what is wrong.
    public static func decode(from data: Data, file: String = "snapshot") throws -> MeshSnapshot {
        struct VersionProbe: Decodable { var version: Int? }
        let probe: VersionProbe
        do {
            probe = try JSONDecoder().decode(VersionProbe.self, from: data)
        } catch {
            throw SnapshotError(file: file, message: "not a meshtrim snapshot (not valid JSON: \(Self.describe(error)))")
        }
        guard let version = probe.version else {
            throw SnapshotError(file: file, message: "not a meshtrim snapshot (no \"version\" field)")
        }
        guard version == currentVersion else {
            throw SnapshotError(
                file: file,
                message: "snapshot format version \(version) is not supported by this meshtrim (it reads version \(currentVersion))")
        }
        if let snapshot = decodeInParallel(data) { return snapshot }
        do {
            return try decoder.decode(MeshSnapshot.self, from: data)
        } catch {
            throw SnapshotError(file: file, message: "damaged snapshot: \(Self.describe(error))")
        }
    }

    /// Decodes the inventory and the observations on two cores (they are most of a snapshot's bytes); `nil` when
    /// the document is not shaped as expected, so that the caller decodes it whole and reports the precise error.
    private static func decodeInParallel(_ data: Data) -> MeshSnapshot? {
        let bytes = [UInt8](data)
        guard let ranges = JSONTopLevelScanner.valueRanges(in: bytes), let inventoryRange = ranges["inventory"],
            let observationsRange = ranges["observations"], let capturedAtRange = ranges["capturedAt"],
            let sourceRange = ranges["source"], let versionRange = ranges["version"]
        else { return nil }
        let parts = Mutex<(inventory: MeshInventory?, observations: [ProxyObservation]?)>((nil, nil))
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let decoder = Self.decoder
            if part == 0 {
                let inventory = try? decoder.decode(MeshInventory.self, from: Data(bytes[inventoryRange]))
                parts.withLock { $0.inventory = inventory }
            } else {
                let observations = try? decoder.decode([ProxyObservation].self, from: Data(bytes[observationsRange]))
                parts.withLock { $0.observations = observations }
            }
        }
        let decoded = parts.withLock { $0 }
        guard let inventory = decoded.inventory, let observations = decoded.observations,
            let capturedAt = try? decoder.decode(Date.self, from: Data(bytes[capturedAtRange])),
            let source = try? decoder.decode(String.self, from: Data(bytes[sourceRange])),
            let version = try? decoder.decode(Int.self, from: Data(bytes[versionRange]))
        else { return nil }
        return MeshSnapshot(version: version, capturedAt: capturedAt, source: source, inventory: inventory, observations: observations)
    }

    /// Reads and decodes a snapshot file.
    public static func load(from path: String) throws -> MeshSnapshot {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SnapshotError(file: path, message: "cannot read the file (\((error as NSError).localizedDescription))")
        }
        return try decode(from: data, file: path)
    }

    /// Encodes the snapshot as compact JSON with sorted keys (stable diffs).
    public func encoded(pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    private static func describe(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "\(context.debugDescription)\(path.isEmpty ? "" : " at \(path)")"
        case .keyNotFound(let key, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "missing \"\(key.stringValue)\"\(path.isEmpty ? "" : " at \(path)")"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Why a snapshot could not be opened.
public struct SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// What is wrong.
    public var message: String

    /// Makes an error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `file: message`.
    public var description: String { "\(file): \(message)" }
}
