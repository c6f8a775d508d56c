import Foundation
import MeshtrimCore

/// Turns the domain model back into the Kubernetes and Istio objects a real API server would list.
///
/// The output decodes to the same inventory through meshtrim's own manifest loader (ports named after their
/// protocol or carrying `appProtocol`, `networking.istio.io/exportTo` annotations, headless Services for
/// passthrough), so a meshtrim reading the lab sees exactly the mesh the lab scopes.
struct ObjectRenderer {
    /// The proxy image tag for pods whose version is unknown.
    var defaultProxyVersion: String
    /// The mesh's DNS suffix (`cluster.local`).
    var domainSuffix: String

    /// Makes a renderer for `inventory`'s Istio version and domain.
    init(inventory: MeshInventory) {
        let version = inventory.istioVersion ?? .defaultVersion
        defaultProxyVersion = "\(version.major).\(version.minor).0"
        domainSuffix = inventory.meshConfig.domainSuffix
    }

    // MARK: Core objects

    func namespace(_ namespace: MeshNamespace) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": metadata(namespace.meta, kind: "Namespace"),
            "spec": ["finalizers": ["kubernetes"]],
            "status": ["phase": "Active"],
        ]
    }

    func pod(_ pod: Pod, index: Int) -> JSONValue {
        var meta = pod.meta
        if pod.hasSidecar {
            meta.labels["security.istio.io/tlsMode"] = meta.labels["security.istio.io/tlsMode"] ?? "istio"
            meta.labels["service.istio.io/canonical-name"] = meta.labels["service.istio.io/canonical-name"] ?? workloadName(pod)
            meta.annotations["sidecar.istio.io/status"] = meta.annotations["sidecar.istio.io/status"]
                ?? #"{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}"#
            meta.annotations["prometheus.io/port"] = "15020"
            meta.annotations["prometheus.io/scrape"] = "true"
            meta.annotations["prometheus.io/path"] = "/stats/prometheus"
        }
        let appPorts: [JSONValue] = pod.namedPorts.sorted { $0.key < $1.key }.map { name, number in
            ["name": .string(name), "containerPort": .int(number), "protocol": "TCP"]
        }
        let appName = workloadName(pod)
        // Every field a kubelet and the API server always set, so that strict clients (the official Python client
        // refuses a container status without imageID) read the pods as they read real ones.
        func container(_ name: String, image: String, extra: [String: JSONValue] = [:]) -> JSONValue {
            var fields: [String: JSONValue] = [
                "name": .string(name), "image": .string(image), "imagePullPolicy": "IfNotPresent", "resources": [:],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            ]
            fields.merge(extra) { _, new in new }
            return .object(fields)
        }
        var containers: [JSONValue] = [
            container(appName, image: "registry.lab.local/\(appName):1.0.0", extra: ["ports": .array(appPorts)])
        ]
        var statuses: [JSONValue] = []
        let version = pod.proxyVersion ?? defaultProxyVersion
        if pod.hasSidecar {
            containers.append(
                container(
                    "istio-proxy", image: "docker.io/istio/proxyv2:\(version)",
                    extra: [
                        "args": ["proxy", "sidecar", "--domain", .string("$(POD_NAMESPACE).svc.\(domainSuffix)")],
                        "ports": [
                            ["name": "http-envoy-prom", "containerPort": 15090, "protocol": "TCP"],
                        ],
                        "resources": ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["cpu": "2", "memory": "1Gi"]],
                    ]))
        }
        let running = pod.phase == "Running"
        let started = timestamp(pod.meta.creationTime)
        let key = "\(pod.namespace)/\(pod.name)"
        func digest(_ text: String) -> String {
            (0..<4).map { String(format: "%016llx", TrafficPlanner.hash("\($0):\(text)")) }.joined()
        }
        func imageID(_ image: JSONValue?) -> String {
            let name = image?.stringValue ?? ""
            let repository = name.split(separator: ":").dropLast().joined(separator: ":")
            return "\(repository.isEmpty ? name : repository)@sha256:\(digest(name))"
        }
        for (position, container) in containers.enumerated() {
            let ready = running && position < max(pod.readyContainers, 0)
            var status: [String: JSONValue] = [
                "name": container["name"] ?? "", "image": container["image"] ?? "", "imageID": .string(running ? imageID(container["image"]) : ""),
                "ready": .bool(ready), "started": .bool(running), "restartCount": 0, "lastState": [:],
                "state": running ? ["running": ["startedAt": .string(started)]] : ["waiting": ["reason": "ContainerCreating"]],
            ]
            if running { status["containerID"] = .string("containerd://" + digest(key + "/" + (container["name"]?.stringValue ?? ""))) }
            statuses.append(.object(status))
        }
        let ready = pod.readyContainers == pod.totalContainers && running
        func condition(_ type: String, _ value: Bool) -> JSONValue {
            ["type": .string(type), "status": .string(value ? "True" : "False"), "lastProbeTime": .null, "lastTransitionTime": .string(started)]
        }
        var status: [String: JSONValue] = [
            "phase": .string(pod.phase), "containerStatuses": .array(statuses), "hostIP": "172.18.0.2", "hostIPs": [["ip": "172.18.0.2"]],
            "startTime": .string(started), "qosClass": .string(pod.hasSidecar ? "Burstable" : "BestEffort"),
            "conditions": [
                condition("PodReadyToStartContainers", running), condition("Initialized", running), condition("Ready", ready),
                condition("ContainersReady", ready), condition("PodScheduled", true),
            ],
        ]
        if let ip = pod.podIP {
            status["podIP"] = .string(ip)
            status["podIPs"] = [["ip": .string(ip)]]
        }
        var spec: [String: JSONValue] = [
            "containers": .array(containers), "nodeName": .string("lab-node-\(index % 3 + 1)"),
            "serviceAccountName": .string(appName), "serviceAccount": .string(appName), "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "dnsPolicy": "ClusterFirst", "terminationGracePeriodSeconds": 30, "securityContext": [:],
            "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            "tolerations": [
                ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
            ],
        ]
        if pod.hasSidecar {
            let initImage = "docker.io/istio/proxyv2:\(version)"
            spec["initContainers"] = [container("istio-init", image: initImage, extra: ["args": ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337"]])]
            var initState: JSONValue = ["waiting": ["reason": "PodInitializing"]]
            if running {
                initState = ["terminated": ["exitCode": 0, "reason": "Completed", "startedAt": .string(started), "finishedAt": .string(started)]]
            }
            var initStatus: [String: JSONValue] = [
                "name": "istio-init", "image": .string(initImage), "imageID": .string(running ? imageID(.string(initImage)) : ""), "ready": .bool(running),
                "started": false, "restartCount": 0, "lastState": [:], "state": initState,
            ]
            if running { initStatus["containerID"] = .string("containerd://" + digest(key + "/istio-init")) }
            status["initContainerStatuses"] = [.object(initStatus)]
        }
        return [
            "apiVersion": "v1", "kind": "Pod", "metadata": metadata(meta, kind: "Pod"), "spec": .object(spec),
            "status": .object(status),
        ]
    }

    /// A Kubernetes Service for a `Kubernetes` registry entry.
    func service(_ service: MeshService, index: Int) -> JSONValue {
        var meta = ObjectMeta(
            name: service.name, namespace: service.namespace, labels: ["app": .init(service.name)],
            creationTimestamp: service.creationTime)
        if let exportTo = service.exportTo { meta.annotations["networking.istio.io/exportTo"] = exportTo.joined(separator: ",") }
        var spec: [String: JSONValue] = [
            "ports": .array(service.ports.map(servicePort)),
            "sessionAffinity": "None",
        ]
        switch service.resolution {
        case .alias:
            spec["type"] = "ExternalName"
            spec["externalName"] = .string("\(service.name).external.example.com")
        case .passthrough:
            spec["type"] = "ClusterIP"
            spec["clusterIP"] = "None"
        default:
            spec["type"] = "ClusterIP"
            spec["clusterIP"] = .string("10.96.\(index / 250).\(index % 250 + 2)")
        }
        if let selector = service.selector { spec["selector"] = .object(selector.mapValues(JSONValue.string)) }
        return ["apiVersion": "v1", "kind": "Service", "metadata": metadata(meta, kind: "Service"), "spec": .object(spec)]
    }

    private func servicePort(_ port: ServicePort) -> JSONValue {
        var fields: [String: JSONValue] = [
            "port": .int(port.number), "protocol": .string(port.protocol == "UDP" ? "UDP" : (port.protocol == "SCTP" ? "SCTP" : "TCP")),
        ]
        if !port.name.isEmpty { fields["name"] = .string(port.name) }
        let prefix = port.name.lowercased().split(separator: "-", maxSplits: 1).first.map(String.init) ?? ""
        if !["TCP", "UDP", "SCTP"].contains(port.protocol), prefix.uppercased() != port.protocol {
            fields["appProtocol"] = .string(port.protocol.lowercased())
        }
        if let target = port.targetPort {
            fields["targetPort"] = Int(target).map(JSONValue.int) ?? .string(target)
        } else {
            fields["targetPort"] = .int(port.number)
        }
        return .object(fields)
    }

    /// One ServiceEntry per (namespace, name) of `External` registry entries, with all their hosts.
    func serviceEntry(_ hosts: [MeshService]) -> JSONValue? {
        guard let first = hosts.first else { return nil }
        let resolution: String
        switch first.resolution {
        case .clientSideLB: resolution = "STATIC"
        case .dnsLB: resolution = "DNS"
        case .dnsRoundRobinLB: resolution = "DNS_ROUND_ROBIN"
        case .passthrough, .alias: resolution = "NONE"
        }
        var spec: [String: JSONValue] = [
            "hosts": .array(hosts.map { .string($0.hostname) }),
            "ports": .array(first.ports.map { port in
                var fields: [String: JSONValue] = ["number": .int(port.number), "protocol": .string(port.protocol)]
                fields["name"] = .string(port.name.isEmpty ? "\(port.protocol.lowercased())-\(port.number)" : port.name)
                if let target = port.targetPort.flatMap(Int.init) { fields["targetPort"] = .int(target) }
                return .object(fields)
            }),
            "resolution": .string(resolution),
            "location": .string(first.hostname.hasSuffix(".svc.\(domainSuffix)") ? "MESH_INTERNAL" : "MESH_EXTERNAL"),
        ]
        if let exportTo = first.exportTo { spec["exportTo"] = .array(exportTo.map(JSONValue.string)) }
        if let selector = first.selector { spec["workloadSelector"] = ["labels": .object(selector.mapValues(JSONValue.string))] }
        if let endpoints = first.endpoints {
            spec["endpoints"] = .array(endpoints.map { endpoint in
                var fields: [String: JSONValue] = ["address": .string(endpoint.address)]
                if !endpoint.ports.isEmpty { fields["ports"] = .object(endpoint.ports.mapValues(JSONValue.int)) }
                return .object(fields)
            })
        }
        let meta = ObjectMeta(name: first.name, namespace: first.namespace, creationTimestamp: first.creationTime)
        return [
            "apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry", "metadata": metadata(meta, kind: "ServiceEntry"),
            "spec": .object(spec),
        ]
    }

    func virtualService(_ service: VirtualService) -> JSONValue {
        var http: [JSONValue] = []
        for destination in service.destinations {
            var target: [String: JSONValue] = ["host": .string(destination.host)]
            if let port = destination.port { target["port"] = ["number": .int(port)] }
            var route: [String: JSONValue] = [:]
            if destination.isMirror {
                route["mirror"] = .object(target)
            } else {
                route["route"] = [["destination": .object(target)]]
            }
            if !destination.sourceNamespaces.isEmpty {
                route["match"] = .array(destination.sourceNamespaces.map { ["sourceNamespace": .string($0)] })
            }
            http.append(.object(route))
        }
        var spec: [String: JSONValue] = ["hosts": .array(service.hosts.map(JSONValue.string)), "http": .array(http)]
        if !service.gateways.isEmpty { spec["gateways"] = .array(service.gateways.map(JSONValue.string)) }
        if let exportTo = service.exportTo { spec["exportTo"] = .array(exportTo.map(JSONValue.string)) }
        return [
            "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": metadata(service.meta, kind: "VirtualService"), "spec": .object(spec),
        ]
    }

    func destinationRule(_ rule: DestinationRule) -> JSONValue {
        var spec: [String: JSONValue] = [
            "host": .string(rule.host),
            "subsets": .array(rule.subsets.map { ["name": .string($0), "labels": ["version": .string($0)]] }),
        ]
        if let exportTo = rule.exportTo { spec["exportTo"] = .array(exportTo.map(JSONValue.string)) }
        if let selector = rule.workloadSelector {
            spec["workloadSelector"] = ["matchLabels": .object(selector.matchLabels.mapValues(JSONValue.string))]
        }
        return [
            "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": metadata(rule.meta, kind: "DestinationRule"), "spec": .object(spec),
        ]
    }

    func sidecar(_ sidecar: Sidecar) -> JSONValue {
        func port(_ port: SidecarPort) -> JSONValue {
            var fields: [String: JSONValue] = ["number": .int(port.number)]
            if !port.protocol.isEmpty { fields["protocol"] = .string(port.protocol) }
            if !port.name.isEmpty { fields["name"] = .string(port.name) }
            return .object(fields)
        }
        var spec: [String: JSONValue] = [:]
        if let selector = sidecar.workloadSelector {
            spec["workloadSelector"] = ["labels": .object(selector.matchLabels.mapValues(JSONValue.string))]
        }
        if !sidecar.egress.isEmpty {
            spec["egress"] = .array(sidecar.egress.map { listener in
                var fields: [String: JSONValue] = ["hosts": .array(listener.hosts.map(JSONValue.string))]
                if let value = listener.port { fields["port"] = port(value) }
                return .object(fields)
            })
        }
        if !sidecar.ingressPorts.isEmpty {
            spec["ingress"] = .array(sidecar.ingressPorts.map {
                ["port": port($0), "defaultEndpoint": .string("127.0.0.1:\($0.number)")]
            })
        }
        if let policy = sidecar.outboundTrafficPolicy { spec["outboundTrafficPolicy"] = ["mode": .string(policy.rawValue)] }
        return [
            "apiVersion": "networking.istio.io/v1", "kind": "Sidecar", "metadata": metadata(sidecar.meta, kind: "Sidecar"),
            "spec": .object(spec),
        ]
    }

    /// The `istio` ConfigMap (key `mesh`) holding the mesh config.
    func meshConfigMap(_ config: MeshConfig, namespace: String) -> JSONValue {
        func list(_ values: [String]) -> String { "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        let mesh = """
            accessLogFile: /dev/stdout
            defaultConfig:
              discoveryAddress: istiod.\(namespace).svc:15012
            defaultDestinationRuleExportTo: \(list(config.defaultDestinationRuleExportTo))
            defaultServiceExportTo: \(list(config.defaultServiceExportTo))
            defaultVirtualServiceExportTo: \(list(config.defaultVirtualServiceExportTo))
            outboundTrafficPolicy:
              mode: \(config.outboundTrafficPolicy.rawValue)
            rootNamespace: \(config.rootNamespace)
            trustDomain: \(config.domainSuffix)

            """
        let meta = ObjectMeta(
            name: "istio", namespace: namespace, labels: ["istio.io/rev": "default", "release": "istio"],
            creationTimestamp: Date(timeIntervalSince1970: 1_767_225_600))
        return [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(meta, kind: "ConfigMap"),
            "data": ["mesh": .string(mesh), "meshNetworks": "networks: {}"],
        ]
    }

    /// A mesh config ConfigMap as the manifests wrote it (name, namespace, labels, data).
    func configMap(_ map: MeshConfigMap) -> JSONValue {
        var meta = map.meta
        if meta.creationTimestamp == nil { meta.creationTimestamp = Date(timeIntervalSince1970: 1_767_225_600) }
        return [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(meta, kind: "ConfigMap"),
            "data": .object(map.data.mapValues(JSONValue.string)),
        ]
    }

    // MARK: Metadata

    /// `metadata` with a stable uid (derived from kind, namespace and name) and the creation time.
    func metadata(_ meta: ObjectMeta, kind: String) -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(meta.name),
            "uid": .string(Self.uid(kind: kind, namespace: meta.namespace, name: meta.name)),
            "creationTimestamp": .string(timestamp(meta.creationTime)),
        ]
        if !meta.namespace.isEmpty { fields["namespace"] = .string(meta.namespace) }
        if !meta.labels.isEmpty { fields["labels"] = .object(meta.labels.mapValues(JSONValue.string)) }
        if !meta.annotations.isEmpty { fields["annotations"] = .object(meta.annotations.mapValues(JSONValue.string)) }
        return .object(fields)
    }

    /// A UUID-shaped uid that stays the same for the same object across lab runs.
    static func uid(kind: String, namespace: String, name: String) -> String {
        let high = TrafficPlanner.hash("\(kind)/\(namespace)/\(name)")
        let low = TrafficPlanner.hash("\(name)/\(namespace)/\(kind)")
        let hex = String(format: "%016llx%016llx", high, low)
        let characters = Array(hex)
        func part(_ range: Range<Int>) -> String { String(characters[range]) }
        return "\(part(0..<8))-\(part(8..<12))-4\(part(13..<16))-8\(part(17..<20))-\(part(20..<32))"
    }

    private func workloadName(_ pod: Pod) -> String {
        if let app = pod.labels["app"] ?? pod.labels["app.kubernetes.io/name"], !app.isEmpty { return app }
        return pod.name
    }

    /// RFC 3339 in UTC with whole seconds, as Kubernetes writes timestamps.
    func timestamp(_ date: Date) -> String {
        Self.formatter.string(from: date)
    }

    nonisolated(unsafe) private static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()
}
