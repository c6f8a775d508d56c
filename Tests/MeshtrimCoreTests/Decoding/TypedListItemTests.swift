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
}
