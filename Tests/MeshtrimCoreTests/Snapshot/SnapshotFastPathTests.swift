import Foundation
import Testing
@testable import MeshtrimCore

/// The fast snapshot path (``SnapshotArrayDecoder`` for pods, services and observations, ``RFC3339/snapshotDate(_:)`` for
/// dates) gives exactly what `JSONDecoder` gives, and hands anything unusual back to it.
@Suite("Snapshot fast path")
struct SnapshotFastPathTests {
    /// The bundled demo, found from this file: Tests/MeshtrimCoreTests/Snapshot → repository root.
    static let bundledDemo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/meshtrim/Resources/demo-snapshot.json")

    /// `JSONDecoder` with the strategy snapshots were always read with: the reference.
    static func referenceDecode(_ data: Data) throws -> MeshSnapshot {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(MeshSnapshot.self, from: data)
    }

    @Test("the bundled demo takes the fast path and decodes to what JSONDecoder gives")
    func bundledDemo() throws {
        let data = try Data(contentsOf: Self.bundledDemo)
        let fast = try #require(MeshSnapshot.decodeFast([UInt8](data)), "the demo must not fall back to JSONDecoder")
        let reference = try Self.referenceDecode(data)
        #expect(fast.inventory.pods.count > 1_000)
        #expect(fast.observations.count > 1_000)
        #expect(fast.inventory.pods == reference.inventory.pods)
        #expect(fast.inventory.services == reference.inventory.services)
        #expect(fast.observations == reference.observations)
        #expect(fast == reference)
    }

    @Test("a generated mesh with every optional field round-trips through the fast path")
    func generatedWithOptionals() throws {
        var snapshot = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 4, services: 20, pods: 30, seed: 9))
        let started = Date(timeIntervalSince1970: 1_772_000_000)
        for position in snapshot.observations.indices where position.isMultiple(of: 2) {
            snapshot.observations[position].clusterNames = ["outbound|80||a.b.svc.cluster.local", "BlackHoleCluster"]
            snapshot.observations[position].proxyStartedAt = started
            snapshot.observations[position].envoyHeapBytes = nil
            if !snapshot.observations[position].destinations.isEmpty {
                snapshot.observations[position].destinations[0].serviceName = "PassthroughCluster"
                snapshot.observations[position].destinations[0].lastSeen = started.addingTimeInterval(3_600)
            }
        }
        snapshot.inventory.services[0].endpoints = [ServiceEndpoint(address: "10.9.0.1", ports: ["http": 8080])]
        snapshot.inventory.services[0].exportTo = [".", "istio-system"]
        snapshot.inventory.services[1].selector = nil
        snapshot.inventory.services[1].ports.append(ServicePort(number: 9090, name: "grpc", protocol: "GRPC", targetPort: "grpc"))
        snapshot.inventory.pods[0].proxyVersion = nil
        snapshot.inventory.pods[0].podIP = nil
        snapshot.inventory.pods[1].meta.creationTimestamp = nil
        for pretty in [false, true] {
            let data = try snapshot.encoded(pretty: pretty)
            let fast = try #require(MeshSnapshot.decodeFast([UInt8](data)))
            #expect(fast == snapshot)
            #expect(try MeshSnapshot.decode(from: data) == snapshot)
        }
    }

    /// The member names `value` encodes to, as a snapshot writes it.
    static func memberNames<Value: Encodable>(of value: Value) throws -> Set<String> {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(value)) as? [String: Any]
        return Set(try #require(object, "\(Value.self) does not encode as an object").keys)
    }

    /// Every member a snapshot's pods, services and observations can hold, set at once: the fast path must read each
    /// one (a member of the model it does not read sends the whole file to JSONDecoder), so a field added to the
    /// model and its `CodingKeys` but not to the fast reader fails here instead of being dropped or slowing every
    /// start.
    @Test("every member of the model is read by the fast path")
    func everyMemberIsRead() throws {
        var snapshot = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 2, services: 6, pods: 8, seed: 7))
        let when = try #require(RFC3339.date(from: "2026-03-02T09:30:00Z"))
        let meta = ObjectMeta(
            name: "ingress-1", namespace: "edge", labels: ["istio": "ingressgateway"], annotations: ["team": "edge"],
            creationTimestamp: when)
        let pod = Pod(
            meta: meta, phase: "Running", readyContainers: 1, totalContainers: 1, hasSidecar: true, proxyKind: .gateway,
            proxyVersion: "1.31.0", namedPorts: ["http": 8080], podIP: "10.0.0.7")
        let port = ServicePort(number: 80, name: "http", protocol: "HTTP", targetPort: "http")
        var service = MeshService(
            hostname: "web.edge.svc.cluster.local", namespace: "edge", name: "web", ports: [port], exportTo: ["."],
            creationTime: when, selector: ["app": "web"])
        let endpoint = ServiceEndpoint(address: "10.0.0.8", ports: ["http": 8080])
        service.endpoints = [endpoint]
        let destination = ObservedDestination(
            host: "web.edge.svc.cluster.local", namespace: "edge", port: 80, requests: 6, serviceName: "web", lastSeen: when)
        let observation = ProxyObservation(
            namespace: "edge", pod: "ingress-1", envoyAllocatedBytes: 1, envoyHeapBytes: 2, envoyPhysicalBytes: 3,
            workingSetBytes: 4, activeClusters: 5, clusterNames: ["outbound|80||web.edge.svc.cluster.local"],
            destinations: [destination], capturedAt: when, source: "pod proxy :15090", proxyStartedAt: when)
        // The samples hold every member their types have.
        #expect(try Self.memberNames(of: meta) == Set(ObjectMeta.CodingKeys.allCases.map(\.stringValue)))
        #expect(try Self.memberNames(of: pod) == Set(Pod.CodingKeys.allCases.map(\.stringValue)))
        #expect(try Self.memberNames(of: port) == Set(ServicePort.CodingKeys.allCases.map(\.stringValue)))
        #expect(try Self.memberNames(of: service) == Set(MeshService.CodingKeys.allCases.map(\.stringValue)))
        #expect(try Self.memberNames(of: endpoint) == Set(ServiceEndpoint.CodingKeys.allCases.map(\.stringValue)))
        #expect(try Self.memberNames(of: destination) == Set(ObservedDestination.CodingKeys.allCases.map(\.stringValue)))
        #expect(try Self.memberNames(of: observation) == Set(ProxyObservation.CodingKeys.allCases.map(\.stringValue)))
        snapshot.inventory.pods.append(pod)
        snapshot.inventory.services.append(service)
        snapshot.observations.append(observation)
        let data = try snapshot.encoded()
        let decoded = MeshSnapshot.decodeFast([UInt8](data))
        let fast = try #require(decoded, "the fast path left a member of the model to JSONDecoder")
        #expect(fast == snapshot)
        #expect(fast == (try Self.referenceDecode(data)))
    }

    @Test("strings with escapes and unknown members decode as JSONDecoder decodes them")
    func escapesAndUnknownMembers() throws {
        var snapshot = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 2, services: 6, pods: 8, seed: 4))
        snapshot.inventory.pods[0].meta.annotations["kubectl.kubernetes.io/last-applied-configuration"] =
            "{\"a\": \"b\\\\c\"}\n\té \u{1F600} \u{0001}"
        snapshot.inventory.pods[0].meta.labels["tier"] = "quote\"d"
        let encoded = String(decoding: try snapshot.encoded(), as: UTF8.self)
        // A member this meshtrim does not know (a newer writer's) is skipped, as Codable skips it.
        let withUnknown = encoded.replacingOccurrences(
            of: #""hasSidecar":"#, with: #""futureField":{"x":[1,-2.5e3,true,null,"\u00e9"]},"hasSidecar":"#)
        let data = Data(withUnknown.utf8)
        let fast = try #require(MeshSnapshot.decodeFast([UInt8](data)))
        #expect(fast == snapshot)
        #expect(fast == (try Self.referenceDecode(data)))
    }

    @Test("documents the fast path does not take still decode (or fail) exactly as before", arguments: [
        // A date with an offset: valid ISO 8601, not the form meshtrim writes.
        (#""capturedAt":"2026-03-02T09:30:00Z""#, #""capturedAt":"2026-03-02T10:30:00+01:00""#),
        // A whole number written as a float in an observation.
        (#""requests":"#, #""requests":1.0,"ignored":"#),
        // An unknown top-level member.
        (#""version":1"#, #""version":1,"comment":"hand-edited""#),
        // A bad escape in a member this meshtrim does not know (JSONDecoder never unescapes it, so it passes there).
        (#""hasSidecar":"#, #""futureField":"bad \q escape","hasSidecar":"#),
    ])
    func fallbacks(_ original: String, _ replacement: String) throws {
        let snapshot = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 2, services: 6, pods: 8, seed: 5))
        let text = String(decoding: try snapshot.encoded(), as: UTF8.self)
        let range = try #require(text.range(of: original), "the fixture lost \(original)")
        let data = Data(text.replacingCharacters(in: range, with: replacement).utf8)
        #expect(MeshSnapshot.decodeFast([UInt8](data)) == nil)
        let reference = Result { try Self.referenceDecode(data) }
        let decoded = Result { try MeshSnapshot.decode(from: data) }
        switch (reference, decoded) {
        case (.success(let expected), .success(let actual)): #expect(actual == expected)
        case (.failure, .failure): break
        default: Issue.record("the fallback and JSONDecoder disagree: \(reference) vs \(decoded)")
        }
    }

    @Test("damage inside the pods or observations is refused, not repaired", arguments: [
        (#""hasSidecar":true"#, #""hasSidecar":tru"#),
        (#""readyContainers":2"#, #""readyContainers":2,"#),
        (#""requests":"#, #""requests":+"#),
        (#""namespace":""#, #""namespace":"\x"#),
    ])
    func damageIsRefused(_ original: String, _ replacement: String) throws {
        let snapshot = MeshGenerator.generateSnapshot(MeshGenerator.Parameters(namespaces: 2, services: 6, pods: 8, seed: 6))
        let text = String(decoding: try snapshot.encoded(), as: UTF8.self)
        let range = try #require(text.range(of: original), "the fixture lost \(original)")
        let data = Data(text.replacingCharacters(in: range, with: replacement).utf8)
        #expect(MeshSnapshot.decodeFast([UInt8](data)) == nil)
        #expect(throws: SnapshotError.self) { try MeshSnapshot.decode(from: data) }
    }

    @Test("meshtrim's date form is read as Foundation reads it", arguments: [
        "2026-03-02T09:30:00Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2000-02-29T12:00:00Z",
        "1969-12-31T23:59:59Z", "2100-12-31T00:00:01Z",
    ])
    func dates(_ text: String) throws {
        let expected = try #require(ISO8601DateFormatter().date(from: text))
        var copy = text
        #expect(copy.withUTF8(RFC3339.snapshotDate) == expected)
    }

    @Test("anything else is left to Foundation", arguments: [
        "2026-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-02T24:00:00Z",
        "2026-03-02T09:30:00.5Z", "2026-03-02T09:30:00+01:00", "2026-03-02 09:30:00Z", "2026-0a-02T09:30:00Z", "",
    ])
    func otherDates(_ text: String) {
        var copy = text
        #expect(copy.withUTF8(RFC3339.snapshotDate) == nil)
    }

    @Test("the scanner refuses data after the top-level object")
    func trailingData() {
        #expect(JSONTopLevelScanner.valueRanges(in: Array(#"{"a":1} "#.utf8)) != nil)
        #expect(JSONTopLevelScanner.valueRanges(in: Array(#"{"a":1} x"#.utf8)) == nil)
        #expect(JSONTopLevelScanner.valueRanges(in: Array(#"{"a":1}{"b":2}"#.utf8)) == nil)
    }
}
