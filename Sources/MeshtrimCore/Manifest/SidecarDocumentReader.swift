import Foundation
import Yams

/// One Sidecar read from a manifest, with the raw fields validation needs and where it starts.
public struct SidecarDocument: Sendable {
    /// The Sidecar.
    public var sidecar: Sidecar
    /// Fields the ``Sidecar`` model does not keep (raw `mode`, `bind`, `captureMode`, …).
    public var details: SidecarValidator.Details
    /// Problems found while reading (null entries, wrong types, ingress without port).
    public var problems: [SidecarProblem]
    /// The 1-based line where the object starts.
    public var line: Int
    /// The whole object as written, members in order (what ``Sidecar/original`` holds once it is in an inventory).
    public var original: OrderedJSON
    /// The 1-based lines of its parts (egress and ingress listeners, each egress host by its index among the
    /// listener's string hosts, the selector, the policy), so a finding about one part can point at it.
    public var partLines: [SidecarProblem.Location: Int] = [:]

    /// The line of `location` in the file, else the line where the object starts.
    public func line(of location: SidecarProblem.Location) -> Int {
        partLines[location] ?? line
    }
}

/// What a manifest text held: its Sidecars and how many other objects were skipped.
public struct SidecarDocumentSet: Sendable {
    /// Sidecars in file order (`kind: List` items in place).
    public var sidecars: [SidecarDocument]
    /// Objects of any other kind.
    public var otherObjectCount: Int
}

/// Why a manifest text could not be read as YAML, with the place to look.
public struct SidecarDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// What the YAML parser said.
    public var message: String

    /// Makes an error.
    public init(line: Int?, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 7: mapping values are not allowed in this context`.
    public var description: String {
        switch (line, column) {
        case (let line?, let column?): return "line \(line), column \(column): \(message)"
        case (let line?, nil): return "line \(line): \(message)"
        default: return message
        }
    }
}

/// Reads Sidecars, exactly as written, from multi-document YAML (or JSON) for `meshtrim validate`.
///
/// Unlike the inventory loader it keeps what the webhook checks but the scope engine does not need, and it
/// reports a broken field as a problem of that Sidecar instead of failing the whole file.
public enum SidecarDocumentReader {
    /// Reads every document of `text`; `kind: List` (and `…List` with `items`) is flattened.
    ///
    /// - Throws: ``SidecarDocumentError`` with the line and column of the first YAML syntax error.
    public static func read(_ text: String) throws(SidecarDocumentError) -> SidecarDocumentSet {
        var result = SidecarDocumentSet(sidecars: [], otherObjectCount: 0)
        // The line of a document whose aliases expand too far to be kept whole (a "billion laughs" chain).
        var overExpanded: Int?
        do {
            var documents = try Yams.compose_all(yaml: text)
            while let node = documents.next() {
                if YAMLSyntax.exceedsExpansion(node) {
                    overExpanded = node.mark?.line ?? 1
                    break
                }
                collect(node, into: &result)
            }
            if overExpanded == nil, let error = documents.error { throw error }
        } catch let error as YamlError {
            throw Self.describe(error)
        } catch {
            throw SidecarDocumentError(line: nil, column: nil, message: "\(error)")
        }
        if let overExpanded {
            throw SidecarDocumentError(
                line: overExpanded, column: nil,
                message: "the document expands to more than \(YAMLSyntax.maximumExpandedNodes) YAML nodes through aliases (*anchor)")
        }
        return result
    }

    /// `itemOf` is the `(kind, apiVersion)` of the typed list the node is an item of: a real API server leaves both
    /// out of a typed list's items (`SidecarList` items are Sidecars), so a node without them takes its list's.
    private static func collect(_ node: Node, into result: inout SidecarDocumentSet, itemOf list: (kind: String, apiVersion: String)? = nil) {
        guard case .mapping = node else {
            if !isNull(node) { result.otherObjectCount += 1 }
            return
        }
        let kind = node["kind"]?.string ?? list?.kind ?? ""
        let apiVersion = node["apiVersion"]?.string ?? list?.apiVersion ?? ""
        if kind == "List" || kind.hasSuffix("List"), let items = node["items"], case .sequence = items {
            let itemKind = kind == "List" ? nil : (kind: String(kind.dropLast(4)), apiVersion: apiVersion)
            for item in items.array() { collect(item, into: &result, itemOf: itemKind) }
            return
        }
        guard kind == "Sidecar", apiVersion.hasPrefix("networking.istio.io/") else {
            result.otherObjectCount += 1
            return
        }
        var document = decodeSidecar(node)
        // An item of a typed list came without kind and apiVersion: the object as it is has its list's.
        if let list, case .object(var members) = document.original {
            if !members.contains(where: { $0.key == "kind" }) { members.insert(.init(key: "kind", value: .string(kind)), at: 0) }
            if !members.contains(where: { $0.key == "apiVersion" }) {
                members.insert(.init(key: "apiVersion", value: .string(list.apiVersion)), at: 0)
            }
            document.original = .object(members)
        }
        result.sidecars.append(document)
    }

    // MARK: Sidecar fields

    private static func decodeSidecar(_ node: Node) -> SidecarDocument {
        var problems: [SidecarProblem] = []
        var details = SidecarValidator.Details()
        var lines: [SidecarProblem.Location: Int] = [:]
        let meta = decodeMeta(node["metadata"])
        var sidecar = Sidecar(meta: meta)
        let spec = node["spec"]
        if let selector = field(spec, "workloadSelector", expecting: .mapping, problems: &problems) {
            sidecar.workloadSelector = LabelSelector(stringMap(selector["labels"]))
            lines[.workloadSelector] = selector.mark?.line
        }
        if let egress = field(spec, "egress", expecting: .sequence, problems: &problems) {
            for (index, item) in egress.array().enumerated() {
                guard case .mapping = item else {
                    problems.append(SidecarProblem(.error, "egress listener may not be null", at: .egressListener(index)))
                    continue
                }
                let listenerIndex = sidecar.egress.count
                lines[.egressListener(index)] = item.mark?.line
                if let bind = item["bind"]?.string { details.egressBinds[listenerIndex] = bind }
                if let mode = item["captureMode"]?.string { details.egressCaptureModes[listenerIndex] = mode }
                let port = decodePort(item["port"], at: .egressListener(index), problems: &problems)
                let hosts = decodeHosts(item["hosts"], listener: index, problems: &problems, lines: &lines)
                sidecar.egress.append(SidecarEgressListener(port: port, hosts: hosts))
                details.egressListenerIndices.append(index)
            }
        }
        if let ingress = field(spec, "ingress", expecting: .sequence, problems: &problems) {
            let items = ingress.array()
            details.ingressListenerCount = items.count
            for (index, item) in items.enumerated() {
                guard case .mapping = item else {
                    problems.append(SidecarProblem(.error, "sidecar: ingress may not be null", at: .ingressListener(index)))
                    continue
                }
                lines[.ingressListener(index)] = item.mark?.line
                guard let port = decodePort(item["port"], at: .ingressListener(index), problems: &problems) else {
                    problems.append(
                        SidecarProblem(.error, "sidecar: port is required for ingress listeners", at: .ingressListener(index)))
                    continue
                }
                sidecar.ingressPorts.append(port)
                details.ingressListenerIndices.append(index)
            }
        }
        if let policy = field(spec, "outboundTrafficPolicy", expecting: .mapping, problems: &problems) {
            // A policy without `mode` is REGISTRY_ONLY (the proto enum's zero value).
            let mode = policy["mode"]?.string ?? ""
            lines[.outboundTrafficPolicy] = policy.mark?.line
            details.outboundTrafficPolicyMode = mode
            details.hasEgressProxy = policy["egressProxy"] != nil
            // ALLOW_ANY_DYNAMIC_DNS is a mesh-config mode; in a Sidecar it is invalid (the raw mode is in details).
            let parsed = mode.isEmpty ? .registryOnly : OutboundTrafficPolicy(rawValue: mode)
            sidecar.outboundTrafficPolicy = parsed == .allowAnyDynamicDNS ? nil : parsed
        }
        details.hasInboundConnectionPool = spec?["inboundConnectionPool"] != nil
        return SidecarDocument(
            sidecar: sidecar, details: details, problems: problems, line: node.mark?.line ?? 1, original: OrderedJSON(yaml: node),
            partLines: lines)
    }

    private enum Shape: String {
        case mapping = "a mapping"
        case sequence = "a list"
    }

    /// `spec[key]` when it has the expected shape; a problem when it is there with another shape.
    private static func field(_ spec: Node?, _ key: String, expecting shape: Shape, problems: inout [SidecarProblem]) -> Node? {
        guard let value = spec?[key], !isNull(value) else { return nil }
        switch (value, shape) {
        case (.mapping, .mapping), (.sequence, .sequence):
            return value
        default:
            problems.append(SidecarProblem(.error, "spec.\(key) must be \(shape.rawValue)", origin: .meshtrim))
            return nil
        }
    }

    private static func decodeMeta(_ node: Node?) -> ObjectMeta {
        var meta = ObjectMeta(name: node?["name"]?.string ?? "", namespace: node?["namespace"]?.string ?? "")
        meta.labels = stringMap(node?["labels"])
        meta.annotations = stringMap(node?["annotations"])
        if let created = node?["creationTimestamp"] {
            meta.creationTimestamp = created.timestamp ?? created.string.flatMap { try? Date($0, strategy: .iso8601) }
        }
        return meta
    }

    private static func stringMap(_ node: Node?) -> [String: String] {
        guard case .mapping(let mapping)? = node else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            guard let key = key.string else { continue }
            result[key] = isNull(value) ? "" : (value.string ?? "")
        }
        return result
    }

    private static func decodePort(_ node: Node?, at location: SidecarProblem.Location, problems: inout [SidecarProblem])
        -> SidecarPort?
    {
        guard let node, !isNull(node) else { return nil }
        guard case .mapping = node else {
            problems.append(
                SidecarProblem(.error, "port must be a mapping with number, protocol and name", at: location, origin: .meshtrim))
            return nil
        }
        var number = 0
        if let value = node["number"], !isNull(value) {
            if let parsed = value.int {
                number = parsed
            } else {
                problems.append(
                    SidecarProblem(
                        .error, "port number \(goQuoted(value.string ?? "")) is not a whole number", at: location,
                        origin: .meshtrim))
            }
        }
        return SidecarPort(number: number, protocol: node["protocol"]?.string ?? "", name: node["name"]?.string ?? "")
    }

    private static func decodeHosts(
        _ node: Node?, listener: Int, problems: inout [SidecarProblem], lines: inout [SidecarProblem.Location: Int]
    ) -> [String] {
        guard let node, !isNull(node) else { return [] }
        guard case .sequence = node else {
            problems.append(
                SidecarProblem(.error, "hosts must be a list of strings", at: .egressListener(listener), origin: .meshtrim))
            return []
        }
        var hosts: [String] = []
        for (index, item) in node.array().enumerated() {
            guard case .scalar(let scalar) = item, !isNull(item) else {
                problems.append(
                    SidecarProblem(
                        .error, "a host must be a string", at: .egressHost(listener: listener, index: index, host: ""),
                        hint: "quote hosts that start with * or ~, e.g. \"*/*\"", origin: .meshtrim))
                continue
            }
            lines[.egressHost(listener: listener, index: hosts.count, host: scalar.string)] = item.mark?.line
            hosts.append(scalar.string)
        }
        return hosts
    }

    /// Whether YAML reads `node` as null (`~`, `null`, empty; a quoted `"~"` is a string).
    private static func isNull(_ node: Node) -> Bool {
        Resolver.default.resolveTag(of: node) == .null
    }

    // MARK: Errors

    private static func describe(_ error: YamlError) -> SidecarDocumentError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = context.map { "\(problem) (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? problem
            if message.contains("alias") || message.contains("anchor") {
                message += "; a value starting with * or & must be quoted, e.g. \"*/*\""
            }
            return SidecarDocumentError(line: mark.line, column: mark.column, message: message)
        case .reader(let problem, let offset, _, _):
            return SidecarDocumentError(line: nil, column: nil, message: offset.map { "\(problem) at byte \($0)" } ?? problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SidecarDocumentError(
                line: context.mark.line, column: context.mark.column,
                message: "duplicated keys in a mapping: \(duplicates.joined(separator: ", "))")
        default:
            return SidecarDocumentError(line: nil, column: nil, message: "\(error)")
        }
    }
}
