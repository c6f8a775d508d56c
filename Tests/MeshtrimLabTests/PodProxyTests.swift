import Foundation
import MeshtrimCore
import Testing

@testable import MeshtrimLab

/// The lab's pod proxy refuses and resolves as the API server's pod ResourceLocation does, and its pods carry the
/// fields a kubelet always sets.
@Suite struct PodProxyTests {
    static let admin = LabUser(name: "lab-admin", groups: ["system:masters"], isReadOnly: false)
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: shop, labels: {app: web}}
        spec:
          containers:
          - {name: web, image: shop/web:1.0, ports: [{name: http, containerPort: 8080}]}
          - {name: istio-proxy, image: docker.io/istio/proxyv2:1.31.0}
        status: {phase: Running, podIP: 10.244.1.7, containerStatuses: [{name: web, ready: true}, {name: istio-proxy, ready: true}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-2, namespace: shop, labels: {app: web}}
        spec:
          containers:
          - {name: web, image: shop/web:1.0}
          - {name: istio-proxy, image: docker.io/istio/proxyv2:1.31.0}
        status: {phase: Pending}

        """

    func makeAPI() throws -> KubernetesAPI {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-pod-proxy-\(UUID().uuidString.prefix(8)).yaml").path
        try Self.manifests.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scenario = try LabScenario.load(manifests: [path], seed: 1)
        return KubernetesAPI(store: LabStore(scenario: scenario), fleet: nil, scenario: scenario)
    }

    func get(_ api: KubernetesAPI, _ path: String) async -> (status: Int, json: JSONValue) {
        let response = await api.handle(APIRequest(method: "GET", path: path, user: Self.admin))
        return (response.status, (try? JSONValue.parse(response.body)) ?? .null)
    }

    @Test func pendingPodsAreRefusedAndPortsResolvedAsTheAPIServerDoes() async throws {
        let api = try makeAPI()
        let pending = await get(api, "/api/v1/namespaces/shop/pods/web-2:15090/proxy/stats/prometheus")
        #expect(pending.status == 400)
        #expect(pending.json["message"] == "address not allowed")

        // No port: the first container port (8080, nothing listening there in the lab).
        let noPort = await get(api, "/api/v1/namespaces/shop/pods/web-1/proxy/")
        #expect(noPort.json["message"] == "error trying to reach service: dial tcp 10.244.1.7:8080: connect: connection refused")
        // A port name is not looked up in the pod: http is 80 as for Go's dialer, other names are unknown ports.
        let http = await get(api, "/api/v1/namespaces/shop/pods/web-1:http/proxy/")
        #expect(http.json["message"] == "error trying to reach service: dial tcp 10.244.1.7:80: connect: connection refused")
        let named = await get(api, "/api/v1/namespaces/shop/pods/web-1:http-envoy-prom/proxy/stats/prometheus")
        #expect(named.status == 503)
        #expect(named.json["message"] == "error trying to reach service: dial tcp: lookup tcp/http-envoy-prom: unknown port")
    }

    @Test func podsCarryTheFieldsAKubeletSets() async throws {
        let api = try makeAPI()
        let running = await get(api, "/api/v1/namespaces/shop/pods/web-1").json
        let statuses = running.value(at: "status.containerStatuses")?.arrayValue ?? []
        #expect(statuses.count == 2)
        for status in statuses {
            #expect(status["imageID"]?.stringValue?.contains("@sha256:") == true, "\(status)")
            #expect(status["containerID"]?.stringValue?.hasPrefix("containerd://") == true)
            #expect(status["restartCount"] == 0 && status["lastState"] == [:])
        }
        let initStatus = running.value(at: "status.initContainerStatuses")?.arrayValue?.first
        #expect(initStatus?["name"] == "istio-init")
        #expect(initStatus?.value(at: "state.terminated.reason") == "Completed")
        let conditions = (running.value(at: "status.conditions")?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }
        #expect(Set(conditions) == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        #expect(running.value(at: "status.qosClass") == "Burstable")
        #expect(running.value(at: "spec.containers")?.arrayValue?.allSatisfy { $0["terminationMessagePath"] == "/dev/termination-log" } == true)

        let pending = await get(api, "/api/v1/namespaces/shop/pods/web-2").json
        #expect(pending.value(at: "status.podIP") == nil)
        #expect(pending.value(at: "status.initContainerStatuses")?.arrayValue?.first?.value(at: "state.waiting.reason") == "PodInitializing")
        let ready = pending.value(at: "status.conditions")?.arrayValue?.first { $0["type"] == "Ready" }
        #expect(ready?["status"] == "False")
    }
}
