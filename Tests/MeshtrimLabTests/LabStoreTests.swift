import Foundation
import MeshtrimCore
import MeshtrimFiles
import Testing

@testable import MeshtrimLab

/// The object store and the API in-process: pagination, selectors, apply semantics, Status answers.
@Suite struct LabStoreTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/shop.yaml").path
    static let admin = LabUser(name: "lab-admin", groups: ["system:masters"], isReadOnly: false)
    static let viewer = LabUser(name: "viewer", groups: [], isReadOnly: true)

    func makeAPI() throws -> KubernetesAPI {
        let scenario = try LabScenario.load(manifests: [Self.fixture], seed: 1)
        return KubernetesAPI(store: LabStore(scenario: scenario), fleet: nil, scenario: scenario)
    }

    @Test func paginatesWithContinueTokensInKeyOrder() async throws {
        let store = try makeAPI().store
        var names: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await store.list(.pods, namespace: nil, labelSelector: nil, fieldSelector: nil, limit: 1, continueToken: token)
            names += page.items.compactMap { $0.value(at: "metadata.name")?.stringValue }
            token = page.continueToken
            pages += 1
            if token != nil { #expect(page.remainingItemCount ?? 0 > 0) }
        } while token != nil
        #expect(pages == 4)
        let all = try await store.list(.pods, namespace: nil, labelSelector: nil, fieldSelector: nil, limit: nil, continueToken: nil)
        #expect(names == all.items.compactMap { $0.value(at: "metadata.name")?.stringValue })
        await #expect(throws: KubernetesStatus.self) {
            try await store.list(.pods, namespace: nil, labelSelector: nil, fieldSelector: nil, limit: 1, continueToken: "%%%")
        }
    }

    @Test func filtersByLabelAndFieldSelectors() async throws {
        let store = try makeAPI().store
        let labels = try LabelSelectorQuery(parsing: "app in (web,cart),security.istio.io/tlsMode,!missing")
        let page = try await store.list(.pods, namespace: "shop", labelSelector: labels, fieldSelector: nil, limit: nil, continueToken: nil)
        #expect(page.items.count == 2)
        let fields = try LabelSelectorQuery(parsing: "metadata.name=web-5c6b8d7f9-x2x7q,status.phase!=Pending")
        let one = try await store.list(.pods, namespace: nil, labelSelector: nil, fieldSelector: fields, limit: nil, continueToken: nil)
        #expect(one.items.count == 1)
        #expect(try LabelSelectorQuery(parsing: "app notin (web)").matches(["app": "cart"]))
        #expect(try !LabelSelectorQuery(parsing: "app!=cart").matches(["app": "cart"]))
        #expect(throws: KubernetesStatus.self) { try LabelSelectorQuery(parsing: "app in web") }
    }

    @Test func appliesCreatesUpdatesAndConflicts() async throws {
        let store = try makeAPI().store
        let sidecar: JSONValue = [
            "apiVersion": "networking.istio.io/v1", "kind": "Sidecar", "metadata": ["name": "s", "namespace": "shop"],
            "spec": ["egress": [["hosts": ["./*"]]]],
        ]
        let created = try await store.create(.sidecars, object: sidecar, fieldManager: "kubectl-create", dryRun: false)
        #expect(created.value(at: "metadata.generation")?.intValue == 1)
        var changed = sidecar
        changed["spec"] = ["egress": [["hosts": ["./*", "istio-system/*"]]]]
        await #expect(throws: KubernetesStatus.self) {
            try await store.apply(.sidecars, object: changed, fieldManager: "meshtrim", force: false, dryRun: false)
        }
        let forced = try await store.apply(.sidecars, object: changed, fieldManager: "meshtrim", force: true, dryRun: false)
        #expect(!forced.created)
        #expect(forced.object.value(at: "metadata.generation")?.intValue == 2)
        #expect(await store.sidecars().contains { $0.meta.name == "s" && $0.allEgressHosts == ["./*", "istio-system/*"] })
        let dry = try await store.apply(.sidecars, object: sidecar, fieldManager: "meshtrim", force: true, dryRun: true)
        #expect(dry.object["spec"] == sidecar["spec"])
        #expect(await store.sidecars().first { $0.meta.name == "s" }?.allEgressHosts == ["./*", "istio-system/*"])
    }

    @Test func answersWithKubernetesStatusObjects() async throws {
        let api = try makeAPI()
        let missing = await api.handle(APIRequest(method: "GET", path: "/apis/networking.istio.io/v1/namespaces/shop/sidecars/nope", user: Self.admin))
        #expect(missing.status == 404)
        let body = try JSONValue.parse(missing.body)
        #expect(body["kind"] == "Status" && body["reason"] == "NotFound")
        #expect(body["message"] == #"sidecars.networking.istio.io "nope" not found"#)

        let invalid = await api.handle(
            APIRequest(
                method: "PATCH", path: "/apis/networking.istio.io/v1/namespaces/shop/sidecars/x",
                query: ["fieldManager": ["t"]], headers: ["content-type": "application/apply-patch+yaml"],
                body: Data("{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"Sidecar\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"egress\":[{\"hosts\":[\"bad\"]}]}}".utf8),
                user: Self.admin))
        #expect(invalid.status == 422)
        let status = try JSONValue.parse(invalid.body)
        #expect(status.value(at: "details.causes")?.arrayValue?.first?["field"] == "spec.egress[0].hosts[0]")

        let forbidden = await api.handle(
            APIRequest(method: "DELETE", path: "/apis/networking.istio.io/v1/namespaces/payments/sidecars/default", user: Self.viewer))
        #expect(forbidden.status == 403)

        let review = await api.handle(
            APIRequest(
                method: "POST", path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                headers: ["content-type": "application/json"],
                body: Data(#"{"spec":{"resourceAttributes":{"verb":"patch","group":"networking.istio.io","resource":"sidecars"}}}"#.utf8),
                user: Self.viewer))
        #expect(review.status == 201)
        #expect(try JSONValue.parse(review.body).value(at: "status.allowed") == false)

        let protobuf = await api.handle(
            APIRequest(
                method: "POST", path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                headers: ["content-type": "application/vnd.kubernetes.protobuf"], user: Self.admin))
        #expect(protobuf.status == 415)

        let refused = await api.handle(APIRequest(method: "GET", path: "/api/v1/namespaces/shop/pods/web-5c6b8d7f9-x2x7q:15000/proxy/memory", user: Self.admin))
        #expect(refused.status == 503)
    }

    @Test func servesPodMetricsForKubectlTop() async throws {
        let api = try makeAPI()
        let answer = await api.handle(APIRequest(method: "GET", path: "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods", user: Self.admin))
        let list = try JSONValue.parse(answer.body)
        let items = list["items"]?.arrayValue ?? []
        #expect(items.count == 2, "\(list.jsonText)")
        let proxy = items.first?["containers"]?.arrayValue?.first { $0["name"] == "istio-proxy" }
        #expect(proxy?.value(at: "usage.memory")?.stringValue?.hasSuffix("Ki") == true)
    }

    @Test func servesTablesForKubectl() async throws {
        let api = try makeAPI()
        let answer = await api.handle(
            APIRequest(
                method: "GET", path: "/api/v1/pods", headers: ["accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"],
                user: Self.admin))
        let table = try JSONValue.parse(answer.body)
        #expect(table["kind"] == "Table")
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node"])
        #expect(TableRenderer.humanDuration(3 * 86_400 + 4 * 3_600) == "3d4h")
        #expect(TableRenderer.humanDuration(90) == "90s")
    }

    /// What the lab lists decodes, through meshtrim's own loader, to the mesh the lab scopes.
    @Test func servedObjectsRoundTripThroughTheManifestLoader() async throws {
        let api = try makeAPI()
        var documents: [String] = []
        for resource in LabResource.stored {
            let page = try await api.store.list(resource, namespace: nil, labelSelector: nil, fieldSelector: nil, limit: nil, continueToken: nil)
            documents += page.items.map(\.jsonText)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lab-roundtrip-\(UUID().uuidString.prefix(6)).json")
        try ("[" + documents.joined(separator: ",") + "]").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let reread = try ManifestLoader.load(paths: [file.path]).inventory
        let original = api.scenario.inventory
        let engine = ScopeEngine(inventory: original)
        let rereadEngine = ScopeEngine(inventory: reread)
        for pod in original.pods where pod.hasSidecar {
            let served = try #require(reread.pod(named: pod.name, in: pod.namespace))
            #expect(rereadEngine.scope(for: served).clusters.map(\.name) == engine.scope(for: pod).clusters.map(\.name))
        }
        #expect(reread.meshConfig == original.meshConfig)
    }
}

/// Port-forward framing and fault parsing.
@Suite struct LabProtocolTests {
    @Test func framesChannelsAsKubernetesDoes() {
        let binary = PortForwardFrame.binary(channel: 1, payload: PortForwardFrame.portPrefix(15000))
        #expect(Array(binary.readableBytesView) == [1, 0x98, 0x3A])
        #expect(PortForwardFrame.decode(binary: binary) == .init(channel: 1, payload: [0x98, 0x3A]))
        let text = PortForwardFrame.base64(channel: 0, payload: Array("GET /".utf8))
        #expect(text == "0R0VUIC8=")
        #expect(PortForwardFrame.decode(text: text)?.payload == Array("GET /".utf8))
        #expect(PortForwardFrame.Encoding.negotiate("v4.base64.channel.k8s.io, v4.channel.k8s.io") == .binary)
        #expect(PortForwardFrame.Encoding.negotiate("SPDY/3.1+portforward.k8s.io") == nil)
    }

    @Test func parsesFaults() throws {
        let faults = try LabFaults.parse(["latency=300ms", "error-rate=0.2", "truncate-rate=0.1", "slow-envoy"])
        #expect(faults.latency == .milliseconds(300))
        #expect(faults.errorRate == 0.2 && faults.truncateRate == 0.1)
        #expect(faults.slowEnvoy == .seconds(3))
        #expect(throws: LabError.self) { try LabFaults.parse(["error-rate=2"]) }
        #expect(throws: LabError.self) { try LabFaults.parse(["jitter=1s"]) }
    }

    @Test func writesIstioLikeClusters() {
        let cluster = PredictedCluster(
            name: "outbound|8080||web.shop.svc.cluster.local", serviceFQDN: "web.shop.svc.cluster.local", port: 8080, subset: "",
            direction: .outbound, type: "EDS", reason: .bootstrap)
        let resource = ClusterDiscoveryFile.resource(cluster)
        #expect(resource["type"] == "STATIC")
        #expect(resource["alt_stat_name"] == "outbound|8080||web.shop.svc.cluster.local;")
        let passthrough = PredictedCluster(
            name: "PassthroughCluster", serviceFQDN: "PassthroughCluster", port: nil, subset: "", direction: .special,
            type: "ORIGINAL_DST", reason: .bootstrap)
        #expect(ClusterDiscoveryFile.resource(passthrough)["lb_policy"] == "CLUSTER_PROVIDED")
    }
}
