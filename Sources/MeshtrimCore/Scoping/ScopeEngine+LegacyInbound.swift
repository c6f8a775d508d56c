/// Inbound clusters as istiod built them before Istio 1.8 (`buildInboundClusters` and
/// `buildInboundClusterForPortOrUDS` in `pilot/pkg/networking/core/v1alpha3/cluster.go` of those releases).
///
/// The name was `inbound|SERVICE_PORT|PORT_NAME|HOSTNAME`, one per port of every service that selects the pod (two
/// Services on one target port give two clusters), each `STATIC` to `127.0.0.1:TARGET_PORT`. A Sidecar with `ingress`
/// listeners replaced them with one per ingress port, `inbound|PORT|NAME|HOST`, where HOST is the hostname of the
/// first selecting service whose target port is the ingress port, else `SIDECAR.NAMESPACE`. Until 1.6 every sidecar
/// also had a cluster for the proxy's readiness-probe port (`inbound|15020|mgmt-15020|mgmtCluster`; 15021 in 1.6),
/// removed in 1.7 with the management ports. Istio 1.8 (with 1.8.1+ proxies) switched to one `inbound|TARGET_PORT||`
/// per target port, still `STATIC` until 1.10 (``ScopeEngine/inboundClusterType``).
extension ScopeEngine {
    /// The first Istio version that names inbound clusters `inbound|TARGET_PORT||` (Istio 1.8 upgrade notes; istiod
    /// keys them on the target port for 1.8.1+ proxies, which meshtrim assumes for 1.8).
    static let unifiedInboundNamesVersion = IstioVersion(major: 1, minor: 8)

    /// The inbound clusters of a proxy on a version before ``unifiedInboundNamesVersion``.
    func legacyInboundClusters(namespace: String, labels: [String: String], pod: Pod?, sidecar: Sidecar?) -> [PredictedCluster] {
        var clusters: [PredictedCluster] = []
        func add(port: Int, portName: String, host: String, why: String) {
            let name = "inbound|\(port)|\(portName)|\(host)"
            // istiod's normalizeClusters kept the first cluster of each name.
            guard port > 0, !clusters.contains(where: { $0.name == name }) else { return }
            clusters.append(
                PredictedCluster(
                    name: name, serviceFQDN: host, port: port, subset: portName, direction: .inbound, type: "STATIC",
                    reason: .inbound(why)))
        }
        let instances = legacyServiceInstances(namespace: namespace, labels: labels, pod: pod)
        if let sidecar, !sidecar.ingressPorts.isEmpty {
            for port in sidecar.ingressPorts {
                let host = instances.first { $0.targetPort == port.number }?.service.hostname
                    ?? "\(sidecar.meta.name).\(sidecar.meta.namespace)"
                add(port: port.number, portName: port.name, host: host,
                    why: "ingress port \(port.number) of Sidecar \(sidecar.meta.qualifiedName)")
            }
            return clusters
        }
        for instance in instances {
            let kind = instance.service.isKubernetes ? "Service" : "ServiceEntry"
            add(port: instance.port.number, portName: instance.port.name, host: instance.service.hostname,
                why: "port \(instance.port.number) of \(kind) \(instance.service.namespace)/\(instance.service.name)")
        }
        if let readiness = legacyReadinessPort {
            add(port: readiness, portName: "mgmt-\(readiness)", host: "mgmtCluster",
                why: "management port \(readiness): the proxy's readiness probe (Istio before 1.7)")
        }
        return clusters
    }

    /// The port of the proxy's readiness probe, which istiod gave a management cluster before 1.7; `nil` since.
    var legacyReadinessPort: Int? {
        if version >= IstioVersion(major: 1, minor: 7) { return nil }
        return version >= IstioVersion(major: 1, minor: 6) ? 15021 : 15020
    }

    /// One selecting service's port on this pod, as istiod's service instances: the service, its port and the
    /// resolved target port.
    struct LegacyServiceInstance {
        var service: MeshService
        var port: ServicePort
        var targetPort: Int
    }

    /// Every non-UDP port of the services (and ServiceEntries, by selector or endpoint address) that select the pod,
    /// whose target port resolves on it.
    func legacyServiceInstances(namespace: String, labels: [String: String], pod: Pod?) -> [LegacyServiceInstance] {
        var instances: [LegacyServiceInstance] = []
        forEachServiceInstance(namespace: namespace, labels: labels, pod: pod) { position, port, target in
            instances.append(LegacyServiceInstance(service: index.services[position], port: port, targetPort: target))
        }
        return instances
    }
}
