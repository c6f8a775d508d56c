import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// Reading manifests: every shape users point meshtrim at, and clear errors for the ones it cannot read.
@Suite("Manifest loading")
struct ManifestLoaderTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("networking.istio.io v1, v1beta1 and v1alpha3 all decode", arguments: ["v1", "v1beta1", "v1alpha3"])
    func istioVersions(_ version: String) throws {
        let yaml = """
            apiVersion: networking.istio.io/\(version)
            kind: Sidecar
            metadata: {name: s, namespace: a}
            spec:
              egress: [{hosts: ["./*"]}]
            ---
            apiVersion: networking.istio.io/\(version)
            kind: DestinationRule
            metadata: {name: d, namespace: a}
            spec: {host: x, subsets: [{name: v1}]}
            ---
            apiVersion: networking.istio.io/\(version)
            kind: VirtualService
            metadata: {name: v, namespace: a}
            spec: {hosts: [x], http: [{route: [{destination: {host: x}}]}]}
            ---
            apiVersion: networking.istio.io/\(version)
            kind: ServiceEntry
            metadata: {name: e, namespace: a}
            spec: {hosts: [api.example.com], ports: [{number: 443, name: tls, protocol: TLS}]}
            """
        let mesh = try inventory(yaml)
        #expect(mesh.sidecars.count == 1 && mesh.destinationRules.count == 1)
        #expect(mesh.virtualServices.count == 1 && mesh.services.count == 1)
        #expect(mesh.services.first?.resolution == .passthrough, "a ServiceEntry without resolution is NONE")
    }

    @Test("kind: List and *List documents are flattened; unknown kinds are counted")
    func lists() throws {
        let yaml = """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {istio-injection: enabled}}}
            - {apiVersion: v1, kind: Service, metadata: {name: cart, namespace: shop}, spec: {ports: [{port: 80}]}}
            - {apiVersion: apps/v1, kind: ControllerRevision, metadata: {name: x}}
            ---
            apiVersion: v1
            kind: ServiceList
            items:
            - {apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}, spec: {ports: [{port: 80}]}}
            """
        var builder = InventoryBuilder()
        for (object, _) in try ManifestLoader.decode(yaml, file: "x.yaml") { builder.add(object, source: "x") }
        let mesh = builder.finish()
        #expect(mesh.namespaces.map(\.name) == ["shop"])
        #expect(mesh.namespaces.first?.isInjectionEnabled == true)
        #expect(mesh.services.map(\.name).sorted() == ["cart", "web"])
        #expect(builder.ignoredKinds == ["ControllerRevision": 1])
    }

    @Test("JSON manifests (kubectl get -o json) decode like YAML")
    func json() throws {
        let text = """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"a","labels":{"app":"p"}},
               "spec":{"containers":[{"name":"app"},{"name":"istio-proxy","image":"docker.io/istio/proxyv2:1.30.3"}]},
               "status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[{"name":"app","ready":true},{"name":"istio-proxy","ready":true}]}}]}
            """
        let mesh = try inventory(text)
        let pod = try #require(mesh.pods.first)
        #expect(pod.hasSidecar && pod.proxyVersion == "1.30.3" && pod.readyText == "2/2" && pod.podIP == "10.0.0.5")
    }

    @Test("an injected Deployment with istio-proxy as a native sidecar init container has a sidecar")
    func nativeSidecar() throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("pkg/kube/inject/testdata/inject/hello.yaml.injected").path])
        let pod = try #require(set.inventory.pods.first)
        #expect(pod.hasSidecar)
        #expect(pod.meta.annotations["meshtrim.io/workload"] == "Deployment/hello")
    }

    @Test("a plain Deployment counts as injected unless it opts out")
    func plainDeployment() throws {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: batch, namespace: shop}
            spec:
              template:
                metadata: {labels: {app: batch, sidecar.istio.io/inject: "false"}}
                spec: {containers: [{name: batch, image: busybox}]}
            """
        let mesh = try inventory(yaml)
        #expect(mesh.pods.map(\.name) == ["batch", "web"])
        #expect(mesh.pods.map(\.hasSidecar) == [false, true])
        #expect(mesh.pods.last?.labels == ["app": "web"])
    }

    @Test("Service details: exportTo annotation, headless, ExternalName, named target ports, protocols")
    func serviceDetails() throws {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: db
              namespace: data
              annotations: {networking.istio.io/exportTo: "., billing"}
            spec:
              clusterIP: None
              selector: {app: db}
              ports:
              - {name: tcp-postgres, port: 5432, targetPort: pg}
              - {name: grpc-admin, port: 9000, appProtocol: http2}
              - {name: dns, port: 53, protocol: UDP}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: legacy, namespace: data}
            spec: {type: ExternalName, externalName: old.example.com}
            """
        let mesh = try inventory(yaml)
        let db = try #require(mesh.services.first { $0.name == "db" })
        #expect(db.exportTo == [".", "billing"])
        #expect(db.resolution == .passthrough)
        #expect(db.ports.map(\.protocol) == ["TCP", "HTTP2", "UDP"])
        #expect(db.ports.first?.targetPort == "pg")
        #expect(mesh.services.first { $0.name == "legacy" }?.resolution == .alias)
    }

    @Test("the istio ConfigMap sets the mesh config")
    func meshConfig() throws {
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: istio, namespace: istio-control}
            data:
              mesh: |-
                rootNamespace: istio-config
                defaultServiceExportTo: ["."]
                outboundTrafficPolicy:
                  mode: REGISTRY_ONLY
            """
        var builder = InventoryBuilder()
        for (object, _) in try ManifestLoader.decode(yaml, file: "x.yaml") { builder.add(object, source: "x") }
        let mesh = builder.finish()
        #expect(mesh.meshConfig.rootNamespace == "istio-config")
        #expect(mesh.meshConfig.defaultServiceExportTo == ["."])
        #expect(mesh.meshConfig.outboundTrafficPolicy == .registryOnly)
        #expect(mesh.istiodNamespace == "istio-control")
    }

    struct BadInput: CustomTestStringConvertible, Sendable {
        let label: String
        let text: String
        let line: Int?
        let messagePart: String
        var testDescription: String { label }
    }

    static let badInputs: [BadInput] = [
        BadInput(label: "broken indentation", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n name: b\n",
                 line: 5, messagePart: "not valid YAML"),
        BadInput(label: "unclosed flow sequence", text: "apiVersion: v1\nkind: Namespace\nmetadata: {name: [a\n",
                 line: nil, messagePart: "not valid YAML"),
        BadInput(label: "a port that is not a number", text: "---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: eighty\n",
                 line: 2, messagePart: "expected a whole number at spec.ports[0].port"),
        BadInput(label: "a document that is a list", text: "- a\n- b\n", line: 1, messagePart: "expected a Kubernetes object"),
        BadInput(label: "truncated JSON", text: "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"na",
                 line: nil, messagePart: "JSON"),
    ]

    @Test("bad input names the file and, where it can, the line", arguments: badInputs)
    func badInput(_ input: BadInput) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.yaml")
        try input.text.write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try ManifestLoader.load(paths: [file.path])
            Issue.record("expected an error")
        } catch let error as ManifestError {
            #expect(error.file == file.path)
            if let line = input.line { #expect(error.line == line, "\(error)") }
            #expect(error.message.contains(input.messagePart), "\(error)")
        }
    }

    @Test("a missing path and a directory are handled")
    func pathsAndDirectories() throws {
        #expect(throws: ManifestError.self) { try ManifestLoader.load(paths: ["/nonexistent/meshtrim.yaml"]) }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try service("a", "x").write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try service("b", "x").write(to: directory.appendingPathComponent("sub/b.yml"), atomically: true, encoding: .utf8)
        try "not yaml at all: [".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let set = try ManifestLoader.load(paths: [directory.path])
        #expect(set.inventory.services.map(\.name).sorted() == ["a", "b"])
        #expect(set.files.count == 2)
    }

    @Test("Bookinfo decodes: 4 services, 6 workloads, all port 9080")
    func bookinfo() throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("samples/bookinfo/platform/kube/bookinfo.yaml").path])
        #expect(set.inventory.services.map(\.name).sorted() == ["details", "productpage", "ratings", "reviews"])
        #expect(set.inventory.pods.count == 6)
        #expect(set.inventory.services.allSatisfy { $0.ports.map(\.number) == [9080] })
        #expect(set.ignoredKinds["ServiceAccount"] == 4)
    }
}
