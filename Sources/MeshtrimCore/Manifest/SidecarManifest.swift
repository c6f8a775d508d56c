import Yams

/// A Sidecar that meshtrim writes: built from the egress hosts a person chose, rendered as stable YAML.
///
/// A new Sidecar's output is deterministic (fixed key order, hosts in the given order without duplicates, sorted
/// labels) so a regenerated file diffs cleanly, and it reads back through ``SidecarDocumentReader`` to the same
/// ``Sidecar``. A manifest that ``replacing`` an existing Sidecar is that object with only the hosts of its default
/// egress listener replaced: everything else (ingress, outbound policy, connection pools, other listeners, `bind`,
/// `captureMode`, labels, annotations, unknown fields) is written back as it was, in its order.
public struct SidecarManifest: Hashable, Sendable {
    /// `metadata.namespace`.
    public var namespace: String
    /// `metadata.name`.
    public var name: String
    /// The workload this Sidecar is for (used in the default name and file name); `nil` for namespace-wide.
    public var workload: String?
    /// `spec.workloadSelector.labels`; empty for a namespace-wide Sidecar.
    public var workloadSelector: [String: String]
    /// Egress hosts (`namespace/dnsName`), in the order they should be written.
    public var hosts: [String]
    /// The port of the single egress listener; `nil` for the usual catch-all listener.
    public var egressPort: SidecarPort?
    /// `spec.outboundTrafficPolicy.mode`; `nil` to keep the mesh's.
    public var outboundTrafficPolicy: OutboundTrafficPolicy?
    /// `metadata.labels`.
    public var labels: [String: String]
    /// The Sidecar this one replaces (same namespace and name), whose object the YAML starts from; `nil` for a new one.
    public var replacing: Sidecar?
    /// The `apiVersion` to write (the cluster's served version, ``MeshInventory/servedSidecarAPIVersion``); `nil`
    /// writes `networking.istio.io/v1` for a new Sidecar and keeps a replaced one's own.
    public var apiVersion: String?

    /// The label meshtrim puts on what it writes, so people (and meshtrim) can tell generated Sidecars apart.
    public static let managedByLabels = ["app.kubernetes.io/managed-by": "meshtrim"]

    /// Makes a manifest; `name` defaults to the workload's name, or `default` for a namespace-wide Sidecar.
    public init(
        namespace: String, hosts: [String], name: String? = nil, workload: String? = nil,
        workloadSelector: [String: String] = [:], egressPort: SidecarPort? = nil,
        outboundTrafficPolicy: OutboundTrafficPolicy? = nil, labels: [String: String] = managedByLabels,
        replacing: Sidecar? = nil, apiVersion: String? = nil
    ) {
        self.replacing = replacing
        self.apiVersion = apiVersion
        self.namespace = namespace
        self.hosts = hosts
        self.name = name ?? workload ?? "default"
        self.workload = workload
        self.workloadSelector = workloadSelector
        self.egressPort = egressPort
        self.outboundTrafficPolicy = outboundTrafficPolicy
        self.labels = labels
    }

    /// The `apiVersion` the YAML says: ``apiVersion``, else the replaced Sidecar's own, else `networking.istio.io/v1`.
    public var writtenAPIVersion: String {
        if let apiVersion { return apiVersion }
        if let replacing, case .string(let version)? = Self.replaceableObject(replacing)["apiVersion"] { return version }
        return Self.defaultAPIVersion
    }

    /// The version meshtrim writes when the cluster's is not known: `networking.istio.io/v1` (Istio 1.22 and later).
    public static let defaultAPIVersion = "networking.istio.io/v1"

    /// ``hosts`` in order, each once.
    public var uniqueHosts: [String] {
        var seen = Set<String>()
        return hosts.filter { seen.insert($0).inserted }
    }

    /// The Sidecar this manifest describes (for a replacement: the replaced one with the new default-listener hosts).
    public var sidecar: Sidecar {
        if var edited = replacing {
            edited.original = nil
            if let index = edited.defaultEgressListenerIndex {
                edited.egress[index].hosts = uniqueHosts
            } else {
                edited.egress = [SidecarEgressListener(hosts: uniqueHosts)]
            }
            return edited
        }
        return Sidecar(
            meta: ObjectMeta(name: name, namespace: namespace, labels: labels),
            workloadSelector: workloadSelector.isEmpty ? nil : LabelSelector(workloadSelector),
            egress: [SidecarEgressListener(port: egressPort, hosts: uniqueHosts)],
            outboundTrafficPolicy: outboundTrafficPolicy)
    }

    /// Istio's webhook rules and meshtrim's warnings for this Sidecar.
    public func validate(version: IstioVersion = .defaultVersion) -> [SidecarProblem] {
        // A replacement carries fields the model does not keep (ingress endpoints, bind, …): check what is written.
        if replacing != nil, let document = try? SidecarDocumentReader.read(yaml).sidecars.first {
            return document.problems + SidecarValidator(version: version).validate(document.sidecar, details: document.details)
        }
        return SidecarValidator(version: version).validate(sidecar)
    }

    /// The replaced Sidecar as YAML, rendered the same way as ``yaml``, so a line diff of the two shows only what the
    /// edit changed; `nil` for a new Sidecar.
    public var replacedYAML: String? {
        replacing.map(Self.yaml(of:))
    }

    /// `sidecar` as it is in its file or cluster (server-set fields left out), rendered like ``yaml``: what a diff
    /// against a Sidecar that replaces it starts from.
    public static func yaml(of sidecar: Sidecar) -> String {
        replaceableObject(sidecar).yamlText
    }

    /// `sidecar-<namespace>.yaml`, or `sidecar-<namespace>-<workload>.yaml` for a workload's Sidecar.
    public var fileName: String {
        let parts = [namespace] + (workload.map { [$0] } ?? [])
        return "sidecar-" + parts.map(Self.fileNameSafe).joined(separator: "-") + ".yaml"
    }

    private static func fileNameSafe(_ text: String) -> String {
        let safe = text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "-" }
        return safe.isEmpty ? "unnamed" : String(safe)
    }

    /// The manifest as YAML: `apiVersion`, `kind`, `metadata`, then `spec` with `workloadSelector`, `egress`,
    /// `outboundTrafficPolicy`; strings quoted only where YAML needs it, plus wildcard and `~` hosts by convention.
    public var yaml: String {
        if let replacing { return editedObject(replacing).yamlText }
        var lines = [
            "apiVersion: " + YAMLText.scalar(apiVersion ?? Self.defaultAPIVersion),
            "kind: Sidecar",
            "metadata:",
            "  name: " + YAMLText.scalar(name),
            "  namespace: " + YAMLText.scalar(namespace),
        ]
        if !labels.isEmpty {
            lines.append("  labels:")
            lines += Self.mapping(labels, indent: "    ")
        }
        lines.append("spec:")
        if !workloadSelector.isEmpty {
            lines += ["  workloadSelector:", "    labels:"]
            lines += Self.mapping(workloadSelector, indent: "      ")
        }
        lines.append("  egress:")
        var listenerLines: [String] = []
        if let port = egressPort {
            listenerLines.append("port:")
            listenerLines.append("  number: \(port.number)")
            if !port.protocol.isEmpty { listenerLines.append("  protocol: " + YAMLText.scalar(port.protocol)) }
            if !port.name.isEmpty { listenerLines.append("  name: " + YAMLText.scalar(port.name)) }
        }
        let hostList = uniqueHosts
        if hostList.isEmpty {
            listenerLines.append("hosts: []")
        } else {
            listenerLines.append("hosts:")
            listenerLines += hostList.map { "- " + YAMLText.scalar($0, quoteAlways: $0.contains("*") || $0.hasPrefix("~")) }
        }
        for (index, line) in listenerLines.enumerated() {
            lines.append((index == 0 ? "  - " : "    ") + line)
        }
        if let policy = outboundTrafficPolicy {
            lines += ["  outboundTrafficPolicy:", "    mode: " + policy.rawValue]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Replacing an existing Sidecar

    /// Fields the API server sets; they are dropped from a replacement (server-side apply refuses `managedFields`, and
    /// a stale `resourceVersion` would make the write conflict).
    static let serverOwnedMetadata: Set<String> = ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"]

    /// The object of `sidecar` to edit: its original without server-owned fields (and with its namespace), or one
    /// made from the model when there is no original.
    static func replaceableObject(_ sidecar: Sidecar) -> OrderedJSON {
        guard case .object(var members)? = sidecar.original else { return modelObject(sidecar) }
        members.removeAll { $0.key == "status" }
        if let index = members.firstIndex(where: { $0.key == "metadata" }), case .object(var metadata) = members[index].value {
            metadata.removeAll { serverOwnedMetadata.contains($0.key) }
            if !metadata.contains(where: { $0.key == "namespace" }) {
                let after = (metadata.firstIndex { $0.key == "name" }).map { $0 + 1 } ?? 0
                metadata.insert(.init(key: "namespace", value: .string(sidecar.meta.namespace)), at: after)
            }
            members[index].value = .object(metadata)
        }
        return .object(members)
    }

    /// `sidecar`'s object with the hosts of its default egress listener (the first without a port, else the first)
    /// set to ``uniqueHosts``; a Sidecar without egress listeners gets one.
    func editedObject(_ sidecar: Sidecar) -> OrderedJSON {
        guard case .object(var members) = Self.replaceableObject(sidecar) else { return Self.replaceableObject(sidecar) }
        if let apiVersion {
            if let index = members.firstIndex(where: { $0.key == "apiVersion" }) {
                members[index].value = .string(apiVersion)
            } else {
                members.insert(.init(key: "apiVersion", value: .string(apiVersion)), at: 0)
            }
        }
        let hosts = OrderedJSON.array(uniqueHosts.map(OrderedJSON.string))
        let newListener = OrderedJSON.object([.init(key: "hosts", value: hosts)])
        var spec: [OrderedJSON.Member] = []
        let specIndex = members.firstIndex { $0.key == "spec" }
        if let specIndex, case .object(let existing) = members[specIndex].value { spec = existing }
        if let egressIndex = spec.firstIndex(where: { $0.key == "egress" }), case .array(var listeners) = spec[egressIndex].value,
            let listenerIndex = Self.defaultListenerIndex(listeners), case .object(var listener) = listeners[listenerIndex]
        {
            if let hostsIndex = listener.firstIndex(where: { $0.key == "hosts" }) {
                listener[hostsIndex].value = hosts
            } else {
                listener.append(.init(key: "hosts", value: hosts))
            }
            listeners[listenerIndex] = .object(listener)
            spec[egressIndex].value = .array(listeners)
        } else if let egressIndex = spec.firstIndex(where: { $0.key == "egress" }) {
            if case .array(let listeners) = spec[egressIndex].value {
                spec[egressIndex].value = .array(listeners + [newListener])
            } else {
                spec[egressIndex].value = .array([newListener])
            }
        } else {
            spec.append(.init(key: "egress", value: .array([newListener])))
        }
        if let specIndex {
            members[specIndex].value = .object(spec)
        } else {
            members.append(.init(key: "spec", value: .object(spec)))
        }
        return .object(members)
    }

    /// The listener meshtrim edits: the first mapping without a port, else the first mapping.
    private static func defaultListenerIndex(_ listeners: [OrderedJSON]) -> Int? {
        let withoutPort = listeners.firstIndex { listener in
            guard listener.isObject else { return false }
            if case .null? = listener["port"] { return true }
            return listener["port"] == nil
        }
        return withoutPort ?? listeners.firstIndex(where: \.isObject)
    }

    /// A Sidecar's object from the model alone (for Sidecars meshtrim made or read without their object).
    static func modelObject(_ sidecar: Sidecar) -> OrderedJSON {
        func member(_ key: String, _ value: OrderedJSON) -> OrderedJSON.Member { .init(key: key, value: value) }
        func strings(_ map: [String: String]) -> OrderedJSON {
            .object(map.sorted { $0.key < $1.key }.map { member($0.key, .string($0.value)) })
        }
        func port(_ port: SidecarPort) -> OrderedJSON {
            var members = [member("number", .number(String(port.number)))]
            if !port.protocol.isEmpty { members.append(member("protocol", .string(port.protocol))) }
            if !port.name.isEmpty { members.append(member("name", .string(port.name))) }
            return .object(members)
        }
        var metadata = [member("name", .string(sidecar.meta.name)), member("namespace", .string(sidecar.meta.namespace))]
        if !sidecar.meta.labels.isEmpty { metadata.append(member("labels", strings(sidecar.meta.labels))) }
        if !sidecar.meta.annotations.isEmpty { metadata.append(member("annotations", strings(sidecar.meta.annotations))) }
        var spec: [OrderedJSON.Member] = []
        if let selector = sidecar.workloadSelector {
            spec.append(member("workloadSelector", .object([member("labels", strings(selector.matchLabels))])))
        }
        if !sidecar.ingressPorts.isEmpty {
            spec.append(member("ingress", .array(sidecar.ingressPorts.map { .object([member("port", port($0))]) })))
        }
        if !sidecar.egress.isEmpty {
            spec.append(
                member("egress", .array(sidecar.egress.map { listener in
                    var members: [OrderedJSON.Member] = []
                    if let listenerPort = listener.port { members.append(member("port", port(listenerPort))) }
                    members.append(member("hosts", .array(listener.hosts.map(OrderedJSON.string))))
                    return .object(members)
                })))
        }
        if let policy = sidecar.outboundTrafficPolicy {
            spec.append(member("outboundTrafficPolicy", .object([member("mode", .string(policy.rawValue))])))
        }
        return .object([
            member("apiVersion", .string(defaultAPIVersion)), member("kind", .string("Sidecar")),
            member("metadata", .object(metadata)), member("spec", .object(spec)),
        ])
    }

    private static func mapping(_ map: [String: String], indent: String) -> [String] {
        map.sorted { $0.key < $1.key }.map { indent + YAMLText.scalar($0.key) + ": " + YAMLText.scalar($0.value) }
    }
}

/// Renders strings as YAML scalars: plain when YAML reads them back as the same string, double-quoted otherwise.
enum YAMLText {
    /// `text` as a plain scalar if that is safe, else double-quoted; `quoteAlways` forces quotes.
    static func scalar(_ text: String, quoteAlways: Bool = false) -> String {
        if !quoteAlways && isSafePlain(text) { return text }
        // YAML's double-quoted escapes for these characters are the same as Go's %q.
        return goQuoted(text)
    }

    /// Printable ASCII that does not start with an indicator, has no `: ` or ` #`, and resolves to a string
    /// under Yams' (YAML 1.1) resolver — so `yes`, `1.0`, `~`, `null`, `2024-01-01` are quoted.
    static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) || first == " " || last == " " || last == ":" {
            return false
        }
        for scalar in text.unicodeScalars where scalar.value < 0x20 || scalar.value > 0x7E { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        return Resolver.default.resolveTag(of: Node(text)) == .str
    }
}
