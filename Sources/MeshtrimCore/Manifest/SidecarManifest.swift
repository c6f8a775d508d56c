import Yams

/// A Sidecar that meshtrim writes: built from the egress hosts a person chose, rendered as stable YAML.
///
/// The output is deterministic (fixed key order, hosts in the given order without duplicates, sorted labels) so a
/// regenerated file diffs cleanly, and it reads back through ``SidecarDocumentReader`` to the same ``Sidecar``.
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

    /// The label meshtrim puts on what it writes, so people (and meshtrim) can tell generated Sidecars apart.
    public static let managedByLabels = ["app.kubernetes.io/managed-by": "meshtrim"]

    /// Makes a manifest; `name` defaults to the workload's name, or `default` for a namespace-wide Sidecar.
    public init(
        namespace: String, hosts: [String], name: String? = nil, workload: String? = nil,
        workloadSelector: [String: String] = [:], egressPort: SidecarPort? = nil,
        outboundTrafficPolicy: OutboundTrafficPolicy? = nil, labels: [String: String] = managedByLabels
    ) {
        self.namespace = namespace
        self.hosts = hosts
        self.name = name ?? workload ?? "default"
        self.workload = workload
        self.workloadSelector = workloadSelector
        self.egressPort = egressPort
        self.outboundTrafficPolicy = outboundTrafficPolicy
        self.labels = labels
    }

    /// ``hosts`` in order, each once.
    public var uniqueHosts: [String] {
        var seen = Set<String>()
        return hosts.filter { seen.insert($0).inserted }
    }

    /// The Sidecar this manifest describes.
    public var sidecar: Sidecar {
        Sidecar(
            meta: ObjectMeta(name: name, namespace: namespace, labels: labels),
            workloadSelector: workloadSelector.isEmpty ? nil : LabelSelector(workloadSelector),
            egress: [SidecarEgressListener(port: egressPort, hosts: uniqueHosts)],
            outboundTrafficPolicy: outboundTrafficPolicy)
    }

    /// Istio's webhook rules and meshtrim's warnings for this Sidecar.
    public func validate(version: IstioVersion = .defaultVersion) -> [SidecarProblem] {
        SidecarValidator(version: version).validate(sidecar)
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
        var lines = [
            "apiVersion: networking.istio.io/v1",
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
