import Foundation
import Testing

@testable import MeshtrimCore

/// Reading files for `meshtrim apply`, the diff against a live object, and which pods a Sidecar selects.
@Suite("Apply documents")
struct ApplyDocumentTests {
    static let file = """
        # two Sidecars
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
        spec:
          egress:
          - hosts: ["./*", "istio-system/*"]
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: Sidecar
        metadata: {name: ratings, namespace: bookinfo}
        spec:
          workloadSelector: {labels: {app: ratings}}
          ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: "127.0.0.1:9080"}]
          egress:
          - hosts: ["./reviews.bookinfo.svc.cluster.local"]
        """

    @Test func readsEverySidecarWithItsLineNamespaceAndRESTPath() throws {
        let documents = try ApplyDocumentReader.read(Self.file, file: "s.yaml", defaultNamespace: "shop")
        #expect(documents.map(\.qualifiedName) == ["shop/default", "bookinfo/ratings"])
        #expect(documents.map(\.origin) == ["s.yaml:2", "s.yaml:10"])
        #expect(documents[0].resourcePath == "/apis/networking.istio.io/v1/namespaces/shop/sidecars/default")
        #expect(documents[1].resourcePath == "/apis/networking.istio.io/v1beta1/namespaces/bookinfo/sidecars/ratings")
        // The default namespace is written into the body, and fields meshtrim does not model are kept.
        #expect(documents[0].body.contains("namespace: shop"))
        #expect(documents[1].body.contains("defaultEndpoint"))
        #expect(documents[1].sidecar.workloadSelector?.matches(["app": "ratings"]) == true)
        #expect(documents.allSatisfy { !$0.hasErrors })
    }

    @Test func refusesWhatIsNotANamedSidecar() {
        let deployment = Self.file + "\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        #expect(throws: ApplyDocumentError(
            file: "d.yaml", line: 19,
            message: "apps/v1 Deployment is not a Sidecar: meshtrim apply applies networking.istio.io Sidecars only (use kubectl for the rest)")
        ) { try ApplyDocumentReader.read(deployment, file: "d.yaml", defaultNamespace: "default") }
        #expect(throws: ApplyDocumentError(file: "n.yaml", line: 1, message: "the Sidecar has no metadata.name")) {
            try ApplyDocumentReader.read("apiVersion: networking.istio.io/v1\nkind: Sidecar\nspec: {}\n", file: "n.yaml", defaultNamespace: "x")
        }
        #expect(throws: ApplyDocumentError.self) { try ApplyDocumentReader.read("", file: "e.yaml", defaultNamespace: "x") }
        #expect(throws: ApplyDocumentError.self) { try ApplyDocumentReader.read("kind: [", file: "b.yaml", defaultNamespace: "x") }
    }

    @Test func diffIgnoresServerFieldsAndShowsRealChanges() throws {
        let document = ApplyDocument(manifest: SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"]))
        // The live object as the API server returns it: JSON, server-owned fields, kubectl's annotation.
        var live: [String: Any] = [
            "apiVersion": "networking.istio.io/v1", "kind": "Sidecar",
            "metadata": [
                "name": "default", "namespace": "shop", "uid": "5a1", "resourceVersion": "42", "generation": 3,
                "creationTimestamp": "2026-01-01T00:00:00Z", "labels": ["app.kubernetes.io/managed-by": "meshtrim"],
                "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}"],
                "managedFields": [["manager": "meshtrim", "operation": "Apply"]],
            ],
            "spec": ["egress": [["hosts": ["./*", "istio-system/*"]]]],
            "status": ["observed": true],
        ]
        func json(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        #expect(ApplyDiff.diff(live: try json(live), document: document).isEmpty, "only server fields differ")

        live["spec"] = ["egress": [["hosts": ["*/*"]]]]
        let diff = ApplyDiff.diff(live: try json(live), document: document)
        #expect(diff.contains(.removed("    - '*/*'")), "\(diff)")
        #expect(diff.contains(.added("    - ./*")))
        #expect(diff.contains(.added("    - istio-system/*")))
        #expect(!diff.contains { "\($0)".contains("resourceVersion") || "\($0)".contains("last-applied") })

        let new = ApplyDiff.diff(live: nil, document: document)
        #expect(new.first == .hunk("@@ -0,0 +1,12 @@"), "\(new)")
        #expect(new.dropFirst().allSatisfy { if case .added = $0 { return true } else { return false } })
    }

    @Test func podsAreThoseIstioWouldSelect() throws {
        let pods = """
            {"kind":"PodList","apiVersion":"v1","items":[
             {"metadata":{"name":"web-1","namespace":"shop","labels":{"app":"web"}},
              "spec":{"containers":[{"name":"web"},{"name":"istio-proxy"}]},"status":{"phase":"Running"}},
             {"metadata":{"name":"cart-1","namespace":"shop","labels":{"app":"cart"}},
              "spec":{"containers":[{"name":"cart"},{"name":"istio-proxy"}]},"status":{"phase":"Running"}},
             {"metadata":{"name":"job-1","namespace":"shop","labels":{"app":"job"}},
              "spec":{"containers":[{"name":"job"}]},"status":{"phase":"Running"}}]}
            """
        let sidecars = """
            {"kind":"SidecarList","apiVersion":"networking.istio.io/v1","items":[{"metadata":{"name":"cart","namespace":"shop","creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"workloadSelector":{"labels":{"app":"cart"}},"egress":[{"hosts":["./*"]}]}}]}
            """
        let inventory = try ApplyTargets.inventory(podList: pods, sidecarList: sidecars)
        let namespaceWide = ApplyDocument(manifest: SidecarManifest(namespace: "shop", hosts: ["./*"]))
        let (wide, wideWarnings) = ApplyTargets.pods(for: namespaceWide, inventory: inventory)
        #expect(wide == [PodKey(namespace: "shop", name: "web-1")], "cart keeps its own Sidecar, job has no sidecar")
        #expect(wideWarnings == ["1 pod in shop keep another Sidecar that selects them"])
        let forCart = ApplyDocument(manifest: SidecarManifest(namespace: "shop", hosts: ["./*"], name: "cart", workloadSelector: ["app": "cart"]))
        #expect(ApplyTargets.pods(for: forCart, inventory: inventory).pods == [PodKey(namespace: "shop", name: "cart-1")])
        #expect(throws: ManifestError.self) { try ApplyTargets.inventory(podList: "{}", sidecarList: nil) }
    }
}
