import Foundation
import MeshtrimCore
import Testing

@testable import MeshtrimLab

/// The lab's writes as the API server does them, in-process: per-field ownership in server-side apply (409 between
/// two appliers worded as the API server words it, `force`, shared ownership), dry-run from the query and from a
/// DELETE's body, merge patch, JSON patch, PUT, and Istio's older API versions.
@Suite struct ServerSideApplyTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/shop.yaml").path
    static let admin = LabUser(name: "lab-admin", groups: ["system:masters"], isReadOnly: false)
    static let path = "/apis/networking.istio.io/v1/namespaces/shop/sidecars/s"

    func makeAPI(istioVersions: [String] = ["v1"], owner: LabFieldManager = .default) throws -> KubernetesAPI {
        let scenario = try LabScenario.load(manifests: [Self.fixture], seed: 1)
        return KubernetesAPI(store: LabStore(scenario: scenario, sidecarOwner: owner), fleet: nil, scenario: scenario, istioVersions: istioVersions)
    }

    static func sidecar(hosts: [String], labels: [String: String] = [:], apiVersion: String = "networking.istio.io/v1") -> String {
        var metadata: JSONValue = ["name": "s", "namespace": "shop"]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues(JSONValue.string)) }
        let object: JSONValue = [
            "apiVersion": .string(apiVersion), "kind": "Sidecar", "metadata": metadata,
            "spec": ["egress": [["hosts": .array(hosts.map(JSONValue.string))]]],
        ]
        return object.jsonText
    }

    func send(
        _ api: KubernetesAPI, _ method: String, path: String = Self.path, query: [String: [String]] = [:], contentType: String = "application/json",
        _ body: String = ""
    ) async -> (status: Int, json: JSONValue) {
        let response = await api.handle(
            APIRequest(method: method, path: path, query: query, headers: ["content-type": contentType], body: Data(body.utf8), user: Self.admin))
        return (response.status, (try? JSONValue.parse(response.body)) ?? .null)
    }

    func apply(_ api: KubernetesAPI, _ body: String, manager: String, force: Bool = false, dryRun: Bool = false) async -> (status: Int, json: JSONValue) {
        var query: [String: [String]] = ["fieldManager": [manager], "force": [force ? "true" : "false"]]
        if dryRun { query["dryRun"] = ["All"] }
        return await send(api, "PATCH", query: query, contentType: "application/apply-patch+yaml", body)
    }

    static func managers(_ object: JSONValue) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for entry in object.value(at: "metadata.managedFields")?.arrayValue ?? [] {
            let name = "\(entry["manager"]?.stringValue ?? ""):\(entry["operation"]?.stringValue ?? "")"
            result[name] = FieldOwnership.paths(fromFieldsV1: entry["fieldsV1"] ?? [:]).reduce(into: []) { $0.insert($1.joined(separator: ".")) }
        }
        return result
    }

    @Test func twoAppliersConflictOnTheFieldTheyBothSetAndForceTakesItOver() async throws {
        let api = try makeAPI()
        let argo = await apply(api, Self.sidecar(hosts: ["*/*"], labels: ["app.kubernetes.io/managed-by": "argocd"]), manager: "argocd-controller")
        #expect(argo.status == 201)
        #expect(Self.managers(argo.json) == ["argocd-controller:Apply": ["spec.egress", "metadata.labels.app.kubernetes.io/managed-by"]])

        // meshtrim sends the same egress: no conflict, the field is shared.
        let same = await apply(api, Self.sidecar(hosts: ["*/*"]), manager: "meshtrim")
        #expect(same.status == 200)
        #expect(Self.managers(same.json)["meshtrim:Apply"] == ["spec.egress"])
        #expect(Self.managers(same.json)["argocd-controller:Apply"]?.contains("spec.egress") == true)

        // A different egress: 409, worded as the API server words it, nothing changed.
        let conflict = await apply(api, Self.sidecar(hosts: ["./*", "istio-system/*"]), manager: "meshtrim")
        #expect(conflict.status == 409)
        #expect(conflict.json["reason"] == "Conflict")
        #expect(conflict.json["message"] == #"Apply failed with 1 conflict: conflict with "argocd-controller": .spec.egress"#)
        let cause = conflict.json.value(at: "details.causes")?.arrayValue?.first
        #expect(cause?["reason"] == "FieldManagerConflict")
        #expect(cause?["field"] == ".spec.egress")
        #expect(cause?["message"] == #"conflict with "argocd-controller""#)
        let unchanged = await send(api, "GET")
        #expect(unchanged.json.value(at: "spec.egress") == [["hosts": ["*/*"]]])

        // force=true takes spec.egress; Argo CD keeps its label, and the label stays in the object.
        let forced = await apply(api, Self.sidecar(hosts: ["./*", "istio-system/*"]), manager: "meshtrim", force: true)
        #expect(forced.status == 200)
        #expect(forced.json.value(at: "spec.egress") == [["hosts": ["./*", "istio-system/*"]]])
        #expect(forced.json.value(at: "metadata.labels")?["app.kubernetes.io/managed-by"] == "argocd")
        #expect(Self.managers(forced.json)["argocd-controller:Apply"] == ["metadata.labels.app.kubernetes.io/managed-by"])
        #expect(Self.managers(forced.json)["meshtrim:Apply"] == ["spec.egress"])
        #expect(forced.json.value(at: "metadata.generation") == 2)
    }

    @Test func anUpdaterIsNamedWithItsAPIVersionAndAnApplierDropsWhatItNoLongerSends() async throws {
        let api = try makeAPI()
        let created = await send(api, "POST", path: "/apis/networking.istio.io/v1/namespaces/shop/sidecars", query: ["fieldManager": ["helm"]],
            Self.sidecar(hosts: ["*/*"]))
        #expect(created.status == 201)
        #expect(Self.managers(created.json) == ["helm:Update": ["spec.egress"]])
        let conflict = await apply(api, Self.sidecar(hosts: ["./*"]), manager: "meshtrim")
        #expect(conflict.status == 409)
        #expect(conflict.json["message"] == #"Apply failed with 1 conflict: conflict with "helm" using networking.istio.io/v1: .spec.egress"#)

        // An applier's own label goes when it stops sending it; another manager's stays.
        _ = await apply(api, Self.sidecar(hosts: ["*/*"], labels: ["team": "shop", "tier": "web"]), manager: "meshtrim")
        let dropped = await apply(api, Self.sidecar(hosts: ["*/*"], labels: ["team": "shop"]), manager: "meshtrim")
        #expect(dropped.json.value(at: "metadata.labels") == ["team": "shop"])
        #expect(dropped.json.value(at: "spec.egress") == [["hosts": ["*/*"]]], "helm still owns spec.egress")
    }

    @Test func dryRunComesFromTheQueryOrTheDeleteBodyAndUnknownValuesAreRefused() async throws {
        let api = try makeAPI()
        let seeded = "/apis/networking.istio.io/v1/namespaces/payments/sidecars/default"
        let body = #"{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"],"propagationPolicy":"Background"}"#
        let dryDelete = await send(api, "DELETE", path: seeded, body)
        #expect(dryDelete.status == 200)
        #expect(await send(api, "GET", path: seeded).status == 200, "a dry-run DELETE from the body deleted the Sidecar")

        let unknown = await send(api, "DELETE", path: seeded, query: ["dryRun": ["Everything"]])
        #expect(unknown.status == 422)
        #expect(unknown.json["message"] == #"DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Everything"}: supported values: "All""#)
        #expect(await send(api, "GET", path: seeded).status == 200)
        let badPatch = await send(
            api, "PATCH", query: ["fieldManager": ["m"], "dryRun": ["true"]], contentType: "application/apply-patch+yaml", Self.sidecar(hosts: ["./*"]))
        #expect(badPatch.status == 422)
        #expect(badPatch.json["message"]?.stringValue?.hasPrefix("PatchOptions.meta.k8s.io") == true)

        let deleted = await send(api, "DELETE", path: seeded, #"{"kind":"DeleteOptions","apiVersion":"v1"}"#)
        #expect(deleted.status == 200)
        #expect(await send(api, "GET", path: seeded).status == 404)
    }

    @Test func mergePatchJSONPatchAndPutChangeTheSidecarAsAnUpdate() async throws {
        let api = try makeAPI()
        _ = await apply(api, Self.sidecar(hosts: ["*/*"]), manager: "meshtrim")
        let merged = await send(
            api, "PATCH", query: ["fieldManager": ["kubectl-patch"]], contentType: "application/merge-patch+json",
            #"{"metadata":{"labels":{"team":"shop"}},"spec":{"egress":[{"hosts":["./*"]}]}}"#)
        #expect(merged.status == 200)
        #expect(merged.json.value(at: "spec.egress") == [["hosts": ["./*"]]])
        #expect(Self.managers(merged.json)["kubectl-patch:Update"] == ["spec.egress", "metadata.labels.team"])
        #expect(Self.managers(merged.json)["meshtrim:Apply"] == nil, "an update takes the fields it changes")

        let patched = await send(
            api, "PATCH", query: ["fieldManager": ["kubectl-patch"]], contentType: "application/json-patch+json",
            #"[{"op":"test","path":"/spec/egress/0/hosts/0","value":"./*"},{"op":"add","path":"/spec/egress/0/hosts/-","value":"istio-system/*"}]"#)
        #expect(patched.status == 200)
        #expect(patched.json.value(at: "spec.egress") == [["hosts": ["./*", "istio-system/*"]]])
        let failedTest = await send(
            api, "PATCH", contentType: "application/json-patch+json", #"[{"op":"test","path":"/spec/egress/0/hosts/0","value":"*/*"}]"#)
        #expect(failedTest.status == 422)
        let invalid = await send(
            api, "PATCH", contentType: "application/merge-patch+json", #"{"spec":{"egress":[{"hosts":["bad"]}]}}"#)
        #expect(invalid.status == 422, "admission runs on the patched object")
        let strategic = await send(api, "PATCH", contentType: "application/strategic-merge-patch+json", #"{"spec":{}}"#)
        #expect(strategic.status == 415)
        #expect(strategic.json["message"]?.stringValue?.contains("application/json-patch+json, application/merge-patch+json") == true)

        var replacement = try JSONValue.parse(Data(Self.sidecar(hosts: ["istio-system/*"]).utf8))
        replacement["metadata"]?["resourceVersion"] = "1"
        let stale = await send(api, "PUT", query: ["fieldManager": ["kubectl-replace"]], replacement.jsonText)
        #expect(stale.status == 409)
        #expect(stale.json["message"]?.stringValue?.contains("the object has been modified") == true)
        replacement["metadata"]?["resourceVersion"] = patched.json.value(at: "metadata.resourceVersion")
        let replaced = await send(api, "PUT", query: ["fieldManager": ["kubectl-replace"]], replacement.jsonText)
        #expect(replaced.status == 200)
        #expect(replaced.json.value(at: "spec.egress") == [["hosts": ["istio-system/*"]]])
        #expect(replaced.json.value(at: "metadata.uid") == patched.json.value(at: "metadata.uid"))
        #expect(replaced.json.value(at: "metadata.labels") == nil, "PUT replaces the whole object")
        let dryPut = await send(api, "PUT", query: ["dryRun": ["All"]], Self.sidecar(hosts: ["*/*"]))
        #expect(dryPut.status == 200)
        #expect(await send(api, "GET").json.value(at: "spec.egress") == [["hosts": ["istio-system/*"]]])
    }

    @Test func seededSidecarsAreOwnedByTheConfiguredManager() async throws {
        let api = try makeAPI(owner: try LabFieldManager(parsing: "argocd-controller"))
        let seeded = "/apis/networking.istio.io/v1/namespaces/payments/sidecars/default"
        let object = await send(api, "GET", path: seeded).json
        #expect(Self.managers(object)["argocd-controller:Apply"]?.contains("spec.egress") == true)
        var changed = object
        changed["spec"] = ["egress": [["hosts": ["./*"]]]]
        changed["metadata"] = ["name": "default", "namespace": "payments"]
        let conflict = await send(
            api, "PATCH", path: seeded, query: ["fieldManager": ["meshtrim"]], contentType: "application/apply-patch+yaml", changed.jsonText)
        #expect(conflict.status == 409)
        #expect(throws: LabError.self) { try LabFieldManager(parsing: "helm:Replace") }
        #expect(try LabFieldManager(parsing: "helm:Update") == LabFieldManager(name: "helm", operation: "Update"))
    }

    @Test func anOlderIstioServesOnlyV1beta1AndV1alpha3() async throws {
        let api = try makeAPI(istioVersions: ["v1beta1", "v1alpha3"])
        let group = await send(api, "GET", path: "/apis/networking.istio.io")
        #expect(group.json.value(at: "preferredVersion.groupVersion") == "networking.istio.io/v1beta1")
        #expect(group.json["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue } == ["v1beta1", "v1alpha3"])
        #expect(await send(api, "GET", path: "/apis/networking.istio.io/v1").status == 404)
        #expect(await send(api, "GET", path: "/apis/networking.istio.io/v1/namespaces/payments/sidecars").status == 404)
        let resources = await send(api, "GET", path: "/apis/networking.istio.io/v1beta1")
        #expect(resources.json["groupVersion"] == "networking.istio.io/v1beta1")

        let list = await send(api, "GET", path: "/apis/networking.istio.io/v1beta1/namespaces/payments/sidecars")
        #expect(list.json["apiVersion"] == "networking.istio.io/v1beta1")
        let path = "/apis/networking.istio.io/v1beta1/namespaces/shop/sidecars/s"
        let wrongVersion = await send(
            api, "PATCH", path: path, query: ["fieldManager": ["meshtrim"]], contentType: "application/apply-patch+yaml", Self.sidecar(hosts: ["./*"]))
        #expect(wrongVersion.status == 400)
        #expect(wrongVersion.json["message"] == "the API version in the data (networking.istio.io/v1) does not match the expected API version (networking.istio.io/v1beta1)")
        let applied = await send(
            api, "PATCH", path: path, query: ["fieldManager": ["meshtrim"]], contentType: "application/apply-patch+yaml",
            Self.sidecar(hosts: ["./*"], apiVersion: "networking.istio.io/v1beta1"))
        #expect(applied.status == 201)
        #expect(applied.json["apiVersion"] == "networking.istio.io/v1beta1")
        #expect(applied.json.value(at: "metadata.managedFields")?.arrayValue?.first?["apiVersion"] == "networking.istio.io/v1beta1")
        let openAPI = await send(api, "GET", path: "/openapi/v3")
        #expect(openAPI.json.value(at: "paths")?["apis/networking.istio.io/v1beta1"] != nil)
        #expect(openAPI.json.value(at: "paths")?["apis/networking.istio.io/v1"] == nil)
    }
}
