import Foundation
import Testing
@testable import MeshtrimCore

/// Every member a snapshot model type writes is read back by the fast path (``SnapshotArrayDecoder``).
///
/// Each sample sets every stored property to a non-default value. The test fails when a property is added to a
/// model type and the sample (and so the fast reader's check) is not updated: the number of stored properties
/// (`Mirror`) must equal the number of members `JSONEncoder` writes, and the fast reader must give back the very
/// value the sample holds — a member it drops or skips shows up as a difference.
@Suite("Snapshot fast path keys")
struct SnapshotFastPathKeyTests {
    static let date = Date(timeIntervalSince1970: 1_772_000_000)

    static let meta = ObjectMeta(
        name: "web-1", namespace: "shop", labels: ["app": "web"], annotations: ["note": "x"], creationTimestamp: date)

    static let pod = Pod(
        meta: meta, phase: "Pending", readyContainers: 1, totalContainers: 3, hasSidecar: false, proxyKind: .gateway,
        proxyVersion: "1.24.0", namedPorts: ["http": 8080], podIP: "10.0.0.9")

    static let port = ServicePort(number: 9090, name: "grpc", protocol: "GRPC", targetPort: "grpc-port")

    static let endpoint = ServiceEndpoint(address: "10.9.0.1", ports: ["http": 8080])

    static let service: MeshService = {
        var service = MeshService(
            hostname: "web.shop.svc.cluster.local", namespace: "shop", name: "web", ports: [port], exportTo: ["."],
            registry: .serviceEntry, resolution: .dnsLB, creationTime: date, selector: ["app": "web"])
        service.endpoints = [endpoint]
        return service
    }()

    static let destination = ObservedDestination(
        host: "db.data.svc.cluster.local", namespace: "data", port: 5432, requests: 12, serviceName: "db",
        lastSeen: date)

    static let observation = ProxyObservation(
        namespace: "shop", pod: "web-1", envoyAllocatedBytes: 1, envoyHeapBytes: 2, envoyPhysicalBytes: 3,
        workingSetBytes: 4, activeClusters: 5, clusterNames: ["outbound|80||a.b.svc.cluster.local"],
        destinations: [destination], capturedAt: date, source: "lab", proxyStartedAt: date.addingTimeInterval(-60))

    /// The samples: each model type the fast path reads, with every property set.
    static let samples: [(name: String, value: any Encodable & Sendable)] = [
        ("ObjectMeta", meta), ("Pod", pod), ("ServicePort", port), ("ServiceEndpoint", endpoint),
        ("MeshService", service), ("ObservedDestination", destination), ("ProxyObservation", observation),
    ]

    static func encoded(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    @Test("each sample sets every stored property, and each property is written as a member", arguments: 0..<7)
    func sampleCoversEveryProperty(position: Int) throws {
        let sample = Self.samples[position]
        let members = try #require(
            try JSONSerialization.jsonObject(with: Self.encoded(sample.value)) as? [String: Any], "\(sample.name)")
        let properties = Mirror(reflecting: sample.value).children.compactMap(\.label)
        #expect(properties.count == members.count, "\(sample.name): properties \(properties), members \(members.keys.sorted())")
    }

    @Test("the fast reader gives back every member of a pod, with its metadata")
    func pods() throws {
        let bytes = [UInt8](try Self.encoded([Self.pod]))
        #expect(SnapshotArrayDecoder.pods(from: bytes[...]) == [Self.pod])
    }

    @Test("the fast reader gives back every member of a service, with its ports and endpoints")
    func services() throws {
        let bytes = [UInt8](try Self.encoded([Self.service]))
        #expect(SnapshotArrayDecoder.services(from: bytes[...]) == [Self.service])
    }

    @Test("the fast reader gives back every member of an observation, with its destinations")
    func observations() throws {
        let bytes = [UInt8](try Self.encoded([Self.observation]))
        #expect(SnapshotArrayDecoder.observations(from: bytes[...]) == [Self.observation])
    }
}
