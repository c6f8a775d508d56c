import Foundation

/// One Kubernetes or Istio object as read from a manifest or an API list, already narrowed to its kind.
///
/// Decoding picks the payload by `kind`; kinds meshtrim does not use decode as `.other` so that a manifest
/// directory full of Deployments, ConfigMaps and CRDs loads without complaint.
enum KubernetesObject: Decodable, Sendable {
    case namespace(MetadataWire)
    case pod(MetadataWire, PodSpecWire?, PodStatusWire?)
    case workload(kind: String, MetadataWire, PodTemplateWire?)
    case service(MetadataWire, ServiceSpecWire?)
    case configMap(MetadataWire, ConfigMapWire)
    case serviceEntry(MetadataWire, ServiceEntrySpecWire?)
    case virtualService(MetadataWire, VirtualServiceSpecWire?)
    case destinationRule(MetadataWire, DestinationRuleSpecWire?)
    case sidecar(MetadataWire, SidecarSpecWire?)
    case list([KubernetesObject])
    case other(kind: String)

    private enum Keys: String, CodingKey {
        case kind, apiVersion, metadata, spec, status, items, data
    }

    init(from decoder: Decoder) throws {
        try self.init(from: decoder, itemOf: nil)
    }

    /// Decodes one object; `itemOf` is the `(kind, apiVersion)` of the typed list (`PodList`, `v1`) it is an item of.
    ///
    /// A real API server leaves `kind` and `apiVersion` out of the items of a typed list (only `kubectl` adds them
    /// back when it prints), so an item without them takes its list's: `PodList` items are `Pod`s.
    private init(from decoder: Decoder, itemOf list: (kind: String, apiVersion: String)?) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? list?.kind ?? ""
        let apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? list?.apiVersion ?? ""
        if kind == "List" || (kind.hasSuffix("List") && container.contains(.items)) {
            let itemKind = kind == "List" ? nil : (kind: String(kind.dropLast(4)), apiVersion: apiVersion)
            var items: [KubernetesObject] = []
            if container.contains(.items), try !container.decodeNil(forKey: .items) {
                var elements = try container.nestedUnkeyedContainer(forKey: .items)
                while !elements.isAtEnd {
                    items.append(try KubernetesObject(from: try elements.superDecoder(), itemOf: itemKind))
                }
            }
            self = .list(items)
            return
        }
        let isIstioNetworking = apiVersion.hasPrefix("networking.istio.io/")
        func meta() throws -> MetadataWire {
            try container.decodeIfPresent(MetadataWire.self, forKey: .metadata) ?? MetadataWire()
        }
        switch (kind, isIstioNetworking) {
        case ("Namespace", false):
            self = .namespace(try meta())
        case ("Pod", false):
            self = .pod(
                try meta(), try container.decodeIfPresent(PodSpecWire.self, forKey: .spec),
                try container.decodeIfPresent(PodStatusWire.self, forKey: .status))
        case ("Deployment", false), ("StatefulSet", false), ("DaemonSet", false), ("ReplicaSet", false),
            ("Job", false), ("CronJob", false):
            let spec = try container.decodeIfPresent(WorkloadSpecWire.self, forKey: .spec)
            self = .workload(kind: kind, try meta(), spec?.template ?? spec?.jobTemplate?.spec?.template)
        case ("Service", false):
            self = .service(try meta(), try container.decodeIfPresent(ServiceSpecWire.self, forKey: .spec))
        case ("ConfigMap", false):
            self = .configMap(try meta(), ConfigMapWire(data: try container.decodeIfPresent([String: String].self, forKey: .data)))
        case ("ServiceEntry", true):
            self = .serviceEntry(try meta(), try container.decodeIfPresent(ServiceEntrySpecWire.self, forKey: .spec))
        case ("VirtualService", true):
            self = .virtualService(try meta(), try container.decodeIfPresent(VirtualServiceSpecWire.self, forKey: .spec))
        case ("DestinationRule", true):
            self = .destinationRule(try meta(), try container.decodeIfPresent(DestinationRuleSpecWire.self, forKey: .spec))
        case ("Sidecar", true):
            self = .sidecar(try meta(), try container.decodeIfPresent(SidecarSpecWire.self, forKey: .spec))
        default:
            self = .other(kind: kind.isEmpty ? "(no kind)" : kind)
        }
    }

    /// `Kind namespace/name` for messages.
    var label: String {
        switch self {
        case .namespace(let meta): return "Namespace \(meta.name ?? "")"
        case .pod(let meta, _, _): return "Pod \(meta.qualified)"
        case .workload(let kind, let meta, _): return "\(kind) \(meta.qualified)"
        case .service(let meta, _): return "Service \(meta.qualified)"
        case .configMap(let meta, _): return "ConfigMap \(meta.qualified)"
        case .serviceEntry(let meta, _): return "ServiceEntry \(meta.qualified)"
        case .virtualService(let meta, _): return "VirtualService \(meta.qualified)"
        case .destinationRule(let meta, _): return "DestinationRule \(meta.qualified)"
        case .sidecar(let meta, _): return "Sidecar \(meta.qualified)"
        case .list(let items): return "List of \(items.count)"
        case .other(let kind): return kind
        }
    }
}

extension KubernetesObject {
    /// Whether this is a Sidecar or a list holding one (its text is then read again for the Sidecars as written).
    var holdsSidecar: Bool {
        switch self {
        case .sidecar: return true
        case .list(let items): return items.contains { $0.holdsSidecar }
        default: return false
        }
    }

    /// `Kind namespace/name` for messages, with an object that names no namespace shown in `defaultNamespace`.
    func label(defaultNamespace: String) -> String {
        func qualified(_ meta: MetadataWire) -> String {
            let namespace = meta.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
            return "\(namespace)/\(meta.name ?? "(unnamed)")"
        }
        switch self {
        case .pod(let meta, _, _): return "Pod \(qualified(meta))"
        case .workload(let kind, let meta, _): return "\(kind) \(qualified(meta))"
        case .service(let meta, _): return "Service \(qualified(meta))"
        case .configMap(let meta, _): return "ConfigMap \(qualified(meta))"
        case .serviceEntry(let meta, _): return "ServiceEntry \(qualified(meta))"
        case .virtualService(let meta, _): return "VirtualService \(qualified(meta))"
        case .destinationRule(let meta, _): return "DestinationRule \(qualified(meta))"
        case .sidecar(let meta, _): return "Sidecar \(qualified(meta))"
        case .namespace, .list, .other: return label
        }
    }
}

extension MetadataWire {
    var qualified: String {
        let name = self.name ?? "(unnamed)"
        guard let namespace, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }
}
