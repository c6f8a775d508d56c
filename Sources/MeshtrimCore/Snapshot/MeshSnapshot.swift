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
    /// A well-formed snapshot of this version takes the fast path (``decodeFast(_:)``); anything else is decoded
    /// whole by `JSONDecoder`, which also words the errors.
    ///
    /// - Throws: ``SnapshotError`` with a message naming what is wrong.
    public static func decode(from data: Data, file: String = "snapshot") throws -> MeshSnapshot {
        try decode(bytes: [UInt8](data), file: file)
    }

    /// ``decode(from:file:)`` of bytes the caller no longer needs as `Data` (reading a file, MeshtrimFiles'
    /// `load(from:)` keeps one copy of a 56 MB file in memory, not two).
    ///
    /// - Throws: ``SnapshotError`` naming `file`.
    public static func decode(bytes: [UInt8], file: String) throws -> MeshSnapshot {
        let nul: Int? = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let found = memchr(base, 0, buffer.count) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        }
        if let nul {
            throw SnapshotError(
                file: file, message: "holds binary data (a NUL byte at byte offset \(nul)); expected a meshtrim snapshot (JSON)")
        }
        if let snapshot = decodeFast(bytes) { return snapshot }
        let data = Data(bytes)
        let version: Int
        do {
            version = try JSONDecoder().decode(VersionProbe.self, from: data).version
        } catch let error as VersionProbe.Problem {
            throw SnapshotError(file: file, message: "not a meshtrim snapshot (\(error.message))")
        } catch {
            // JSONDecoder says only "not valid JSON"; find where and what was expected (it is more lenient in
            // places it skips, so this runs only once it has refused the document).
            if let problem = JSONSyntax.firstProblem(in: data) {
                throw SnapshotError(
                    file: file, line: problem.line, column: problem.column,
                    message: "not a meshtrim snapshot (not valid JSON: \(problem))")
            }
            throw SnapshotError(file: file, message: "not a meshtrim snapshot (not valid JSON: \(Self.describe(error)))")
        }
        guard version == currentVersion else {
            throw SnapshotError(
                file: file,
                message: "snapshot format version \(version) is not supported by this meshtrim (it reads version \(currentVersion))")
        }
        do {
            return try decoder.decode(MeshSnapshot.self, from: data)
        } catch {
            throw SnapshotError(file: file, message: "damaged snapshot: \(Self.describe(error))")
        }
    }

    /// The members a snapshot has; a document with others takes the slow path (which ignores them, as before).
    private static let memberNames: Set<String> = ["version", "capturedAt", "source", "inventory", "observations"]

    /// Decodes a well-formed snapshot of the current version without going through `Codable` for its big arrays:
    /// the pods, the services and the observations are read by ``SnapshotArrayDecoder``, the rest of the inventory by
    /// `JSONDecoder`, inventory and observations on two cores. `nil` when the document is not exactly as expected
    /// (another version, unknown members, anything the fast readers refuse), so that the caller decodes it whole
    /// and reports the precise error — the values are the same either way.
    static func decodeFast(_ bytes: [UInt8]) -> MeshSnapshot? {
        guard let ranges = JSONTopLevelScanner.valueRanges(in: bytes), Set(ranges.keys) == memberNames,
            let versionRange = ranges["version"], let inventoryRange = ranges["inventory"],
            let observationsRange = ranges["observations"], let capturedAtRange = ranges["capturedAt"],
            let sourceRange = ranges["source"],
            (try? decoder.decode(Int.self, from: Data(bytes[versionRange]))) == currentVersion
        else { return nil }
        let parts = Mutex<(inventory: MeshInventory?, observations: [ProxyObservation]?)>((nil, nil))
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                let inventory = decodeInventory(bytes[inventoryRange])
                parts.withLock { $0.inventory = inventory }
            } else {
                let observations = SnapshotArrayDecoder.observations(from: bytes[observationsRange])
                parts.withLock { $0.observations = observations }
            }
        }
        let decoded = parts.withLock { $0 }
        guard let inventory = decoded.inventory, let observations = decoded.observations,
            let capturedAt = try? fastDecoder.decode(Date.self, from: Data(bytes[capturedAtRange])),
            let source = try? decoder.decode(String.self, from: Data(bytes[sourceRange]))
        else { return nil }
        return MeshSnapshot(
            version: currentVersion, capturedAt: capturedAt, source: source, inventory: inventory, observations: observations)
    }

    /// The inventory: its pods and services read by ``SnapshotArrayDecoder``, everything else by `JSONDecoder` from
    /// the same bytes with `[]` in place of those two arrays (so that every other member keeps its `Codable`
    /// behaviour).
    private static func decodeInventory(_ bytes: ArraySlice<UInt8>) -> MeshInventory? {
        guard let ranges = JSONTopLevelScanner.valueRanges(in: bytes), let podsRange = ranges["pods"],
            let servicesRange = ranges["services"], let pods = SnapshotArrayDecoder.pods(from: bytes[podsRange]),
            let services = SnapshotArrayDecoder.services(from: bytes[servicesRange])
        else { return nil }
        var rest = [UInt8]()
        rest.reserveCapacity(bytes.count - podsRange.count - servicesRange.count + 4)
        var position = bytes.startIndex
        for range in [podsRange, servicesRange].sorted(by: { $0.lowerBound < $1.lowerBound }) {
            rest += bytes[position..<range.lowerBound]
            rest += Array("[]".utf8)
            position = range.upperBound
        }
        rest += bytes[position..<bytes.endIndex]
        guard var inventory = try? fastDecoder.decode(MeshInventory.self, from: Data(rest)) else { return nil }
        inventory.pods = pods
        inventory.services = services
        return inventory
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

    /// The fast path's `JSONDecoder`: it reads only the date form meshtrim writes (``RFC3339/snapshotDate(_:)``), much faster
    /// than `.iso8601`'s general parser, and fails on any other, which sends the document down the slow path.
    private static var fastDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            var text = try container.decode(String.self)
            guard let date = text.withUTF8(RFC3339.snapshotDate) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a yyyy-MM-ddTHH:mm:ssZ date")
            }
            return date
        }
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

/// Why a snapshot could not be opened, with the position when the problem has one.
public struct SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The 1-based line of the problem, when known.
    public var line: Int?
    /// The 1-based column (in bytes) of the problem, when known.
    public var column: Int?
    /// What is wrong.
    public var message: String

    /// Makes an error.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, or `file: message` without a position.
    public var description: String {
        guard let line else { return "\(file): \(message)" }
        return "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(message)"
    }
}

/// The `version` member alone, read before the whole snapshot so that another version or a wrong type is named.
private struct VersionProbe: Decodable {
    /// Why the probe failed, in words.
    struct Problem: Error { var message: String }

    private enum Key: String, CodingKey { case version }

    /// The format version.
    var version: Int

    init(from decoder: Decoder) throws {
        let container: KeyedDecodingContainer<Key>
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            throw Problem(message: "expected a JSON object at the top level, with \"version\": \(MeshSnapshot.currentVersion)")
        }
        guard container.contains(.version) else { throw Problem(message: "no \"version\" field") }
        if let number = try? container.decode(Int.self, forKey: .version) {
            version = number
            return
        }
        let found: String
        if let text = try? container.decode(String.self, forKey: .version) {
            found = "a string (\"\(InputFile.quote(text, limit: 40))\")"
        } else if (try? container.decode(Double.self, forKey: .version)) != nil {
            found = "a fraction"
        } else if (try? container.decode(Bool.self, forKey: .version)) != nil {
            found = "true or false"
        } else if (try? container.decodeNil(forKey: .version)) == true {
            found = "null"
        } else {
            found = "an object or a list"
        }
        throw Problem(
            message: "\"version\" is \(found); expected a whole number, the format version (\(MeshSnapshot.currentVersion))")
    }
}
