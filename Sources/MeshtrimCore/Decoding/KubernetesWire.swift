import Foundation

// Decodable mirrors of the Kubernetes and Istio objects meshtrim reads. They decode from YAML (Yams) and JSON
// (Foundation) alike, ignore every field meshtrim does not need, and are turned into domain values by
// `KubernetesObject.toDomain`. Internal: the rest of meshtrim sees only the domain model.

struct MetadataWire: Decodable, Sendable {
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
struct IntOrStringWire: Decodable, Sendable {
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

struct SelectorWire: Decodable, Sendable {
    var labels: [String: String]?
    var matchLabels: [String: String]?
}

// MARK: Core kinds

struct ContainerPortWire: Decodable, Sendable {
    var name: String?
    var containerPort: Int?
}

struct ContainerWire: Decodable, Sendable {
    var name: String?
    var image: String?
    var ports: [ContainerPortWire]?
    var restartPolicy: String?
    var args: [String]?
}

struct PodSpecWire: Decodable, Sendable {
    var containers: [ContainerWire]?
    var initContainers: [ContainerWire]?
}

struct ContainerStatusWire: Decodable, Sendable {
    var name: String?
    var ready: Bool?
}

struct PodStatusWire: Decodable, Sendable {
    var phase: String?
    var podIP: String?
    var containerStatuses: [ContainerStatusWire]?
    var initContainerStatuses: [ContainerStatusWire]?
}

struct PodTemplateWire: Decodable, Sendable {
    var metadata: MetadataWire?
    var spec: PodSpecWire?
}

struct WorkloadSpecWire: Decodable, Sendable {
    var template: PodTemplateWire?
    var jobTemplate: JobTemplateWire?
}

struct JobTemplateWire: Decodable, Sendable {
    var spec: JobSpecWire?
}

struct JobSpecWire: Decodable, Sendable {
    var template: PodTemplateWire?
}

struct ServicePortWire: Decodable, Sendable {
    var name: String?
    var port: Int?
    var `protocol`: String?
    var appProtocol: String?
    var targetPort: IntOrStringWire?
}

struct ServiceSpecWire: Decodable, Sendable {
    var type: String?
    var clusterIP: String?
    var ports: [ServicePortWire]?
    var selector: [String: String]?
    var externalName: String?
}

struct ConfigMapWire: Decodable, Sendable {
    var data: [String: String]?
}

// MARK: Istio kinds

struct ServiceEntryPortWire: Decodable, Sendable {
    var number: Int?
    var name: String?
    var `protocol`: String?
    var targetPort: Int?
}

struct WorkloadEntryWire: Decodable, Sendable {
    var address: String?
    var ports: [String: Int]?
    var labels: [String: String]?
}

struct ServiceEntrySpecWire: Decodable, Sendable {
    var hosts: [String]?
    var ports: [ServiceEntryPortWire]?
    var resolution: String?
    var exportTo: [String]?
    var workloadSelector: SelectorWire?
    var endpoints: [WorkloadEntryWire]?
}

struct PortSelectorWire: Decodable, Sendable {
    var number: Int?
}

struct DestinationWire: Decodable, Sendable {
    var host: String?
    var port: PortSelectorWire?
}

struct RouteDestinationWire: Decodable, Sendable {
    var destination: DestinationWire?
}

struct MatchWire: Decodable, Sendable {
    var sourceNamespace: String?
}

struct MirrorPolicyWire: Decodable, Sendable {
    var destination: DestinationWire?
}

struct HTTPRouteWire: Decodable, Sendable {
    var match: [MatchWire]?
    var route: [RouteDestinationWire]?
    var mirror: DestinationWire?
    var mirrors: [MirrorPolicyWire]?
}

struct TCPRouteWire: Decodable, Sendable {
    var match: [MatchWire]?
    var route: [RouteDestinationWire]?
}

struct VirtualServiceSpecWire: Decodable, Sendable {
    var hosts: [String]?
    var gateways: [String]?
    var exportTo: [String]?
    var http: [HTTPRouteWire]?
    var tcp: [TCPRouteWire]?
    var tls: [TCPRouteWire]?
}

struct SubsetWire: Decodable, Sendable {
    var name: String?
}

struct DestinationRuleSpecWire: Decodable, Sendable {
    var host: String?
    var subsets: [SubsetWire]?
    var exportTo: [String]?
    var workloadSelector: SelectorWire?
}

struct SidecarPortWire: Decodable, Sendable {
    var number: Int?
    var `protocol`: String?
    var name: String?
}

struct EgressListenerWire: Decodable, Sendable {
    var port: SidecarPortWire?
    var hosts: [String]?
}

struct IngressListenerWire: Decodable, Sendable {
    var port: SidecarPortWire?
}

struct OutboundTrafficPolicyWire: Decodable, Sendable {
    var mode: String?
}

struct SidecarSpecWire: Decodable, Sendable {
    var workloadSelector: SelectorWire?
    var egress: [EgressListenerWire]?
    var ingress: [IngressListenerWire]?
    var outboundTrafficPolicy: OutboundTrafficPolicyWire?
}
