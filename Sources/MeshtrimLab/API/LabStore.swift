import Foundation
import MeshtrimCore

/// The lab's object store: every object the API serves, with resource versions, and the one writable kind
/// (Sidecars) that the Envoy fleet follows.
///
/// Objects are kept as JSON so that whatever a client applies comes back as written. Lists are ordered by
/// namespace and name (as etcd orders keys) and paginate with opaque `continue` tokens that name the last key, so
/// a page boundary survives concurrent changes.
public actor LabStore {
    /// One page of a list.
    public struct Page: Sendable {
        /// The objects on this page.
        public var items: [JSONValue]
        /// The token for the next page; `nil` on the last page.
        public var continueToken: String?
        /// How many matching objects come after this page.
        public var remainingItemCount: Int?
        /// The store's resource version when the page was read.
        public var resourceVersion: Int
    }

    private struct Key: Hashable, Comparable {
        var namespace: String
        var name: String
        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name) }
        var token: String { Data("\(namespace)/\(name)".utf8).base64EncodedString() }
    }

    private var objects: [String: [Key: JSONValue]] = [:]
    private var sortedKeys: [String: [Key]] = [:]
    private var resourceVersion = 0
    private var sidecarWatchers: [UUID: AsyncStream<Int>.Continuation] = [:]
    private let renderer: ObjectRenderer

    /// Fills the store from a scenario's inventory; the scenario's Sidecars are owned by `sidecarOwner` (which
    /// fields it owns is what server-side apply conflicts with).
    public init(scenario: LabScenario, sidecarOwner: LabFieldManager = .default) {
        let inventory = scenario.inventory
        renderer = ObjectRenderer(inventory: inventory)
        var seeded: [(LabResource, JSONValue)] = []
        for namespace in inventory.namespaces { seeded.append((.namespaces, renderer.namespace(namespace))) }
        for (index, pod) in inventory.pods.enumerated() { seeded.append((.pods, renderer.pod(pod, index: index))) }
        for (index, service) in inventory.services.enumerated() where service.isKubernetes {
            seeded.append((.services, renderer.service(service, index: index)))
        }
        var entries: [String: [MeshService]] = [:]
        var entryOrder: [String] = []
        for service in inventory.services where !service.isKubernetes {
            let key = "\(service.namespace)/\(service.name)"
            if entries[key] == nil { entryOrder.append(key) }
            entries[key, default: []].append(service)
        }
        for key in entryOrder { if let entry = renderer.serviceEntry(entries[key] ?? []) { seeded.append((.serviceEntries, entry)) } }
        for service in inventory.virtualServices { seeded.append((.virtualServices, renderer.virtualService(service))) }
        for rule in inventory.destinationRules { seeded.append((.destinationRules, renderer.destinationRule(rule))) }
        for sidecar in inventory.sidecars {
            var object = renderer.sidecar(sidecar)
            let owner = FieldOwnership.Entry(
                manager: sidecarOwner.name, operation: sidecarOwner.operation, apiVersion: LabResource.sidecars.groupVersion,
                time: Self.time(sidecar.meta.creationTime), fields: FieldOwnership.leaves(of: object))
            object["metadata"]?["managedFields"] = [owner.json]
            seeded.append((.sidecars, object))
        }
        if scenario.meshConfigMaps.isEmpty {
            seeded.append((.configMaps, renderer.meshConfigMap(inventory.meshConfig, namespace: inventory.istiodNamespace)))
        } else {
            // The manifests' own ConfigMaps (istio, istio-<rev>): a live read must pick the revision's as they do.
            for map in scenario.meshConfigMaps { seeded.append((.configMaps, renderer.configMap(map))) }
        }
        for (resource, object) in seeded {
            resourceVersion += 1
            var stored = object
            stored["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
            if resource == .sidecars { stored["metadata"]?["generation"] = 1 }
            let key = Key(namespace: object.value(at: "metadata.namespace")?.stringValue ?? "", name: object.value(at: "metadata.name")?.stringValue ?? "")
            objects[resource.qualifiedName, default: [:]][key] = stored
        }
        for resource in LabResource.stored { sortedKeys[resource.qualifiedName] = (objects[resource.qualifiedName] ?? [:]).keys.sorted() }
    }

    // MARK: Reading

    /// The current resource version.
    public var currentResourceVersion: Int { resourceVersion }

    /// Lists objects, optionally in one namespace, filtered by selectors, one page at a time.
    ///
    /// - Throws: ``KubernetesStatus`` 410 for a `continue` token the store cannot read.
    public func list(
        _ resource: LabResource, namespace: String?, labelSelector: LabelSelectorQuery?, fieldSelector: LabelSelectorQuery?,
        limit: Int?, continueToken: String?
    ) throws -> Page {
        let keys = sortedKeys[resource.qualifiedName] ?? []
        let table = objects[resource.qualifiedName] ?? [:]
        var start = keys.startIndex
        if let token = continueToken, !token.isEmpty {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
                let slash = text.firstIndex(of: "/")
            else {
                throw KubernetesStatus(
                    code: 410, reason: "Expired",
                    message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
            }
            let after = Key(namespace: String(text[..<slash]), name: String(text[text.index(after: slash)...]))
            start = keys.firstIndex { $0 > after } ?? keys.endIndex
        }
        var items: [JSONValue] = []
        var lastKey: Key?
        var remaining = 0
        for key in keys[start...] {
            if let namespace, key.namespace != namespace { continue }
            guard let object = table[key], Self.matches(object, labels: labelSelector, fields: fieldSelector) else { continue }
            if let limit, limit > 0, items.count >= limit {
                remaining += 1
                continue
            }
            items.append(object)
            lastKey = key
        }
        let more = remaining > 0
        return Page(
            items: items, continueToken: more ? lastKey?.token : nil, remainingItemCount: more ? remaining : nil,
            resourceVersion: resourceVersion)
    }

    /// One object.
    ///
    /// - Throws: ``KubernetesStatus`` 404 when it does not exist.
    public func get(_ resource: LabResource, namespace: String, name: String) throws -> JSONValue {
        guard let object = objects[resource.qualifiedName]?[Key(namespace: namespace, name: name)] else {
            throw KubernetesStatus.notFound(resource: resource.plural, group: resource.group, name: name)
        }
        return object
    }

    /// Whether a namespace exists.
    public func namespaceExists(_ name: String) -> Bool {
        objects[LabResource.namespaces.qualifiedName]?[Key(namespace: "", name: name)] != nil
    }

    /// Every Sidecar as the scope engine models it, decoded from the stored objects.
    public func sidecars() -> [Sidecar] {
        let table = objects[LabResource.sidecars.qualifiedName] ?? [:]
        return (sortedKeys[LabResource.sidecars.qualifiedName] ?? []).compactMap { key in
            table[key].flatMap(Self.decodeSidecar)
        }
    }

    /// Decodes a stored Sidecar object with meshtrim's Sidecar reader.
    static func decodeSidecar(_ object: JSONValue) -> Sidecar? {
        (try? SidecarDocumentReader.read(object.jsonText))?.sidecars.first?.sidecar
    }

    // MARK: Writing

    /// Creates an object (POST). Sets uid, resourceVersion, creationTimestamp, generation, and managedFields (the
    /// creator owns every field, operation `Update`).
    ///
    /// - Throws: ``KubernetesStatus`` 409 `AlreadyExists`.
    public func create(_ resource: LabResource, object: JSONValue, fieldManager: String, dryRun: Bool) throws -> JSONValue {
        let key = try key(of: object)
        guard objects[resource.qualifiedName]?[key] == nil else {
            throw KubernetesStatus(
                code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedName) \"\(key.name)\" already exists", name: key.name,
                group: resource.group, kind: resource.plural)
        }
        let now = Date()
        var ownership = FieldOwnership(of: nil)
        ownership.update(from: nil, to: object, manager: fieldManager, apiVersion: resource.groupVersion, time: Self.time(now))
        var stored = newObject(object, resource: resource, key: key, at: now)
        stored["metadata"]?["managedFields"] = ownership.json
        return commit(resource, key: key, object: stored, dryRun: dryRun)
    }

    /// Server-side apply: creates the object or merges the applied configuration into it, field by field, as the
    /// API server's structured merge does (see ``FieldOwnership``).
    ///
    /// The applier comes to own every field it sends; fields it applied before and no longer sends are removed
    /// unless another manager owns them. Changing a field another manager owns is a 409 `Conflict` naming the manager
    /// and the field, unless `force` takes the field over.
    ///
    /// - Returns: the object and whether it was created.
    /// - Parameter validate: admission of the merged object (Istio's webhook sees the result, not the patch).
    public func apply(
        _ resource: LabResource, object: JSONValue, fieldManager: String, force: Bool, dryRun: Bool,
        validate: (JSONValue) throws -> Void = { _ in }
    ) throws -> (object: JSONValue, created: Bool) {
        let key = try key(of: object)
        let now = Date()
        let stored = objects[resource.qualifiedName]?[key]
        var ownership = FieldOwnership(of: stored)
        var merged = try ownership.apply(
            object, over: stored, manager: fieldManager, apiVersion: resource.groupVersion, time: Self.time(now), force: force, name: key.name)
        if let stored {
            let generation = nextGeneration(stored, merged)
            merged["metadata"]?["generation"] = .int(generation)
        } else {
            merged = newObject(merged, resource: resource, key: key, at: now)
        }
        try validate(merged)
        merged["metadata"]?["managedFields"] = ownership.json
        return (commit(resource, key: key, object: merged, dryRun: dryRun), stored == nil)
    }

    /// Replaces an object with what `transform` makes of it (PUT, merge patch, JSON patch): the writer takes the
    /// fields it changed (operation `Update`), the server's metadata stays.
    ///
    /// - Parameter transform: the new object from the stored one; it throws to refuse (a patch that does not apply,
    ///   a stale `resourceVersion`, admission).
    /// - Throws: ``KubernetesStatus`` 404 when the object does not exist, 409 for a stale `metadata.resourceVersion`,
    ///   or what `transform` throws.
    public func update(
        _ resource: LabResource, namespace: String, name: String, fieldManager: String, dryRun: Bool,
        transform: (JSONValue) throws -> JSONValue
    ) throws -> JSONValue {
        let key = Key(namespace: namespace, name: name)
        guard let stored = objects[resource.qualifiedName]?[key] else {
            throw KubernetesStatus.notFound(resource: resource.plural, group: resource.group, name: name)
        }
        var updated = try transform(stored)
        if let expected = updated.value(at: "metadata.resourceVersion")?.stringValue, !expected.isEmpty,
            expected != stored.value(at: "metadata.resourceVersion")?.stringValue
        {
            throw KubernetesStatus(
                code: 409, reason: "Conflict",
                message: "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": the object has been modified; please apply "
                    + "your changes to the latest version and try again",
                name: name, group: resource.group, kind: resource.plural)
        }
        var ownership = FieldOwnership(of: stored)
        ownership.update(from: stored, to: updated, manager: fieldManager, apiVersion: resource.groupVersion, time: Self.time(Date()))
        for field in ["uid", "creationTimestamp", "namespace", "name"] { updated["metadata"]?[field] = stored.value(at: "metadata.\(field)") }
        let generation = nextGeneration(stored, updated)
        updated["metadata"]?["generation"] = .int(generation)
        updated["metadata"]?["managedFields"] = ownership.json
        updated["status"] = stored["status"]
        return commit(resource, key: key, object: updated, dryRun: dryRun)
    }

    /// `metadata.generation` after a write: one more when the spec changed.
    private func nextGeneration(_ stored: JSONValue, _ updated: JSONValue) -> Int {
        let generation = stored.value(at: "metadata.generation")?.intValue ?? 1
        return stored["spec"] == updated["spec"] ? generation : generation + 1
    }

    /// A new object's server-set metadata: uid, creationTimestamp, generation 1.
    private func newObject(_ object: JSONValue, resource: LabResource, key: Key, at date: Date) -> JSONValue {
        var created = object
        created["metadata"]?["uid"] = .string(ObjectRenderer.uid(kind: resource.kind, namespace: key.namespace, name: key.name))
        created["metadata"]?["creationTimestamp"] = .string(renderer.timestamp(date))
        created["metadata"]?["generation"] = 1
        created["metadata"]?["resourceVersion"] = nil
        return created
    }

    /// Deletes an object and returns it as it was.
    ///
    /// - Throws: ``KubernetesStatus`` 404 when it does not exist.
    public func delete(_ resource: LabResource, namespace: String, name: String, dryRun: Bool) throws -> JSONValue {
        let key = Key(namespace: namespace, name: name)
        guard let object = objects[resource.qualifiedName]?[key] else {
            throw KubernetesStatus.notFound(resource: resource.plural, group: resource.group, name: name)
        }
        guard !dryRun else { return object }
        resourceVersion += 1
        objects[resource.qualifiedName]?[key] = nil
        sortedKeys[resource.qualifiedName]?.removeAll { $0 == key }
        if resource == .sidecars { notifySidecarWatchers() }
        return object
    }

    /// A stream that yields the store's resource version after every Sidecar change.
    public func sidecarChanges() -> AsyncStream<Int> {
        let (stream, continuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        sidecarWatchers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeWatcher(id) }
        }
        return stream
    }

    private func removeWatcher(_ id: UUID) { sidecarWatchers[id] = nil }

    private func notifySidecarWatchers() {
        for continuation in sidecarWatchers.values { continuation.yield(resourceVersion) }
    }

    private func commit(_ resource: LabResource, key: Key, object: JSONValue, dryRun: Bool) -> JSONValue {
        var stored = object
        stored["apiVersion"] = .string(resource.groupVersion)
        stored["kind"] = .string(resource.kind)
        guard !dryRun else {
            stored["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
            return stored
        }
        resourceVersion += 1
        stored["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        let isNew = objects[resource.qualifiedName]?[key] == nil
        objects[resource.qualifiedName, default: [:]][key] = stored
        if isNew {
            var keys = sortedKeys[resource.qualifiedName] ?? []
            keys.insert(key, at: keys.firstIndex { $0 > key } ?? keys.endIndex)
            sortedKeys[resource.qualifiedName] = keys
        }
        if resource == .sidecars { notifySidecarWatchers() }
        return stored
    }

    private func key(of object: JSONValue) throws -> Key {
        guard let name = object.value(at: "metadata.name")?.stringValue, !name.isEmpty else {
            throw KubernetesStatus(
                code: 422, reason: "Invalid", message: "metadata.name: Required value: name or generateName is required",
                causes: [.init(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name")])
        }
        return Key(namespace: object.value(at: "metadata.namespace")?.stringValue ?? "", name: name)
    }

    /// A time as managedFields write it (RFC 3339, seconds).
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func matches(_ object: JSONValue, labels: LabelSelectorQuery?, fields: LabelSelectorQuery?) -> Bool {
        if let labels, !labels.matches(object.value(at: "metadata.labels")?.stringMap ?? [:]) { return false }
        if let fields {
            var values: [String: String] = [:]
            for requirement in fields.requirements {
                let path: String
                switch requirement {
                case .equals(let key, _), .notEquals(let key, _), .exists(let key), .doesNotExist(let key), .oneOf(let key, _),
                    .noneOf(let key, _):
                    path = key
                }
                switch object.value(at: path) {
                case .string(let text)?: values[path] = text
                case .bool(let flag)?: values[path] = flag ? "true" : "false"
                case .int(let number)?: values[path] = String(number)
                default: values[path] = ""
                }
            }
            if !fields.matches(values) { return false }
        }
        return true
    }
}

/// The field manager the lab's own Sidecars are recorded as written by (`--sidecar-manager NAME[:Update]`), so that
/// a lab can show what happens when another tool (Argo CD, Helm, kubectl) owns them.
public struct LabFieldManager: Hashable, Sendable, CustomStringConvertible {
    /// The manager's name.
    public var name: String
    /// `Apply` (it applied them with server-side apply) or `Update` (created or replaced them).
    public var operation: String

    /// `meshtrim` with `Apply`: as if meshtrim had applied them, so meshtrim's own applies take them over without a
    /// conflict, and `kubectl apply --server-side` conflicts as it would on a cluster.
    public static let `default` = LabFieldManager(name: "meshtrim", operation: "Apply")

    /// Makes a manager.
    public init(name: String, operation: String) {
        self.name = name
        self.operation = operation
    }

    /// Parses `NAME` or `NAME:Apply` / `NAME:Update`.
    ///
    /// - Throws: ``LabError`` for an empty name or another operation.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let operation = parts.count > 1 ? parts[1] : "Apply"
        guard let name = parts.first, !name.isEmpty, ["Apply", "Update"].contains(operation) else {
            throw LabError("--sidecar-manager \(text): expected NAME, NAME:Apply or NAME:Update, e.g. argocd-controller or helm:Update")
        }
        self.init(name: name, operation: operation)
    }

    /// `NAME:OPERATION`.
    public var description: String { "\(name):\(operation)" }
}
