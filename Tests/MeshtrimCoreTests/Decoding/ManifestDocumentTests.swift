import Foundation
import Testing
import MeshtrimCore

/// The pure loader, fed documents in memory (as the live inventory feeds its pages): errors and warnings name each
/// document's origin and line, documents are read in the order given, and no file is involved.
@Suite("Manifest documents")
struct ManifestDocumentTests {
    private func service(_ name: String, namespace: String = "shop") -> String {
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {ports: [{port: 80}]}\n"
    }

    @Test("an error in a document names its origin and the line of the broken object")
    func errorNamesOriginAndLine() throws {
        var loader = ManifestLoader()
        try loader.add(ManifestDocument(origin: "namespaces page 1", text: service("cart")))
        // Lines 1-5 are one Service; the broken one starts on line 7 (its `---` is line 6).
        let broken = service("web") + "---\napiVersion: v1\nkind: Service\nmetadata: [web]\n"
        let error = try #require(
            #expect(throws: ManifestError.self) { try loader.add(ManifestDocument(origin: "pods page 3", text: broken)) })
        #expect(error.description == "pods page 3:7: Service: expected a mapping at metadata")
    }

    @Test("a JSON page that is not valid JSON names its origin and line")
    func jsonErrorNamesOrigin() throws {
        var loader = ManifestLoader()
        let page = "{\"apiVersion\": \"v1\", \"kind\": \"PodList\",\n\"items\": [\n{\"metadata\": }]}"
        let error = try #require(
            #expect(throws: ManifestError.self) { try loader.add(ManifestDocument(origin: "pods page 2", text: page)) })
        #expect(error.file == "pods page 2")
        #expect(error.line == 3, "\(error)")
        #expect(error.description.hasPrefix("pods page 2:3: not valid JSON: "), "\(error)")
    }

    @Test("binary and non-UTF-8 bytes are refused naming the origin, as for a file")
    func binaryBytesNameOrigin() throws {
        var loader = ManifestLoader()
        let binary = #expect(throws: ManifestError.self) {
            try loader.add(ManifestDocument(origin: "Services page 1", bytes: Data([0x61, 0x62, 0x63, 0x00, 0x64])))
        }
        #expect(
            binary?.description
                == "Services page 1: holds binary data (a NUL byte at byte offset 3); expected Kubernetes YAML or JSON")
        let invalid = #expect(throws: ManifestError.self) {
            try loader.add(ManifestDocument(origin: "Services page 2", bytes: Data([0x6B, 0x3A, 0x20, 0xFF])))
        }
        #expect(
            invalid?.description
                == "Services page 2: is not UTF-8 text (an invalid byte at byte offset 3); expected Kubernetes YAML or JSON")
    }

    @Test("documents are read in order: origins listed, sources named, the later duplicate kept with a warning")
    func orderAndSources() throws {
        let documents = [
            ManifestDocument(origin: "Services page 1", text: service("cart") + service("web")),
            ManifestDocument(origin: "Services page 2", text: service("web")),
            ManifestDocument(
                origin: "Sidecars page 1",
                text: "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: shop}\n"
                    + "spec: {egress: [{hosts: [\"./*\"]}]}\n"),
        ]
        let set = try ManifestLoader.load(documents: documents)
        #expect(set.files == ["Services page 1", "Services page 2", "Sidecars page 1"])
        #expect(set.inventory.services.map(\.name).sorted() == ["cart", "web"])
        #expect(set.sidecarSources == ["shop/default": "Sidecars page 1:1"])
        #expect(
            set.warnings == [
                "Service shop/web is defined twice (Services page 1:7 and Services page 2:2): using the one in Services page 2:2"
            ], "\(set.warnings)")
    }

    @Test("add then finish equals load(documents:), and finish can be asked again")
    func addThenFinish() throws {
        let documents = [
            ManifestDocument(origin: "a", text: service("cart", namespace: "a")),
            ManifestDocument(origin: "b", text: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"),
        ]
        var loader = ManifestLoader(defaultNamespace: "shop")
        for document in documents { try loader.add(document) }
        let first = loader.finish()
        let again = loader.finish()
        let loaded = try ManifestLoader.load(documents: documents, defaultNamespace: "shop")
        #expect(first.inventory == loaded.inventory && again.inventory == loaded.inventory)
        #expect(loaded.inventory.services.map(\.namespace).sorted() == ["a", "shop"])
        #expect(loaded.notes == first.notes && loaded.warnings == first.warnings)
    }
}
