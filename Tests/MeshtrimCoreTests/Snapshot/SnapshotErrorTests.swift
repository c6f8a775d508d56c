import Foundation
import Testing

@testable import MeshtrimCore

/// Snapshot errors name the file, the position and what was expected.
@Suite("Snapshot errors")
struct SnapshotErrorTests {
    @Test("a truncated snapshot names line, column and byte offset of the end and what JSON expected there")
    func truncated() throws {
        let snapshot = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 3, services: 6, pods: 8, seed: 1))
        let data = try snapshot.encoded(pretty: true)
        let cut = data.prefix(data.count / 2)
        let error = #expect(throws: SnapshotError.self) { try MeshSnapshot.decode(from: Data(cut), file: "mesh.json") }
        let position = InputFile.position(ofByte: cut.count, in: Data(cut))
        #expect(error?.line == position.line)
        #expect(error?.column == position.column)
        #expect(error?.description.hasPrefix("mesh.json:\(position.line):\(position.column): not a meshtrim snapshot (not valid JSON: expected ") == true)
        #expect(error?.description.hasSuffix("but found the end of the file (line \(position.line), column \(position.column), byte offset \(cut.count)))") == true, "\(error.map(String.init(describing:)) ?? "")")
    }

    @Test("a version that is valid JSON of the wrong type says what it is and what was expected", arguments: [
        (#"{"version": "1"}"#, #"mesh.json: not a meshtrim snapshot ("version" is a string ("1"); expected a whole number, the format version (1))"#),
        (#"{"version": 1.5}"#, #"mesh.json: not a meshtrim snapshot ("version" is a fraction; expected a whole number, the format version (1))"#),
        (#"{"version": null}"#, #"mesh.json: not a meshtrim snapshot ("version" is null; expected a whole number, the format version (1))"#),
        (#"[1, 2]"#, #"mesh.json: not a meshtrim snapshot (expected a JSON object at the top level, with "version": 1)"#),
        (#"{"inventory": {}}"#, #"mesh.json: not a meshtrim snapshot (no "version" field)"#),
    ])
    func wrongVersionType(_ text: String, _ message: String) {
        let error = #expect(throws: SnapshotError.self) { try MeshSnapshot.decode(from: Data(text.utf8), file: "mesh.json") }
        #expect(error?.description == message)
    }
}
