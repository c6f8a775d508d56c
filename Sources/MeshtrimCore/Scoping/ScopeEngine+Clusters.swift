/// The clusters of a scope: `outbound|…` per imported port and subset, `inbound|…`, and the ones every sidecar has.
extension ScopeEngine {
    /// `outbound|port||host` per non-UDP port, plus one per DestinationRule subset (none for ExternalName).
    func appendOutboundClusters(for scoped: ScopedService, rule: ConsolidatedRule?, to clusters: inout [PredictedCluster]) {
        let service = scoped.service
        guard service.resolution != .alias else { return }
        let ruleColumn = rule.map { "\($0.name).\($0.namespace)" } ?? ""
        for port in scoped.ports where port.protocol != "UDP" {
            clusters.append(
                PredictedCluster(
                    name: "outbound|\(port.number)||\(service.hostname)", serviceFQDN: service.hostname, port: port.number,
                    subset: "", direction: .outbound, type: service.resolution.clusterType, destinationRule: ruleColumn,
                    reason: scoped.reason))
            for subset in rule?.subsets ?? [] {
                clusters.append(
                    PredictedCluster(
                        name: "outbound|\(port.number)|\(subset)|\(service.hostname)", serviceFQDN: service.hostname,
                        port: port.number, subset: subset, direction: .outbound, type: service.resolution.clusterType,
                        destinationRule: ruleColumn,
                        reason: .destinationRuleSubset("\(rule?.namespace ?? "")/\(rule?.name ?? "")", subset: subset)))
            }
        }
    }

    /// `inbound|port||` per Sidecar ingress port, or per target port of services selecting the pod; before Istio 1.8,
    /// ``legacyInboundClusters(namespace:labels:pod:sidecar:)``.
    func inboundClusters(namespace: String, labels: [String: String], pod: Pod?, sidecar: Sidecar?) -> [PredictedCluster] {
        if version < Self.unifiedInboundNamesVersion {
            return legacyInboundClusters(namespace: namespace, labels: labels, pod: pod, sidecar: sidecar)
        }
        var ports: [(Int, String)] = []
        func add(_ port: Int, _ why: String) {
            if port > 0, !ports.contains(where: { $0.0 == port }) { ports.append((port, why)) }
        }
        if let sidecar, !sidecar.ingressPorts.isEmpty {
            for port in sidecar.ingressPorts { add(port.number, "ingress port \(port.number) of Sidecar \(sidecar.meta.qualifiedName)") }
        } else {
            forEachServiceInstance(namespace: namespace, labels: labels, pod: pod) { position, port, target in
                let service = index.services[position]
                let kind = service.isKubernetes ? "Service" : "ServiceEntry"
                add(target, "port \(port.number) of \(kind) \(service.namespace)/\(service.name)")
            }
        }
        return ports.map { port, why in
            PredictedCluster(
                name: "inbound|\(port)||", serviceFQDN: "", port: port, subset: "", direction: .inbound, type: inboundClusterType,
                reason: .inbound(why))
        }
    }

    /// The TYPE of `inbound|port||` clusters: STATIC (to 127.0.0.1) before Istio 1.10, ORIGINAL_DST (to the pod IP,
    /// inbound passthrough) since.
    var inboundClusterType: String {
        version < IstioVersion(major: 1, minor: 10) ? "STATIC" : "ORIGINAL_DST"
    }

    /// The clusters every sidecar has: CDS specials and Istio's bootstrap clusters.
    public func alwaysPresentClusters() -> [PredictedCluster] { alwaysPresent }

    /// The same, without the inbound ones (`InboundPassthroughCluster…`) when `includingInbound` is false: a
    /// gateway's config dump has no inbound clusters.
    public func alwaysPresentClusters(includingInbound: Bool) -> [PredictedCluster] {
        includingInbound ? alwaysPresent : alwaysPresent.filter { !$0.name.hasPrefix("InboundPassthrough") }
    }

    /// The dynamic forward proxy cluster of outbound policy ALLOW_ANY_DYNAMIC_DNS; a custom cluster type, so
    /// istioctl's TYPE column reads STATIC.
    static let allowAnyDynamicDNSCluster = PredictedCluster(
        name: "AllowAnyDynamicDNSCluster", serviceFQDN: "AllowAnyDynamicDNSCluster", port: nil, subset: "", direction: .special,
        type: "STATIC", isStatic: false,
        reason: .alwaysPresent("outboundTrafficPolicy ALLOW_ANY_DYNAMIC_DNS: resolves unknown HTTP and TLS hosts by name"))

    static func alwaysPresentClusters(version: IstioVersion, meshConfig: MeshConfig = MeshConfig()) -> [PredictedCluster] {
        func special(_ name: String, _ type: String, _ why: String, isStatic: Bool = false) -> PredictedCluster {
            PredictedCluster(
                name: name, serviceFQDN: name, port: nil, subset: "", direction: .special, type: type, isStatic: isStatic,
                reason: isStatic ? .bootstrap : .alwaysPresent(why))
        }
        var clusters = [
            special("BlackHoleCluster", "STATIC", "always present: drops traffic to unknown hosts"),
            special("PassthroughCluster", "ORIGINAL_DST", "always present: forwards traffic to unknown hosts"),
        ]
        if version.hasUnifiedInboundPassthrough {
            clusters.append(special("InboundPassthroughCluster", "ORIGINAL_DST", "always present: inbound passthrough"))
        } else {
            clusters.append(special("InboundPassthroughClusterIpv4", "ORIGINAL_DST", "always present: inbound passthrough"))
        }
        for name in ["agent", "prometheus_stats", "sds-grpc", "xds-grpc"] {
            clusters.append(special(name, "STATIC", "", isStatic: true))
        }
        if meshConfig.hasZipkinCluster(version: version) {
            clusters.append(special("zipkin", "STRICT_DNS", "", isStatic: true))
        }
        return clusters
    }

    /// Calls `body` with every service instance the pod has, in service order: each non-UDP port of a service (or
    /// ServiceEntry) of `namespace` whose selector matches `labels` or one of whose endpoints has the pod's IP, with
    /// the port it targets on the pod (the endpoint's port of that name, else `targetPort` as a number or a named
    /// container port of the pod, else the port itself). A port whose named target the pod does not have is left out.
    ///
    /// The one reading of Istio's service instances for inbound clusters, their counts and the legacy inbound
    /// clusters; services are read in place (a copy of each `MeshService` costs a retain per member).
    func forEachServiceInstance(
        namespace: String, labels: [String: String], pod: Pod?, _ body: (_ service: Int, _ port: ServicePort, _ targetPort: Int) -> Void
    ) {
        let services = index.services
        for position in servicesByNamespace[namespace] ?? [] {
            let selected = services[position].selector.map { !$0.isEmpty && LabelSelector($0).matches(labels) } ?? false
            let endpoint = pod?.podIP.flatMap { ip in services[position].endpoints?.first { $0.address == ip } }
            guard selected || endpoint != nil else { continue }
            for port in services[position].ports where port.protocol != "UDP" {
                let target: Int?
                if let endpoint, let override = endpoint.ports[port.name] {
                    target = override
                } else if let text = port.targetPort {
                    target = Int(text) ?? pod?.namedPorts[text]
                } else {
                    target = port.number
                }
                if let target { body(position, port, target) }
            }
        }
    }
}
