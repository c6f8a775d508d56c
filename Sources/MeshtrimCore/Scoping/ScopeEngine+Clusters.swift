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
            for position in servicesByNamespace[namespace] ?? [] {
                let service = index.services[position]
                let selected = service.selector.map { !$0.isEmpty && LabelSelector($0).matches(labels) } ?? false
                let endpoint = pod?.podIP.flatMap { ip in service.endpoints?.first { $0.address == ip } }
                guard selected || endpoint != nil else { continue }
                let kind = service.isKubernetes ? "Service" : "ServiceEntry"
                for port in service.ports where port.protocol != "UDP" {
                    let target: Int?
                    if let endpoint, let override = endpoint.ports[port.name] {
                        target = override
                    } else if let text = port.targetPort {
                        target = Int(text) ?? pod?.namedPorts[text]
                    } else {
                        target = port.number
                    }
                    if let target { add(target, "port \(port.number) of \(kind) \(service.namespace)/\(service.name)") }
                }
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
}
