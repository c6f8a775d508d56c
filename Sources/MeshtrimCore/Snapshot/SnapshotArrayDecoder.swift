import Foundation

/// Decodes a snapshot's big arrays — the inventory's pods and services, and the observations — straight from the
/// JSON bytes.
///
/// `JSONDecoder` builds a dictionary for every object and parses every date with a general ISO 8601 parser; for
/// the bundled demo (1,560 pods, 1,529 observations) that was most of the time to the first frame. This reader
/// walks the bytes once, compares member names as bytes, and builds the model values directly. It is strict JSON
/// but deliberately narrow: anything it does not expect (a string escape it leaves to Foundation aside, a number
/// that is not a plain integer, a date not in the `2026-01-02T03:04:05Z` form meshtrim writes, a missing required
/// member) makes it return `nil`, and the caller decodes with `JSONDecoder` as before — same values, same errors.
struct SnapshotArrayDecoder {
    /// Why the fast path gave up; never shown (the caller falls back to `JSONDecoder`).
    private struct Unexpected: Error {}

    /// Where the reader stands in the bytes (the one JSON lexer, ``JSONCursor``).
    private var cursor: JSONCursor

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        cursor = JSONCursor(bytes)
    }

    /// The pods of a JSON array of ``Pod`` objects, or `nil` when the fast path does not apply.
    static func pods(from bytes: ArraySlice<UInt8>) -> [Pod]? {
        decode(bytes) { reader in try reader.array { reader in try reader.pod() } }
    }

    /// The services of a JSON array of ``MeshService`` objects, or `nil` when the fast path does not apply.
    static func services(from bytes: ArraySlice<UInt8>) -> [MeshService]? {
        decode(bytes) { reader in try reader.array { reader in try reader.service() } }
    }

    /// The observations of a JSON array of ``ProxyObservation`` objects, or `nil` when the fast path does not apply.
    static func observations(from bytes: ArraySlice<UInt8>) -> [ProxyObservation]? {
        decode(bytes) { reader in try reader.array { reader in try reader.observation() } }
    }

    private static func decode<Value>(
        _ bytes: ArraySlice<UInt8>, _ body: (inout SnapshotArrayDecoder) throws -> Value
    ) -> Value? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = SnapshotArrayDecoder(bytes: buffer)
            guard let value = try? body(&reader) else { return nil }
            reader.cursor.skipWhitespace()
            return reader.cursor.isAtEnd ? value : nil
        }
    }

    // MARK: Model values

    private mutating func pod() throws -> Pod {
        var meta: ObjectMeta?
        var phase: String?
        var ready: Int?
        var total: Int?
        var hasSidecar: Bool?
        var proxyVersion: String?
        var namedPorts: [String: Int]?
        var podIP: String?
        var proxy: ProxyKind?
        try members { reader, key in
            switch key {
            case "meta": meta = try reader.objectMeta()
            case "phase": phase = try reader.string()
            case "readyContainers": ready = try reader.int()
            case "totalContainers": total = try reader.int()
            case "hasSidecar": hasSidecar = try reader.bool()
            case "proxyVersion": proxyVersion = try reader.optional { try $0.string() }
            case "namedPorts": namedPorts = try reader.dictionary { try $0.int() }
            case "podIP": podIP = try reader.optional { try $0.string() }
            case "proxy": proxy = ProxyKind(rawValue: try reader.string())
            default: try reader.skipMember(key, unlessOneOf: Pod.CodingKeys.self)
            }
        }
        guard let meta, let phase, let ready, let total, let hasSidecar, let namedPorts else { throw Unexpected() }
        return Pod(
            meta: meta, phase: phase, readyContainers: ready, totalContainers: total, hasSidecar: hasSidecar,
            proxyKind: proxy, proxyVersion: proxyVersion, namedPorts: namedPorts, podIP: podIP)
    }

    private mutating func service() throws -> MeshService {
        var hostname: String?
        var namespace: String?
        var name: String?
        var ports: [ServicePort]?
        var exportTo: [String]?
        var registry: ServiceRegistry?
        var resolution: ServiceResolution?
        var creationTime: Date?
        var selector: [String: String]?
        var endpoints: [ServiceEndpoint]?
        try members { reader, key in
            switch key {
            case "hostname": hostname = try reader.string()
            case "namespace": namespace = try reader.string()
            case "name": name = try reader.string()
            case "ports": ports = try reader.array { try $0.servicePort() }
            case "exportTo": exportTo = try reader.optional { try $0.array { try $0.string() } }
            case "registry": registry = try ServiceRegistry(rawValue: reader.string())
            case "resolution": resolution = try ServiceResolution(rawValue: reader.string())
            case "creationTime": creationTime = try reader.date()
            case "selector": selector = try reader.optional { try $0.dictionary { try $0.string() } }
            case "endpoints": endpoints = try reader.optional { try $0.array { try $0.endpoint() } }
            default: try reader.skipMember(key, unlessOneOf: MeshService.CodingKeys.self)
            }
        }
        guard let hostname, let namespace, let name, let ports, let registry, let resolution, let creationTime else {
            throw Unexpected()
        }
        var service = MeshService(
            hostname: hostname, namespace: namespace, name: name, ports: ports, exportTo: exportTo, registry: registry,
            resolution: resolution, creationTime: creationTime, selector: selector)
        service.endpoints = endpoints
        return service
    }

    private mutating func servicePort() throws -> ServicePort {
        var number: Int?
        var name: String?
        var portProtocol: String?
        var targetPort: String?
        try members { reader, key in
            switch key {
            case "number": number = try reader.int()
            case "name": name = try reader.string()
            case "protocol": portProtocol = try reader.string()
            case "targetPort": targetPort = try reader.optional { try $0.string() }
            default: try reader.skipMember(key, unlessOneOf: ServicePort.CodingKeys.self)
            }
        }
        guard let number, let name, let portProtocol else { throw Unexpected() }
        return ServicePort(number: number, name: name, protocol: portProtocol, targetPort: targetPort)
    }

    private mutating func endpoint() throws -> ServiceEndpoint {
        var address: String?
        var ports: [String: Int]?
        try members { reader, key in
            switch key {
            case "address": address = try reader.string()
            case "ports": ports = try reader.dictionary { try $0.int() }
            default: try reader.skipMember(key, unlessOneOf: ServiceEndpoint.CodingKeys.self)
            }
        }
        guard let address, let ports else { throw Unexpected() }
        return ServiceEndpoint(address: address, ports: ports)
    }

    private mutating func objectMeta() throws -> ObjectMeta {
        var name: String?
        var namespace: String?
        var labels: [String: String]?
        var annotations: [String: String]?
        var created: Date?
        try members { reader, key in
            switch key {
            case "name": name = try reader.string()
            case "namespace": namespace = try reader.string()
            case "labels": labels = try reader.dictionary { try $0.string() }
            case "annotations": annotations = try reader.dictionary { try $0.string() }
            case "creationTimestamp": created = try reader.optional { try $0.date() }
            default: try reader.skipMember(key, unlessOneOf: ObjectMeta.CodingKeys.self)
            }
        }
        guard let name, let namespace, let labels, let annotations else { throw Unexpected() }
        return ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: annotations, creationTimestamp: created)
    }

    private mutating func observation() throws -> ProxyObservation {
        var namespace: String?
        var pod: String?
        var allocated: Int?
        var heap: Int?
        var physical: Int?
        var workingSet: Int?
        var activeClusters: Int?
        var clusterNames: [String]?
        var destinations: [ObservedDestination]?
        var capturedAt: Date?
        var source: String?
        var proxyStartedAt: Date?
        try members { reader, key in
            switch key {
            case "namespace": namespace = try reader.string()
            case "pod": pod = try reader.string()
            case "envoyAllocatedBytes": allocated = try reader.optional { try $0.int() }
            case "envoyHeapBytes": heap = try reader.optional { try $0.int() }
            case "envoyPhysicalBytes": physical = try reader.optional { try $0.int() }
            case "workingSetBytes": workingSet = try reader.optional { try $0.int() }
            case "activeClusters": activeClusters = try reader.optional { try $0.int() }
            case "clusterNames": clusterNames = try reader.optional { try $0.array { try $0.string() } }
            case "destinations": destinations = try reader.array { try $0.destination() }
            case "capturedAt": capturedAt = try reader.optional { try $0.date() }
            case "source": source = try reader.string()
            case "proxyStartedAt": proxyStartedAt = try reader.optional { try $0.date() }
            default: try reader.skipMember(key, unlessOneOf: ProxyObservation.CodingKeys.self)
            }
        }
        guard let namespace, let pod, let destinations, let source else { throw Unexpected() }
        return ProxyObservation(
            namespace: namespace, pod: pod, envoyAllocatedBytes: allocated, envoyHeapBytes: heap,
            envoyPhysicalBytes: physical, workingSetBytes: workingSet, activeClusters: activeClusters,
            clusterNames: clusterNames, destinations: destinations, capturedAt: capturedAt, source: source,
            proxyStartedAt: proxyStartedAt)
    }

    private mutating func destination() throws -> ObservedDestination {
        var host: String?
        var namespace: String?
        var port: Int?
        var requests: Int?
        var serviceName: String?
        var lastSeen: Date?
        try members { reader, key in
            switch key {
            case "host": host = try reader.string()
            case "namespace": namespace = try reader.optional { try $0.string() }
            case "port": port = try reader.optional { try $0.int() }
            case "requests": requests = try reader.int()
            case "serviceName": serviceName = try reader.optional { try $0.string() }
            case "lastSeen": lastSeen = try reader.optional { try $0.date() }
            default: try reader.skipMember(key, unlessOneOf: ObservedDestination.CodingKeys.self)
            }
        }
        guard let host, let requests else { throw Unexpected() }
        return ObservedDestination(
            host: host, namespace: namespace, port: port, requests: requests, serviceName: serviceName, lastSeen: lastSeen)
    }

    // MARK: JSON structure

    /// Calls `body` with each member name of an object (the reader then stands on the member's value, which
    /// `body` must consume).
    private mutating func members(_ body: (inout SnapshotArrayDecoder, MemberName) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        guard try cursor.openObject() else { return }
        repeat {
            let key = try memberName()
            try cursor.toMemberValue()
            try body(&self, key)
        } while try cursor.nextMember()
    }

    /// The elements of an array, each read by `element`.
    private mutating func array<Element>(_ element: (inout SnapshotArrayDecoder) throws -> Element) throws -> [Element] {
        try expect(UInt8(ascii: "["))
        var elements: [Element] = []
        guard try cursor.openArray() else { return elements }
        repeat { elements.append(try element(&self)) } while try cursor.nextElement()
        return elements
    }

    /// An object read as a dictionary whose values `value` reads (labels, annotations, named ports).
    private mutating func dictionary<Value>(_ value: (inout SnapshotArrayDecoder) throws -> Value) throws -> [String: Value] {
        var result: [String: Value] = [:]
        try members { reader, key in result[try key.text] = try value(&reader) }
        return result
    }

    /// `null`, or a value that `value` reads.
    private mutating func optional<Value>(_ value: (inout SnapshotArrayDecoder) throws -> Value) throws -> Value? {
        if try cursor.peek(expected: "a value") == UInt8(ascii: "n") {
            try cursor.literal("null")
            return nil
        }
        return try value(&self)
    }

    // MARK: Scalars

    /// A member name, kept as bytes so that `switch` compares without building a `String`.
    private struct MemberName {
        var bytes: UnsafeBufferPointer<UInt8>

        var text: String {
            get throws {
                guard let text = String(validating: bytes, as: UTF8.self) else { throw Unexpected() }
                return text
            }
        }

        static func ~= (pattern: StaticString, name: MemberName) -> Bool {
            pattern.withUTF8Buffer { $0.elementsEqual(name.bytes) }
        }
    }

    /// Skips a member the model does not have, as `JSONDecoder` ignores it (checking it as `JSONDecoder` would); a
    /// member the model has but this reader does not read (a field added to the model and not here) ends the fast
    /// path, so that `JSONDecoder` reads the file and nothing is dropped.
    private mutating func skipMember<Keys: CodingKey>(_ name: MemberName, unlessOneOf keys: Keys.Type) throws {
        if Keys(stringValue: try name.text) != nil { throw Unexpected() }
        try cursor.skipValue(strictStrings: true)
    }

    private mutating func memberName() throws -> MemberName {
        MemberName(bytes: UnsafeBufferPointer(rebasing: cursor.bytes[try plainStringRange()]))
    }

    /// The contents of a string without escapes (the reader moves past its closing quote).
    private mutating func plainStringRange() throws -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let (contents, isPlain) = try cursor.skipString()
        // Member names and dates never need escapes: leave such documents to Foundation.
        guard isPlain else { throw Unexpected() }
        return contents
    }

    /// A string, read as `JSONDecoder` reads it (invalid UTF-8 and lone surrogates are errors, not repaired).
    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        return try cursor.string(strict: true)
    }

    /// A plain integer literal (`-?[0-9]+`) that fits an `Int`.
    private mutating func int() throws -> Int {
        let literal = try cursor.number()
        var value = 0
        var negative = false
        for position in literal {
            let byte = cursor.bytes[position]
            if byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            // A fraction or an exponent: not a plain integer; Foundation decides.
            guard JSONCursor.isDigit(byte) else { throw Unexpected() }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { throw Unexpected() }
            value = sum
        }
        return negative ? -value : value
    }

    private mutating func bool() throws -> Bool {
        if try cursor.peek(expected: "a boolean") == UInt8(ascii: "t") {
            try cursor.literal("true")
            return true
        }
        try cursor.literal("false")
        return false
    }

    /// A date in the form meshtrim's encoder writes (`yyyy-MM-ddTHH:mm:ssZ`, UTC).
    private mutating func date() throws -> Date {
        let range = try plainStringRange()
        guard let date = RFC3339.snapshotDate(UnsafeBufferPointer(rebasing: cursor.bytes[range])) else { throw Unexpected() }
        return date
    }

    /// Stands on `byte` (without moving past it), or gives up.
    private func expect(_ byte: UInt8) throws {
        guard cursor.index < cursor.bytes.count, cursor.bytes[cursor.index] == byte else { throw Unexpected() }
    }
}
