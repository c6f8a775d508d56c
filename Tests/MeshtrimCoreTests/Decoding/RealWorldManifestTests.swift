import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// Issue #11, "Crashes and wrong numbers": real manifests that share names, gateways, injection as Istio decides
/// it, and namespace-less files.
@Suite("Manifests as they come: duplicates, gateways, injection, namespaces")
struct RealWorldManifestTests {
    static let helmGateway = "operator/cmd/mesh/testdata/manifest-generate/output/gateway.golden.yaml"
    static let injectedGateway = "pkg/kube/inject/testdata/inject/gateway.yaml.injected"
    static let hello = "pkg/kube/inject/testdata/inject/hello.yaml"
    static let bookinfo = "samples/bookinfo/platform/kube/bookinfo.yaml"

    /// A fresh directory holding `files` (name → text), removed by the caller.
    private func directory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-h1-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    // MARK: Duplicates

    @Test("the same file given twice is one set of objects, with one warning naming the file")
    func sameFileTwice() throws {
        let path = Fixtures.istio(Self.bookinfo).path
        let once = try ManifestLoader.load(paths: [path])
        let twice = try ManifestLoader.load(paths: [path, path])
        #expect(twice.inventory.pods.map(\.name) == once.inventory.pods.map(\.name))
        #expect(twice.inventory.services.map(\.hostname) == once.inventory.services.map(\.hostname))
        let warning = try #require(twice.warnings.first { $0.contains("defined twice in") })
        #expect(warning.contains("bookinfo.yaml"))
        #expect(Set(twice.inventory.pods.map { "\($0.namespace)/\($0.name)" }).count == twice.inventory.pods.count)
        // The analysis (which keys changes by pod name) does not trap, and counts each pod once.
        let analysis = MeshAnalysis(inventory: twice.inventory, observations: [], source: "test")
        #expect(analysis.pods.count == once.inventory.pods.count)
        #expect(analysis.impact(namespace: "default", workloadSelector: nil, hosts: ["./*"]).changes.count == 6)
    }

    @Test("two renders of an install in one folder: the later file's objects win, the warning names both files")
    func twoRenders() throws {
        let text = try Fixtures.istioText(Self.helmGateway)
        let folder = try directory(["a-render.yaml": text, "b-render.yaml": text])
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try ManifestLoader.load(paths: [folder.path])
        #expect(set.files.count == 2)
        #expect(set.inventory.pods.map(\.name) == ["istio-ingress"])
        #expect(set.inventory.services.map(\.name) == ["istio-ingress"])
        let warning = try #require(set.warnings.first)
        #expect(warning.contains("a-render.yaml") && warning.contains("b-render.yaml"), "\(warning)")
        #expect(warning.contains("2 objects"), "Deployment and Service (the HPA is not read): \(warning)")
    }

    @Test("one object given twice names both places and uses the later one")
    func oneObjectTwice() throws {
        let first = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n"
        let second = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 8080}]}\n"
        let folder = try directory(["1.yaml": first, "2.yaml": second])
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try ManifestLoader.load(paths: [folder.path])
        #expect(set.inventory.services.map { $0.ports.map(\.number) } == [[8080]])
        #expect(set.warnings == ["Service shop/web is defined twice (\(folder.path)/1.yaml:1 and \(folder.path)/2.yaml:1): using the one in \(folder.path)/2.yaml:1"])
    }

    @Test("a Deployment and a StatefulSet with the same name are two workloads with two pods")
    func sameNameDifferentKinds() throws {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: web, namespace: shop}
            spec: {template: {metadata: {labels: {app: web-db}}, spec: {containers: [{name: db, image: postgres}]}}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {selector: {app: web}, ports: [{port: 80}]}
            """
        let folder = try directory(["shop.yaml": yaml])
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try ManifestLoader.load(paths: [folder.path])
        #expect(set.warnings.isEmpty)
        #expect(set.inventory.pods.map(\.name) == ["web-deployment", "web-statefulset"])
        #expect(set.inventory.pods.map { $0.meta.annotations["meshtrim.io/workload"] } == ["Deployment/web", "StatefulSet/web"])
        let analysis = MeshAnalysis(inventory: set.inventory, observations: [], source: "test")
        let impact = analysis.impact(namespace: "shop", workloadSelector: nil, hosts: ["./*"])
        #expect(impact.changes.map(\.pod) == ["web-deployment", "web-statefulset"])
    }

    // MARK: Namespace-less manifests

    @Test("a folder of namespace-less files lands in default with a note, or in the namespace given")
    func namespaceLessFolder() throws {
        let folder = try directory([
            "gateway.yaml": try Fixtures.istioText(Self.injectedGateway), "hello.yaml": try Fixtures.istioText(Self.hello),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try ManifestLoader.load(paths: [folder.path])
        #expect(plain.inventory.pods.map { "\($0.namespace)/\($0.name)" } == ["default/hello", "default/istio-ingressgateway"])
        #expect(plain.notes.contains { $0.contains("2 objects name no namespace") && $0.contains("default") }, "\(plain.notes)")
        let chosen = try ManifestLoader.load(paths: [folder.path], defaultNamespace: "shop")
        #expect(chosen.inventory.pods.map(\.namespace) == ["shop", "shop"])
        #expect(!chosen.notes.contains { $0.contains("name no namespace") })
        #expect(chosen.inventory.namespaces.isEmpty)
    }

    // MARK: Gateways

    @Test("gateway pods are detected as istiod does", arguments: [helmGateway, injectedGateway])
    func gatewayFixtures(_ path: String) throws {
        let set = try ManifestLoader.load(paths: [Fixtures.istio(path).path])
        let pod = try #require(set.inventory.pods.first)
        #expect(pod.hasSidecar && pod.isGateway && pod.proxyKind == .gateway)
    }

    @Test("each gateway signal alone is enough: proxy router args, istio/gateway-name labels, the gateway template")
    func gatewaySignals() throws {
        // The injected gateway with every signal but the args removed: still a gateway by its args.
        let text = try Fixtures.istioText(Self.injectedGateway)
            .replacingOccurrences(of: "        inject.istio.io/templates: gateway\n", with: "")
            .replacingOccurrences(of: "        istio: ingressgateway\n        service", with: "        service")
        #expect(!text.contains("templates: gateway") && text.contains("- router"))
        let folder = try directory(["g.yaml": text])
        defer { try? FileManager.default.removeItem(at: folder) }
        let byArgs = try #require(try ManifestLoader.load(paths: [folder.path]).inventory.pods.first)
        #expect(byArgs.isGateway)
        #expect(ProxyKind.inferred(labels: ["istio": "egressgateway"], annotations: [:]) == .gateway)
        #expect(ProxyKind.inferred(labels: ["istio": "eastwestgateway"], annotations: [:]) == .gateway)
        // The labels istio's gateway controller puts on a Gateway API deployment (pilot/pkg/config/kube/gateway/testdata/deployment/simple.yaml).
        #expect(ProxyKind.inferred(labels: ["gateway.networking.k8s.io/gateway-name": "default", "istio.io/dataplane-mode": "none"], annotations: [:]) == .gateway)
        #expect(ProxyKind.inferred(labels: [:], annotations: ["inject.istio.io/templates": "gateway"]) == .gateway)
        #expect(ProxyKind.inferred(labels: ["istio": "ingress", "app": "reviews"], annotations: [:]) == .sidecar)
        let sidecar = try #require(try ManifestLoader.load(paths: [Fixtures.istio("pkg/kube/inject/testdata/inject/hello.yaml.injected").path]).inventory.pods.first)
        #expect(sidecar.hasSidecarProxy && !sidecar.isGateway)
    }

    @Test("a gateway gets the default scope and no inbound clusters, and no Sidecar impact or saving")
    func gatewayScope() throws {
        let gateway = try Fixtures.istioText(Self.helmGateway)
        let app = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: istio-ingress}
            spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: istio-ingress}
            spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: istio-ingress}
            spec: {egress: [{hosts: ["./*"]}]}
            """
        let folder = try directory(["gateway.yaml": gateway, "app.yaml": app])
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try ManifestLoader.load(paths: [folder.path])
        let analysis = MeshAnalysis(inventory: set.inventory, observations: [], source: "test")
        let gatewayPod = try #require(set.inventory.pods.first { $0.isGateway })
        let scope = analysis.scope(for: gatewayPod)
        #expect(scope.sidecar == nil)
        #expect(!scope.clusters.contains { $0.direction == .inbound || $0.name.hasPrefix("InboundPassthrough") })
        #expect(scope.clusters.contains { $0.name == "PassthroughCluster" })
        let summary = try #require(analysis.pods.first { $0.pod.isGateway })
        #expect(summary.predictedClusters == scope.clusters.count)
        #expect(summary.sidecar == nil)
        // The sidecar next to it does get the Sidecar and its inbound cluster.
        let web = try #require(analysis.pods.first { $0.pod.name == "web" })
        #expect(web.sidecar == "istio-ingress/default")
        #expect(analysis.scope(for: web.pod).clusters.contains { $0.name == "inbound|8080||" })
        let impact = analysis.impact(namespace: "istio-ingress", workloadSelector: nil, hosts: ["./*", "istio-system/*"])
        #expect(impact.affectedPods == ["web"])
        #expect(!impact.unaffectedPods.contains { $0.pod == gatewayPod.name })
        let namespace = try #require(analysis.namespaces.first { $0.name == "istio-ingress" })
        #expect(namespace.sidecars == 1 && namespace.gateways == 1)
        #expect(EgressRecommender(analysis: analysis).selectedPods(namespace: "istio-ingress", workloadSelector: nil).map(\.pod.name) == ["web"])
    }

    @Test("a snapshot keeps a pod's proxy kind, and older snapshots infer it from the labels")
    func proxyKindCoding() throws {
        let gateway = Pod(meta: ObjectMeta(name: "gw", namespace: "x", labels: ["app": "gw"]), proxyKind: .gateway)
        let data = try JSONEncoder().encode(gateway)
        #expect(try JSONDecoder().decode(Pod.self, from: data).proxyKind == .gateway)
        let sidecarJSON = String(decoding: try JSONEncoder().encode(Pod(meta: ObjectMeta(name: "a", namespace: "x"))), as: UTF8.self)
        #expect(!sidecarJSON.contains("proxy\""))
        let old = #"{"meta":{"name":"g","namespace":"istio-system","labels":{"istio":"ingressgateway"},"annotations":{}},"phase":"Running","readyContainers":1,"totalContainers":1,"hasSidecar":true,"namedPorts":{}}"#
        #expect(try JSONDecoder().decode(Pod.self, from: Data(old.utf8)).isGateway)
    }

    @Test("a gateway known only by its proxy router args stays a gateway through a snapshot (fast path and JSONDecoder)")
    func gatewayInSnapshot() throws {
        let text = try Fixtures.istioText(Self.injectedGateway)
            .replacingOccurrences(of: "        inject.istio.io/templates: gateway\n", with: "")
            .replacingOccurrences(of: "        istio: ingressgateway\n        service", with: "        service")
        let folder = try directory(["g.yaml": text])
        defer { try? FileManager.default.removeItem(at: folder) }
        let inventory = try ManifestLoader.load(paths: [folder.path]).inventory
        #expect(inventory.pods.first?.isGateway == true)
        let snapshot = MeshSnapshot(capturedAt: Date(timeIntervalSince1970: 0), source: "test", inventory: inventory, observations: [])
        let data = try snapshot.encoded()
        let fast = try #require(MeshSnapshot.decodeFast([UInt8](data)))
        #expect(fast.inventory.pods.first?.isGateway == true)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(MeshSnapshot.self, from: data).inventory.pods.first?.isGateway == true)
    }

    // MARK: Injection

    struct InjectionCase: CustomTestStringConvertible, Sendable {
        let label: String
        let namespaceLabels: [String: String]?
        let templateLabels: [String: String]
        let templateAnnotations: [String: String]
        let injected: Bool
        var testDescription: String { label }
    }

    static let injectionCases: [InjectionCase] = [
        .init(label: "istio-injection=enabled", namespaceLabels: ["istio-injection": "enabled"], templateLabels: [:], templateAnnotations: [:], injected: true),
        .init(label: "istio.io/rev", namespaceLabels: ["istio.io/rev": "canary"], templateLabels: [:], templateAnnotations: [:], injected: true),
        .init(label: "istio-injection=disabled", namespaceLabels: ["istio-injection": "disabled"], templateLabels: [:], templateAnnotations: [:], injected: false),
        .init(label: "disabled beats the pod's inject=true", namespaceLabels: ["istio-injection": "disabled"], templateLabels: ["sidecar.istio.io/inject": "true"], templateAnnotations: [:], injected: false),
        .init(label: "ambient namespace", namespaceLabels: ["istio.io/dataplane-mode": "ambient"], templateLabels: [:], templateAnnotations: [:], injected: false),
        .init(label: "enabled, pod label inject=false", namespaceLabels: ["istio-injection": "enabled"], templateLabels: ["sidecar.istio.io/inject": "false"], templateAnnotations: [:], injected: false),
        .init(label: "enabled, pod annotation inject=false", namespaceLabels: ["istio-injection": "enabled"], templateLabels: [:], templateAnnotations: ["sidecar.istio.io/inject": "false"], injected: false),
        .init(label: "unlabelled namespace", namespaceLabels: [:], templateLabels: [:], templateAnnotations: [:], injected: false),
        .init(label: "unlabelled namespace, pod label inject=true", namespaceLabels: [:], templateLabels: ["sidecar.istio.io/inject": "true"], templateAnnotations: [:], injected: true),
        .init(label: "no Namespace object", namespaceLabels: nil, templateLabels: [:], templateAnnotations: [:], injected: true),
        .init(label: "no Namespace object, inject=false", namespaceLabels: nil, templateLabels: ["sidecar.istio.io/inject": "false"], templateAnnotations: [:], injected: false),
    ]

    @Test("pod templates get a sidecar as Istio's injector decides", arguments: injectionCases)
    func injection(_ item: InjectionCase) throws {
        func yamlMap(_ map: [String: String]) -> String {
            "{" + map.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ") + "}"
        }
        var yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec: {template: {metadata: {labels: \(yamlMap(item.templateLabels.merging(["app": "web"]) { a, _ in a })), annotations: \(yamlMap(item.templateAnnotations))}, spec: {containers: [{name: web, image: nginx}]}}}
            """
        if let labels = item.namespaceLabels {
            yaml += "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: \(yamlMap(labels))}\n"
        }
        let folder = try directory(["m.yaml": yaml])
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try ManifestLoader.load(paths: [folder.path])
        let pod = try #require(set.inventory.pods.first)
        #expect(pod.hasSidecar == item.injected)
        #expect(pod.totalContainers == (item.injected ? 2 : 1))
        let noted = set.notes.contains { $0.contains("no Namespace manifest for shop") }
        #expect(noted == (item.namespaceLabels == nil && item.injected), "\(set.notes)")
        let analysis = MeshAnalysis(inventory: set.inventory, observations: [], source: "test")
        #expect(analysis.namespaces.first { $0.name == "shop" }?.sidecars == (item.injected ? 1 : 0))
    }

    @Test("a template that already carries istio-proxy has one, whatever its namespace says")
    func alreadyInjected() throws {
        let injected = try Fixtures.istioText("pkg/kube/inject/testdata/inject/hello.yaml.injected")
        let folder = try directory([
            "hello.yaml": injected,
            "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: default, labels: {istio-injection: disabled}}\n",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try ManifestLoader.load(paths: [folder.path])
        #expect(set.inventory.pods.first?.hasSidecar == true)
    }
}
