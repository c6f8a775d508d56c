import Foundation
import MeshtrimCore
import MeshtrimTestSupport
import Testing

/// The official Kubernetes Python client (PyPI `kubernetes`, installed into .build/venv by
/// scripts/install-test-tools.sh) against the lab: a strict, independent client that decodes every pod into its typed
/// models (it refuses a container status without `imageID`), pages with `limit`/`_continue`, goes through the pod
/// proxy, and port-forwards to Envoy's admin port 15000 over its own WebSocket code.
@Suite(.timeLimit(.minutes(3)))
struct PythonClientAgainstLabTests {
    static let fixture = KubectlAgainstLabTests.fixture
    static let python = packageRoot().appendingPathComponent(".build/venv/bin/python").path

    /// The venv's Python with `kubernetes` importable; missing: fails on CI, cancels elsewhere.
    static func requirePythonClient() throws -> String {
        let probe = FileManager.default.isExecutableFile(atPath: python) ? try? runProcess([python, "-c", "import kubernetes"]) : nil
        if let probe, probe.exitCode == 0 { return python }
        let message = "the Kubernetes Python client is not installed in .build/venv; run bash scripts/install-test-tools.sh"
        if isContinuousIntegration { throw MissingToolError(name: "kubernetes (Python) — \(message)") }
        try Test.cancel("\(message)")
    }

    static let script = #"""
        import json, sys
        from kubernetes import client, config
        from kubernetes.stream import portforward

        config.load_kube_config(config_file=sys.argv[1])
        v1 = client.CoreV1Api()
        out = {"pages": 0, "pods": []}
        token = None
        while True:
            kwargs = {"limit": 2}
            if token:
                kwargs["_continue"] = token
            page = v1.list_pod_for_all_namespaces(**kwargs)
            out["pages"] += 1
            for pod in page.items:
                statuses = (pod.status.container_statuses or []) + (pod.status.init_container_statuses or [])
                out["pods"].append({
                    "name": pod.metadata.namespace + "/" + pod.metadata.name,
                    "imageIDs": [s.image_id for s in statuses],
                    "conditions": sorted(c.type for c in (pod.status.conditions or [])),
                    "init": [s.name for s in (pod.status.init_container_statuses or [])],
                })
            token = page.metadata._continue
            if not token:
                break

        stats = v1.connect_get_namespaced_pod_proxy_with_path("web-5c6b8d7f9-x2x7q:15090", "shop", "stats/prometheus")
        out["proxy"] = [line for line in stats.splitlines() if line.startswith("envoy_cluster_manager_active_clusters")]

        forward = portforward(v1.connect_get_namespaced_pod_portforward, "web-5c6b8d7f9-x2x7q", "shop", ports="15000")
        sock = forward.socket(15000)
        sock.setblocking(True)
        sock.sendall(b"GET /server_info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        sock.close()
        forward.close()
        out["portForward"] = data.split(b"\r\n", 1)[0].decode()
        out["portForwardBody"] = b'"state"' in data
        print(json.dumps(out))
        """#

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func listsPagesProxiesAndPortForwardsLikeOnACluster() async throws {
        let python = try Self.requirePythonClient()
        try await withLab(["--manifests", Self.fixture], needsEnvoy: true) { lab in
            let scriptPath = "\(lab.directory)/client.py"
            try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            let run = try runProcess([python, scriptPath, lab.kubeconfig], timeout: .seconds(90))
            try #require(run.exitCode == 0, "the Python client failed:\n\(run.stderr)")
            let json = try JSONValue.parse(Data(run.stdout.utf8))
            let pods = json["pods"]?.arrayValue ?? []
            #expect(json["pages"] == 2, "4 pods, 2 a page")
            #expect(pods.count == 4)
            let web = try #require(pods.first { $0["name"] == "shop/web-5c6b8d7f9-x2x7q" })
            #expect(web["init"] == ["istio-init"])
            #expect(web["conditions"] == ["ContainersReady", "Initialized", "PodReadyToStartContainers", "PodScheduled", "Ready"])
            #expect(web["imageIDs"]?.arrayValue?.allSatisfy { $0.stringValue?.contains("@sha256:") == true } == true, "\(web)")
            #expect(json["proxy"]?.arrayValue?.count == 1, "active_clusters through the pod proxy: \(json)")
            #expect(json["portForward"] == "HTTP/1.1 200 OK", "\(json)")
            #expect(json["portForwardBody"] == true)
        }
    }
}
