import Foundation
import Yams

/// Turns decoded Kubernetes and Istio objects into a ``MeshInventory``.
///
/// Follows Istio's registry rules: one ``MeshService`` per Kubernetes Service and per ServiceEntry host,
/// `networking.istio.io/exportTo` annotations, ExternalName as alias, headless as passthrough, and the mesh config
/// from the `istio` ConfigMap. Pod templates of Deployments and other workloads become one pod each, so plain
/// manifests can be scoped before anything runs.
struct InventoryBuilder {
    private(set) var inventory = MeshInventory()
    private(set) var ignoredKinds: [String: Int] = [:]
    private(set) var warnings: [String] = []
    /// Assumptions worth knowing about (objects put into the default namespace, injection assumed).
    private(set) var notes: [String] = []
    private var sawMeshConfig = false
    /// Every mesh config ConfigMap seen (`istio`, `istio-<rev>`), as written, in the order read.
    private(set) var meshConfigMaps: [MeshConfigMap] = []

    /// The namespace given to objects that name none (like `kubectl apply` without `-n`).
    var defaultNamespace = "default"
    /// Whether ``defaultNamespace`` was chosen by the user (`-n`); otherwise a note says where such objects went.
    var isDefaultNamespaceChosen = false

    /// One object to build, with where it came from.
    private struct Entry {
        var object: KubernetesObject
        var source: String
    }

    private var entries: [Entry] = []
    /// Entry positions by object identity (`Kind/namespace/name`): the same object twice is one object.
    private var positions: [String: Int] = [:]
    /// Objects defined more than once: (earlier source, later source, label).
    private var duplicates: [(earlier: String, later: String, label: String)] = []
    /// How many objects named no namespace and were put into ``defaultNamespace``.
    private var namespaceLessObjects = 0

    /// Adds an object read from `source` (`file:line`); objects are built in ``finish()``, when every Namespace is
    /// known. The same object (kind, namespace, name) given twice is kept once: the later one wins, with a warning.
    mutating func add(_ object: KubernetesObject, source: String) {
        if case .list(let items) = object {
            for item in items { add(item, source: source) }
            return
        }
        if case .other(let kind) = object {
            ignoredKinds[kind, default: 0] += 1
            return
        }
        guard let identity = identity(of: object) else { return }
        if identity.namespaceLess { namespaceLessObjects += 1 }
        let entry = Entry(object: object, source: source)
        if let position = positions[identity.key] {
            duplicates.append((entries[position].source, source, object.label(defaultNamespace: defaultNamespace)))
            entries[position] = entry
        } else {
            positions[identity.key] = entries.count
            entries.append(entry)
        }
    }

    /// `Kind/namespace/name` of an object, and whether it named no namespace.
    private func identity(of object: KubernetesObject) -> (key: String, namespaceLess: Bool)? {
        let kind: String
        let meta: MetadataWire
        switch object {
        case .namespace(let value): return ("Namespace//\(value.name ?? "")", false)
        case .pod(let value, _, _): (kind, meta) = ("Pod", value)
        case .workload(let name, let value, _): (kind, meta) = (name, value)
        case .service(let value, _): (kind, meta) = ("Service", value)
        case .configMap(let value, _): (kind, meta) = ("ConfigMap", value)
        case .serviceEntry(let value, _): (kind, meta) = ("ServiceEntry", value)
        case .virtualService(let value, _): (kind, meta) = ("VirtualService", value)
        case .destinationRule(let value, _): (kind, meta) = ("DestinationRule", value)
        case .sidecar(let value, _): (kind, meta) = ("Sidecar", value)
        case .list, .other: return nil
        }
        let namespace = meta.namespace.flatMap { $0.isEmpty ? nil : $0 }
        return ("\(kind)/\(namespace ?? defaultNamespace)/\(meta.name ?? "")", namespace == nil)
    }

    private mutating func build(_ object: KubernetesObject, source: String) {
        switch object {
        case .list, .other:
            break
        case .namespace(let meta):
            inventory.namespaces.append(MeshNamespace(meta: meta.objectMeta(defaultNamespace: "")))
        case .pod(let meta, let spec, let status):
            inventory.pods.append(Self.pod(meta: meta.objectMeta(defaultNamespace: defaultNamespace), spec: spec, status: status))
        case .workload(let kind, let meta, let template):
            addWorkload(kind: kind, meta: meta.objectMeta(defaultNamespace: defaultNamespace), template: template)
        case .service(let meta, let spec):
            inventory.services.append(service(meta: meta.objectMeta(defaultNamespace: defaultNamespace), spec: spec))
        case .configMap(let meta, let data):
            addConfigMap(meta: meta.objectMeta(defaultNamespace: defaultNamespace), data: data, source: source)
        case .serviceEntry(let meta, let spec):
            inventory.services += serviceEntry(meta: meta.objectMeta(defaultNamespace: defaultNamespace), spec: spec)
        case .virtualService(let meta, let spec):
            inventory.virtualServices.append(Self.virtualService(meta: meta.objectMeta(defaultNamespace: defaultNamespace), spec: spec))
        case .destinationRule(let meta, let spec):
            let meta = meta.objectMeta(defaultNamespace: defaultNamespace)
            let selector = spec?.workloadSelector?.matchLabels ?? spec?.workloadSelector?.labels
            inventory.destinationRules.append(
                DestinationRule(
                    meta: meta, host: spec?.host ?? "", subsets: (spec?.subsets ?? []).compactMap(\.name),
                    exportTo: spec?.exportTo, workloadSelector: selector.map(LabelSelector.init)))
        case .sidecar(let meta, let spec):
            inventory.sidecars.append(Self.sidecar(meta: meta.objectMeta(defaultNamespace: defaultNamespace), spec: spec))
        }
    }

    /// Builds every object added so far and returns the inventory, sorted the way the UI lists things; fills
    /// ``warnings`` (objects given twice) and ``notes`` (namespace and injection assumptions).
    mutating func finish() -> MeshInventory {
        inventory = MeshInventory()
        warnings = []
        notes = []
        sawMeshConfig = false
        meshConfigMaps = []
        meshConfigMapName = Self.meshConfigMapName(revision: Self.revisionInUse(entries.map(\.object)))
        pendingWorkloads = []
        for entry in entries { build(entry.object, source: entry.source) }
        resolveInjection()
        inventory.pods = Self.distinctNames(inventory.pods)
        warnings += duplicateWarnings()
        if namespaceLessObjects > 0 && !isDefaultNamespaceChosen {
            notes.append(
                "\(namespaceLessObjects) object\(namespaceLessObjects == 1 ? " names" : "s name") no namespace: read into "
                    + "\(defaultNamespace), as kubectl apply does without -n (give --manifests-namespace NS to choose)")
        }
        var result = inventory
        result.namespaces.sort { $0.name < $1.name }
        result.pods.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        return result
    }

    /// One warning per pair of files that define the same objects (the later file's objects are used).
    private func duplicateWarnings() -> [String] {
        func file(_ source: String) -> String {
            guard let colon = source.lastIndex(of: ":"), Int(source[source.index(after: colon)...]) != nil else { return source }
            return String(source[..<colon])
        }
        var order: [String] = []
        var groups: [String: [(earlier: String, later: String, label: String)]] = [:]
        for duplicate in duplicates {
            let key = file(duplicate.earlier) + "\u{0}" + file(duplicate.later)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(duplicate)
        }
        return order.compactMap { key -> String? in
            guard let group = groups[key], let first = group.first else { return nil }
            if group.count == 1 {
                return "\(first.label) is defined twice (\(first.earlier) and \(first.later)): using the one in \(first.later)"
            }
            let (earlier, later) = (file(first.earlier), file(first.later))
            let place = earlier == later ? "twice in \(later)" : "in both \(earlier) and \(later)"
            return "\(group.count) objects are defined \(place) (e.g. \(first.label)): using the later definitions (\(later))"
        }
    }

    /// Pods whose names clash in one namespace (a Deployment and a StatefulSet may share a name) get their
    /// workload kind appended (`web-deployment`, `web-statefulset`), so that every pod has its own name.
    static func distinctNames(_ pods: [Pod]) -> [Pod] {
        var counts: [PodKey: Int] = [:]
        for pod in pods { counts[PodKey(namespace: pod.namespace, name: pod.name), default: 0] += 1 }
        guard counts.values.contains(where: { $0 > 1 }) else { return pods }
        var taken = Set(counts.keys)
        return pods.map { pod in
            guard let count = counts[PodKey(namespace: pod.namespace, name: pod.name)], count > 1 else { return pod }
            let kind = pod.meta.annotations["meshtrim.io/workload"]?.split(separator: "/").first.map { $0.lowercased() } ?? "pod"
            var renamed = pod
            var name = "\(pod.name)-\(kind)"
            var suffix = 2
            while taken.contains(PodKey(namespace: pod.namespace, name: name)) {
                name = "\(pod.name)-\(kind)-\(suffix)"
                suffix += 1
            }
            taken.insert(PodKey(namespace: pod.namespace, name: name))
            renamed.meta.name = name
            return renamed
        }
    }

    // MARK: Pods and workloads

    static func pod(meta: ObjectMeta, spec: PodSpecWire?, status: PodStatusWire?) -> Pod {
        let containers = spec?.containers ?? []
        let initContainers = spec?.initContainers ?? []
        let proxy = containers.first { $0.name == "istio-proxy" }
            ?? initContainers.first { $0.name == "istio-proxy" && $0.restartPolicy == "Always" }
        var namedPorts: [String: Int] = [:]
        for container in containers + initContainers {
            for port in container.ports ?? [] {
                if let name = port.name, let number = port.containerPort { namedPorts[name] = number }
            }
        }
        let sidecarInits = initContainers.filter { $0.restartPolicy == "Always" }
        let total = containers.count + sidecarInits.count
        let statuses = (status?.containerStatuses ?? [])
            + (status?.initContainerStatuses ?? []).filter { item in sidecarInits.contains { $0.name == item.name } }
        let ready = statuses.filter { $0.ready == true }.count
        // istio-agent's `proxy router` runs a gateway; `proxy sidecar` (or no args: the injected default) a sidecar.
        let args = proxy?.args ?? []
        let isRouter = zip(args, args.dropFirst()).contains { $0 == "proxy" && $1 == "router" }
        return Pod(
            meta: meta, phase: status?.phase ?? "Unknown", readyContainers: ready, totalContainers: total,
            hasSidecar: proxy != nil, proxyKind: isRouter ? .gateway : nil, proxyVersion: proxy?.image.flatMap(Self.imageTag),
            namedPorts: namedPorts, podIP: status?.podIP)
    }

    /// Workload pods waiting for every Namespace to be known, to decide injection.
    private var pendingWorkloads: [(position: Int, explicitProxy: Bool)] = []

    private mutating func addWorkload(kind: String, meta: ObjectMeta, template: PodTemplateWire?) {
        guard let template else { return }
        let templateMeta = template.metadata?.objectMeta(defaultNamespace: meta.namespace)
        var podMeta = ObjectMeta(
            name: meta.name, namespace: meta.namespace, labels: templateMeta?.labels ?? [:],
            annotations: (templateMeta?.annotations ?? [:]).merging(["meshtrim.io/workload": "\(kind)/\(meta.name)"]) { a, _ in a },
            creationTimestamp: meta.creationTimestamp)
        if podMeta.name.isEmpty { podMeta.name = kind.lowercased() }
        var pod = Self.pod(meta: podMeta, spec: template.spec, status: nil)
        pod.phase = "Template"
        pod.readyContainers = 0
        pendingWorkloads.append((inventory.pods.count, pod.hasSidecar))
        inventory.pods.append(pod)
    }

    /// Decides, per pod template, whether Istio's injector would add a sidecar (see ``injects(labels:annotations:namespace:)``),
    /// and notes the namespaces whose injection had to be assumed.
    private mutating func resolveInjection() {
        let namespaces = Dictionary(inventory.namespaces.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        var assumed: [String: Int] = [:]
        for (position, explicitProxy) in pendingWorkloads where !explicitProxy {
            var pod = inventory.pods[position]
            let namespace = namespaces[pod.namespace]
            guard Self.injects(labels: pod.labels, annotations: pod.meta.annotations, namespace: namespace) else { continue }
            if namespace == nil { assumed[pod.namespace, default: 0] += 1 }
            pod.hasSidecar = true
            pod.totalContainers += 1
            pod.proxyKind = ProxyKind.inferred(labels: pod.labels, annotations: pod.meta.annotations)
            inventory.pods[position] = pod
        }
        guard !assumed.isEmpty else { return }
        let names = assumed.keys.sorted()
        let total = assumed.values.reduce(0, +)
        notes.append(
            "no Namespace manifest for \(names.joined(separator: ", ")): sidecar injection assumed for "
                + "\(total) workload\(total == 1 ? "" : "s") there (as with istio-injection=enabled)")
    }

    /// Whether Istio's sidecar injector adds a proxy to a pod template that has none, as its webhook decides:
    /// `istio-injection: disabled` and ambient namespaces never; `sidecar.istio.io/inject: "false"` (label, then
    /// annotation) opts out; a namespace with `istio-injection: enabled` or `istio.io/rev` injects; any other
    /// namespace only pods that ask for it (`sidecar.istio.io/inject: "true"` label or an `istio.io/rev` label);
    /// a namespace without a Namespace object is assumed to inject.
    static func injects(labels: [String: String], annotations: [String: String], namespace: MeshNamespace?) -> Bool {
        if let namespace {
            if namespace.meta.labels["istio-injection"] == "disabled" || namespace.isAmbient { return false }
        }
        let request = labels["sidecar.istio.io/inject"] ?? annotations["sidecar.istio.io/inject"]
        if request == "false" { return false }
        guard let namespace else { return true }
        if namespace.isInjectionEnabled { return true }
        return labels["sidecar.istio.io/inject"] == "true" || labels["istio.io/rev"] != nil
    }

    static func imageTag(_ image: String) -> String? {
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return nil }
        let tag = String(lastComponent[lastComponent.index(after: colon)...])
        if tag.isEmpty || tag == "auto" { return nil }
        return tag.split(separator: "@").first.map(String.init)
    }

    // MARK: Services

    private func domainSuffix() -> String { inventory.meshConfig.domainSuffix }

    private func service(meta: ObjectMeta, spec: ServiceSpecWire?) -> MeshService {
        let type = spec?.type ?? "ClusterIP"
        let resolution: ServiceResolution
        if type == "ExternalName" {
            resolution = .alias
        } else if spec?.clusterIP == "None" {
            resolution = .passthrough
        } else {
            resolution = .clientSideLB
        }
        let ports = (spec?.ports ?? []).map { port in
            ServicePort(
                number: port.port ?? 0, name: port.name ?? "",
                protocol: Self.inferProtocol(kubernetesProtocol: port.protocol, appProtocol: port.appProtocol, name: port.name),
                targetPort: port.targetPort?.text)
        }
        let exportTo = meta.annotations["networking.istio.io/exportTo"].map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return MeshService(
            hostname: "\(meta.name).\(meta.namespace).svc.\(domainSuffix())", namespace: meta.namespace, name: meta.name,
            ports: ports, exportTo: exportTo, registry: .kubernetes, resolution: resolution,
            creationTime: meta.creationTime, selector: spec?.selector)
    }

    private func serviceEntry(meta: ObjectMeta, spec: ServiceEntrySpecWire?) -> [MeshService] {
        guard let spec else { return [] }
        let resolution: ServiceResolution
        switch spec.resolution ?? "NONE" {
        case "STATIC": resolution = .clientSideLB
        case "DNS": resolution = .dnsLB
        case "DNS_ROUND_ROBIN": resolution = .dnsRoundRobinLB
        default: resolution = .passthrough
        }
        let ports = (spec.ports ?? []).map { port in
            ServicePort(
                number: port.number ?? 0, name: port.name ?? "", protocol: (port.protocol ?? "TCP").uppercased(),
                targetPort: port.targetPort.map(String.init))
        }
        let endpoints = (spec.endpoints ?? []).compactMap { entry -> ServiceEndpoint? in
            guard let address = entry.address else { return nil }
            return ServiceEndpoint(address: address, ports: entry.ports ?? [:])
        }
        let selector = spec.workloadSelector?.labels ?? spec.workloadSelector?.matchLabels
        return (spec.hosts ?? []).map { host in
            var service = MeshService(
                hostname: host, namespace: meta.namespace, name: meta.name, ports: ports, exportTo: spec.exportTo,
                registry: .serviceEntry, resolution: resolution, creationTime: meta.creationTime, selector: selector)
            service.endpoints = endpoints.isEmpty ? nil : endpoints
            return service
        }
    }

    /// Istio's protocol for a Kubernetes port: `appProtocol`, else the name's prefix, else TCP (UDP kept as UDP).
    static func inferProtocol(kubernetesProtocol: String?, appProtocol: String?, name: String?) -> String {
        if kubernetesProtocol?.uppercased() == "UDP" { return "UDP" }
        if kubernetesProtocol?.uppercased() == "SCTP" { return "SCTP" }
        let known = ["http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "mongo", "redis", "mysql", "thrift"]
        if let appProtocol = appProtocol?.lowercased(), !appProtocol.isEmpty {
            let bare = appProtocol.split(separator: "/").last.map(String.init) ?? appProtocol
            if bare == "h2c" { return "HTTP2" }
            if known.contains(bare) { return bare.uppercased() }
        }
        if let name = name?.lowercased() {
            let prefix = name.split(separator: "-", maxSplits: 1).first.map(String.init) ?? name
            if prefix == "grpc" && name.hasPrefix("grpc-web") { return "GRPC-WEB" }
            if known.contains(prefix) { return prefix.uppercased() }
        }
        return "TCP"
    }

    // MARK: Istio configuration

    static func virtualService(meta: ObjectMeta, spec: VirtualServiceSpecWire?) -> VirtualService {
        var destinations: [VirtualService.Destination] = []
        func add(_ destination: DestinationWire?, sources: [String], mirror: Bool = false) {
            guard let host = destination?.host, !host.isEmpty else { return }
            let port = destination?.port?.number.flatMap { $0 == 0 ? nil : $0 }
            destinations.append(.init(host: host, port: port, sourceNamespaces: sources, isMirror: mirror))
        }
        for route in spec?.http ?? [] {
            let sources = (route.match ?? []).compactMap(\.sourceNamespace)
            let restricted = !(route.match ?? []).isEmpty && (route.match ?? []).allSatisfy { $0.sourceNamespace != nil }
            let sourceList = restricted ? sources : []
            for destination in route.route ?? [] { add(destination.destination, sources: sourceList) }
            add(route.mirror, sources: sourceList, mirror: true)
            for mirror in route.mirrors ?? [] { add(mirror.destination, sources: sourceList, mirror: true) }
        }
        for route in (spec?.tcp ?? []) + (spec?.tls ?? []) {
            let restricted = !(route.match ?? []).isEmpty && (route.match ?? []).allSatisfy { $0.sourceNamespace != nil }
            let sourceList = restricted ? (route.match ?? []).compactMap(\.sourceNamespace) : []
            for destination in route.route ?? [] { add(destination.destination, sources: sourceList) }
        }
        return VirtualService(
            meta: meta, hosts: spec?.hosts ?? [], gateways: spec?.gateways ?? [], exportTo: spec?.exportTo,
            destinations: destinations)
    }

    static func sidecar(meta: ObjectMeta, spec: SidecarSpecWire?) -> Sidecar {
        func port(_ wire: SidecarPortWire?) -> SidecarPort? {
            guard let wire else { return nil }
            return SidecarPort(number: wire.number ?? 0, protocol: wire.protocol ?? "", name: wire.name ?? "")
        }
        let selector = spec?.workloadSelector?.labels ?? spec?.workloadSelector?.matchLabels
        return Sidecar(
            meta: meta, workloadSelector: selector.map(LabelSelector.init),
            egress: (spec?.egress ?? []).map { SidecarEgressListener(port: port($0.port), hosts: $0.hosts ?? []) },
            ingressPorts: (spec?.ingress ?? []).compactMap { port($0.port) },
            // An outboundTrafficPolicy without mode is REGISTRY_ONLY: the enum's zero value in Istio's API.
            outboundTrafficPolicy: spec?.outboundTrafficPolicy.map { OutboundTrafficPolicy(rawValue: $0.mode ?? "REGISTRY_ONLY") ?? .allowAny })
    }

    /// The ConfigMap whose mesh config wins: `istio-<rev>` for the revision in use, `istio` for the default one.
    private var meshConfigMapName = "istio"

    static func meshConfigMapName(revision: String?) -> String {
        guard let revision, !revision.isEmpty, revision != "default" else { return "istio" }
        return "istio-\(revision)"
    }

    /// The most common `istio.io/rev` label of namespaces, pods and pod templates (ties: the smaller name).
    static func revisionInUse(_ objects: [KubernetesObject]) -> String? {
        var counts: [String: Int] = [:]
        func count(_ labels: [String: String]?) {
            if let revision = labels?["istio.io/rev"] { counts[revision, default: 0] += 1 }
        }
        func visit(_ object: KubernetesObject) {
            switch object {
            case .list(let items): items.forEach(visit)
            case .namespace(let meta), .pod(let meta, _, _): count(meta.labels)
            case .workload(_, _, let template): count(template?.metadata?.labels)
            default: break
            }
        }
        objects.forEach(visit)
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    private mutating func addConfigMap(meta: ObjectMeta, data: ConfigMapWire, source: String) {
        guard meta.name == "istio" || meta.name.hasPrefix("istio-"), let mesh = data.data?["mesh"] else {
            ignoredKinds["ConfigMap", default: 0] += 1
            return
        }
        meshConfigMaps.append(MeshConfigMap(meta: meta, data: data.data ?? [:]))
        // The revision in use has its own ConfigMap (istio-<rev>); the default revision's is istio.
        if sawMeshConfig && meta.name != meshConfigMapName { return }
        do {
            let parsed = try Yams.load(yaml: mesh) as? [String: Any] ?? [:]
            var config = MeshConfig()
            config.rootNamespace = (parsed["rootNamespace"] as? String) ?? meta.namespace
            if let list = parsed["defaultServiceExportTo"] as? [String] { config.defaultServiceExportTo = list }
            if let list = parsed["defaultVirtualServiceExportTo"] as? [String] { config.defaultVirtualServiceExportTo = list }
            if let list = parsed["defaultDestinationRuleExportTo"] as? [String] { config.defaultDestinationRuleExportTo = list }
            if let policy = parsed["outboundTrafficPolicy"] as? [String: Any], let mode = policy["mode"] as? String,
                let value = OutboundTrafficPolicy(rawValue: mode)
            {
                config.outboundTrafficPolicy = value
            }
            if let tracing = parsed["enableTracing"] as? Bool { config.enableTracing = tracing }
            if let defaults = parsed["defaultConfig"] as? [String: Any], let tracing = defaults["tracing"] as? [String: Any] {
                config.defaultTracer = MeshConfig.tracer(ofTracingKeys: Array(tracing.keys))
            }
            inventory.meshConfig = config
            inventory.istiodNamespace = meta.namespace
            sawMeshConfig = true
        } catch {
            warnings.append("\(source): ConfigMap \(meta.qualifiedName): key 'mesh' is not valid YAML; using Istio's defaults")
        }
    }
}
