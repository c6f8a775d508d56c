/// A resource type the lab's API serves: its names, group, scope and verbs, as discovery describes it.
public struct LabResource: Hashable, Sendable {
    /// The plural name used in paths (`sidecars`).
    public var plural: String
    /// The singular name (`sidecar`).
    public var singular: String
    /// The kind (`Sidecar`).
    public var kind: String
    /// The API group, empty for the core group.
    public var group: String
    /// The version (`v1`, `v1beta1`).
    public var version: String
    /// Whether objects live in a namespace.
    public var namespaced: Bool
    /// kubectl short names (`ns`, `po`, `svc`, `se`).
    public var shortNames: [String]
    /// Categories (`all`, `istio-io`).
    public var categories: [String]
    /// Verbs discovery lists.
    public var verbs: [String]

    /// `group/version`, or `version` for the core group.
    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// The `…List` kind of list responses.
    public var listKind: String { "\(kind)List" }
    /// `sidecars.networking.istio.io`, or `pods` for the core group.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    static let readVerbs = ["get", "list", "watch"]
    static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// Namespaces.
    public static let namespaces = LabResource(
        plural: "namespaces", singular: "namespace", kind: "Namespace", group: "", version: "v1", namespaced: false,
        shortNames: ["ns"], categories: [], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"])
    /// Pods.
    public static let pods = LabResource(
        plural: "pods", singular: "pod", kind: "Pod", group: "", version: "v1", namespaced: true, shortNames: ["po"],
        categories: ["all"], verbs: allVerbs)
    /// Services.
    public static let services = LabResource(
        plural: "services", singular: "service", kind: "Service", group: "", version: "v1", namespaced: true,
        shortNames: ["svc"], categories: ["all"], verbs: allVerbs)
    /// ConfigMaps.
    public static let configMaps = LabResource(
        plural: "configmaps", singular: "configmap", kind: "ConfigMap", group: "", version: "v1", namespaced: true,
        shortNames: ["cm"], categories: [], verbs: allVerbs)
    /// Istio ServiceEntries.
    public static let serviceEntries = LabResource(
        plural: "serviceentries", singular: "serviceentry", kind: "ServiceEntry", group: "networking.istio.io", version: "v1",
        namespaced: true, shortNames: ["se"], categories: ["istio-io", "networking-istio-io"], verbs: allVerbs)
    /// Istio VirtualServices.
    public static let virtualServices = LabResource(
        plural: "virtualservices", singular: "virtualservice", kind: "VirtualService", group: "networking.istio.io",
        version: "v1", namespaced: true, shortNames: ["vs"], categories: ["istio-io", "networking-istio-io"], verbs: allVerbs)
    /// Istio DestinationRules.
    public static let destinationRules = LabResource(
        plural: "destinationrules", singular: "destinationrule", kind: "DestinationRule", group: "networking.istio.io",
        version: "v1", namespaced: true, shortNames: ["dr"], categories: ["istio-io", "networking-istio-io"], verbs: allVerbs)
    /// Istio Sidecars: the one kind the lab lets clients change.
    public static let sidecars = LabResource(
        plural: "sidecars", singular: "sidecar", kind: "Sidecar", group: "networking.istio.io", version: "v1",
        namespaced: true, shortNames: [], categories: ["istio-io", "networking-istio-io"], verbs: allVerbs)
    /// metrics.k8s.io PodMetrics.
    public static let podMetrics = LabResource(
        plural: "pods", singular: "", kind: "PodMetrics", group: "metrics.k8s.io", version: "v1beta1", namespaced: true,
        shortNames: [], categories: [], verbs: ["get", "list"])
    /// metrics.k8s.io NodeMetrics.
    public static let nodeMetrics = LabResource(
        plural: "nodes", singular: "", kind: "NodeMetrics", group: "metrics.k8s.io", version: "v1beta1", namespaced: false,
        shortNames: [], categories: [], verbs: ["get", "list"])
    /// SelfSubjectAccessReviews.
    public static let selfSubjectAccessReviews = LabResource(
        plural: "selfsubjectaccessreviews", singular: "", kind: "SelfSubjectAccessReview", group: "authorization.k8s.io",
        version: "v1", namespaced: false, shortNames: [], categories: [], verbs: ["create"])

    /// The kinds held in the object store.
    public static let stored: [LabResource] = [
        namespaces, pods, services, configMaps, serviceEntries, virtualServices, destinationRules, sidecars,
    ]

    /// Every resource, in discovery order.
    public static let all: [LabResource] = stored + [podMetrics, nodeMetrics, selfSubjectAccessReviews]

    /// The resource with this plural name in this group and version.
    public static func find(group: String, version: String, plural: String) -> LabResource? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }
}
