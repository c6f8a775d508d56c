import Foundation
import Testing

@testable import MeshtrimCore

/// A real API server encodes a typed list's items without `kind` and `apiVersion` (kubectl adds them back only when it
/// prints): the items take their list's, or a live cluster's pods, services and Sidecars would all be ignored.
@Suite("Typed list items")
struct TypedListItemTests {
    @Test("PodList and ServiceList items without kind decode as Pods and Services")
    func coreLists() throws {
        let text = """
            {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[
              {"metadata":{"name":"web-1","namespace":"shop","labels":{"app":"web"}},
               "spec":{"containers":[{"name":"web","image":"web:1"},{"name":"istio-proxy","image":"proxyv2:1.24.2"}]},
               "status":{"phase":"Running"}}]}
            ---
            {"kind":"ServiceList","apiVersion":"v1","metadata":{},"items":[
              {"metadata":{"name":"web","namespace":"shop"},"spec":{"ports":[{"name":"http","port":80}]}}]}
            """
        var objects: [KubernetesObject] = []
        for document in text.components(separatedBy: "\n---\n") {
            objects += try ManifestLoader.decode(document, file: "list.json").map(\.0)
        }
        let items = objects.flatMap { object -> [KubernetesObject] in
            if case .list(let items) = object { return items }
            return [object]
        }
        #expect(items.map(\.label) == ["Pod shop/web-1", "Service shop/web"])
    }

    @Test("SidecarList items without kind are Sidecars; an item that names its own kind keeps it")
    func sidecarList() throws {
        let text = """
            {"kind":"SidecarList","apiVersion":"networking.istio.io/v1","metadata":{},"items":[
              {"metadata":{"name":"default","namespace":"shop"},"spec":{"egress":[{"hosts":["./*"]}]}},
              {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"odd","namespace":"shop"}}]}
            """
        let read = try SidecarDocumentReader.read(text)
        #expect(read.sidecars.map(\.sidecar.meta.qualifiedName) == ["shop/default"])
        #expect(read.otherObjectCount == 1)
        // The object as it is carries its list's kind and apiVersion, so a replacement written from it is whole.
        let original = try #require(read.sidecars.first?.original)
        #expect(original["apiVersion"] == .string("networking.istio.io/v1"))
        #expect(original["kind"] == .string("Sidecar"))
        #expect(original.objectMembers?.prefix(2).map(\.key) == ["apiVersion", "kind"])
        let objects = try ManifestLoader.decode(text, file: "sidecars.json").map(\.0)
        let items = try #require(objects.first.flatMap { if case .list(let items) = $0 { items } else { nil } }, "a list: \(objects.map(\.label))")
        #expect(items.map(\.label) == ["Sidecar shop/default", "ConfigMap shop/odd"])
    }

    /// A live list's pages, decoded as they arrive and added later in order, give exactly what reading the same pages
    /// one after another gives, down to each Sidecar as written (kept for edits) and where it came from.
    @Test("pages decoded ahead and added in order equal pages read in order")
    func decodedAheadEqualsReadInOrder() throws {
        let pages = [
            ManifestDocument(origin: "pods page 1", text: """
                {"kind":"PodList","apiVersion":"v1","metadata":{"continue":"x"},"items":[
                  {"metadata":{"name":"web-1","namespace":"shop","creationTimestamp":"2026-03-02T09:30:00Z"},
                   "spec":{"containers":[{"name":"istio-proxy","image":"proxyv2:1.24.2"}]},"status":{"phase":"Running"}}]}
                """),
            ManifestDocument(origin: "Sidecars page 1", text: """
                {"kind":"SidecarList","apiVersion":"networking.istio.io/v1","metadata":{},"items":[
                  {"metadata":{"name":"default","namespace":"shop","annotations":{"team":"payments"}},
                   "spec":{"egress":[{"hosts":["./*","istio-system/*"]}],"outboundTrafficPolicy":{"mode":"REGISTRY_ONLY"}}}]}
                """),
        ]
        let inOrder = try ManifestLoader.load(documents: pages)
        var ahead = ManifestLoader()
        for decoded in try pages.map({ try ManifestLoader.decode($0) }) { ahead.add(decoded) }
        let decodedAhead = ahead.finish()
        #expect(decodedAhead.inventory == inOrder.inventory)
        #expect(decodedAhead.files == ["pods page 1", "Sidecars page 1"])
        #expect(decodedAhead.sidecarSources == inOrder.sidecarSources)
        let original = try #require(decodedAhead.inventory.sidecars.first?.original, "the Sidecar as written was dropped")
        #expect(original["metadata"]?["annotations"]?["team"] == .string("payments"))
        #expect(original["spec"]?["outboundTrafficPolicy"]?["mode"] == .string("REGISTRY_ONLY"))
        #expect(decodedAhead.inventory.pods.first?.meta.creationTimestamp == RFC3339.date(from: "2026-03-02T09:30:00Z"))
    }

    /// A Sidecar that names no namespace is in the adding loader's default namespace, its original as written too,
    /// whoever decoded the page (the page does not know the loader's namespace).
    @Test("a Sidecar without a namespace keeps its original in the adding loader's default namespace", arguments: [nil, "payments"])
    func originalsFollowTheLoadersNamespace(_ chosen: String?) throws {
        let page = ManifestDocument(origin: "sidecar.yaml", text: """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: default
              labels: {team: payments}
            spec:
              egress:
              - hosts: ["./*"]
            """)
        let inOrder = try ManifestLoader.load(documents: [page], defaultNamespace: chosen)
        var ahead = ManifestLoader(defaultNamespace: chosen)
        ahead.add(try ManifestLoader.decode(page))
        let decodedAhead = ahead.finish()
        #expect(decodedAhead.inventory == inOrder.inventory)
        let sidecar = try #require(decodedAhead.inventory.sidecars.first)
        #expect(sidecar.meta.namespace == chosen ?? "default")
        #expect(sidecar.original?["metadata"]?["labels"]?["team"] == .string("payments"), "the original was not attached")
    }
}
