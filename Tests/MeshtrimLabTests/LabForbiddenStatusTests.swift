import Testing

@testable import MeshtrimLab

/// The lab's 403 words a refusal as the API server's authorization filter does (`responsewriters.Forbidden` in
/// k8s.io/apiserver): the subject and `details.kind` name the resource without its subresource, the reason names the
/// resource with it, so a client that parses either sees what it would see from a real cluster (issue #16).
@Suite("The lab's Forbidden Status")
struct LabForbiddenStatusTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var verb: String
        var resource: String
        var group: String
        var namespace: String?
        var name: String?
        var message: String
        var kind: String
        var testDescription: String { "\(verb) \(resource)" }
    }

    static let cases = [
        Case(
            verb: "get", resource: "pods/portforward", group: "", namespace: "shop", name: "web-0",
            message: #"pods "web-0" is forbidden: User "viewer" cannot get resource "pods/portforward" in API group "" in the namespace "shop""#,
            kind: "pods"),
        Case(
            verb: "get", resource: "pods/proxy", group: "", namespace: "shop", name: "web-0:15090",
            message: #"pods "web-0:15090" is forbidden: User "viewer" cannot get resource "pods/proxy" in API group "" in the namespace "shop""#,
            kind: "pods"),
        Case(
            verb: "patch", resource: "sidecars", group: "networking.istio.io", namespace: "shop", name: "default",
            message: #"sidecars.networking.istio.io "default" is forbidden: User "viewer" cannot patch resource "sidecars" in API group "networking.istio.io" in the namespace "shop""#,
            kind: "sidecars"),
        Case(
            verb: "list", resource: "pods", group: "", namespace: nil, name: nil,
            message: #"pods is forbidden: User "viewer" cannot list resource "pods" in API group "" at the cluster scope"#,
            kind: "pods"),
    ]

    @Test(arguments: cases)
    func wordedAsTheAPIServer(_ example: Case) {
        let status = KubernetesStatus.forbidden(
            user: "viewer", verb: example.verb, resource: example.resource, group: example.group, namespace: example.namespace,
            name: example.name)
        #expect(status.code == 403)
        #expect(status.reason == "Forbidden")
        #expect(status.message == example.message)
        #expect(status.kind == example.kind)
        #expect(status.name == example.name)
    }
}
