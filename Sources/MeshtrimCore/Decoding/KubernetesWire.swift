import Foundation

// Decodable mirrors of the Kubernetes and Istio objects meshtrim reads. They decode from YAML (Yams) and JSON
// (Foundation) alike, ignore every field meshtrim does not need, and are turned into domain values by
// `KubernetesObject.toDomain`. Internal: the rest of meshtrim sees only the domain model.

struct MetadataWire: Decodable {
    var name: String?
    var namespace: String?
    var labels: [String: String]?
    var annotations: [String: String]?
    var creationTimestamp: String?

    func objectMeta(defaultNamespace: String) -> ObjectMeta {
        ObjectMeta(
            name: name ?? "", namespace: namespace ?? defaultNamespace, labels: labels ?? [:],
            annotations: annotations ?? [:], creationTimestamp: creationTimestamp.flatMap(RFC3339.date(from:)))
    }
}

/// An `int` or a `string` (Kubernetes `IntOrString`), kept as text.
struct IntOrStringWire: Decodable {
    var text: String

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }
}

struct SelectorWire: Decodable {
    var labels: [String: String]?
    var matchLabels: [String: String]?
}

// MARK: Core kinds

struct ContainerPortWire: Decodable {
    var name: String?
    var containerPort: Int?
}

struct ContainerWire: Decodable {
    var name: String?
    var image: String?
    var ports: [ContainerPortWire]?
    var restartPolicy: String?
    var args: [String]?
}

struct PodSpecWire: Decodable {
    var containers: [ContainerWire]?
    var initContainers: [ContainerWire]?
}

struct ContainerStatusWire: Decodable {
    var name: String?
    var ready: Bool?
}

struct PodStatusWire: Decodable {
    var phase: String?
    var podIP: String?
    var containerStatuses: [ContainerStatusWire]?
    var initContainerStatuses: [ContainerStatusWire]?
}

struct PodTemplateWire: Decodable {
    var metadata: MetadataWire?
    var spec: PodSpecWire?
}

struct WorkloadSpecWire: Decodable {
    var template: PodTemplateWire?
    var jobTemplate: JobTemplateWire?
}

struct JobTemplateWire: Decodable {
    var spec: JobSpecWire?
}

struct JobSpecWire: Decodable {
    var template: PodTemplateWire?
}

struct ServicePortWire: Decodable {
    var name: String?
    var port: Int?
    var `protocol`: String?
    var appProtocol: String?
    var targetPort: IntOrStringWire?
}

struct ServiceSpecWire: Decodable {
    var type: String?
    var clusterIP: String?
    var ports: [ServicePortWire]?
    var selector: [String: String]?
    var externalName: String?
}

struct ConfigMapWire: Decodable {
    var data: [String: String]?
}

// MARK: Istio kinds

struct ServiceEntryPortWire: Decodable {
    var number: Int?
    var name: String?
    var `protocol`: String?
    var targetPort: Int?
}

struct WorkloadEntryWire: Decodable {
    var address: String?
    var ports: [String: Int]?
    var labels: [String: String]?
}

struct ServiceEntrySpecWire: Decodable {
    var hosts: [String]?
    var ports: [ServiceEntryPortWire]?
    var resolution: String?
    var exportTo: [String]?
    var workloadSelector: SelectorWire?
    var endpoints: [WorkloadEntryWire]?
}

struct PortSelectorWire: Decodable {
    var number: Int?
}

struct DestinationWire: Decodable {
    var host: String?
    var port: PortSelectorWire?
}

struct RouteDestinationWire: Decodable {
    var destination: DestinationWire?
}

struct MatchWire: Decodable {
    var sourceNamespace: String?
}

struct MirrorPolicyWire: Decodable {
    var destination: DestinationWire?
}

struct HTTPRouteWire: Decodable {
    var match: [MatchWire]?
    var route: [RouteDestinationWire]?
    var mirror: DestinationWire?
    var mirrors: [MirrorPolicyWire]?
}

struct TCPRouteWire: Decodable {
    var match: [MatchWire]?
    var route: [RouteDestinationWire]?
}

struct VirtualServiceSpecWire: Decodable {
    var hosts: [String]?
    var gateways: [String]?
    var exportTo: [String]?
    var http: [HTTPRouteWire]?
    var tcp: [TCPRouteWire]?
    var tls: [TCPRouteWire]?
}

struct SubsetWire: Decodable {
    var name: String?
}

struct DestinationRuleSpecWire: Decodable {
    var host: String?
    var subsets: [SubsetWire]?
    var exportTo: [String]?
    var workloadSelector: SelectorWire?
}

struct SidecarPortWire: Decodable {
    var number: Int?
    var `protocol`: String?
    var name: String?
}

struct EgressListenerWire: Decodable {
    var port: SidecarPortWire?
    var hosts: [String]?
}

struct IngressListenerWire: Decodable {
    var port: SidecarPortWire?
}

struct OutboundTrafficPolicyWire: Decodable {
    var mode: String?
}

struct SidecarSpecWire: Decodable {
    var workloadSelector: SelectorWire?
    var egress: [EgressListenerWire]?
    var ingress: [IngressListenerWire]?
    var outboundTrafficPolicy: OutboundTrafficPolicyWire?
}
