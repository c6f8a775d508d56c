import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import MeshtrimTestSupport
import Testing

/// When the API server cannot reach pod IPs (issue #16 item 1), Envoy stats come by port-forward through the
/// kubelet: the run switches after a few identical pod-proxy failures and says why once; when no way reaches the
/// sidecars it stops asking. Against the lab's `pod-network=unreachable` fault, whose pod proxy answers as a real
/// API server does (503 `error trying to reach service: dial tcp IP:15090: i/o timeout`).
@Suite(.timeLimit(.minutes(4)))
struct PodNetworkFallbackTests {
    static let unreachable = "error trying to reach service: dial tcp 10.244.1.7:15090: i/o timeout"

    static func proxyError(_ message: String = unreachable) -> KubeError {
        KubeError(.unreachable, statusCode: 503, "the Envoy of shop/web-1 did not answer through the API server's pod proxy (503: \(message))")
    }

    @Test func switchesToPortForwardAfterIdenticalFailuresAndSaysWhy() throws {
        var route = StatsRoute(threshold: 3, portForwardPermitted: true)
        #expect(route.firstPath == .podProxy)
        route.record(.podProxy, failure: Self.proxyError())
        route.record(.portForward, failure: nil)
        route.record(.podProxy, failure: Self.proxyError())
        #expect(route.state == .probing && route.note == nil)
        route.record(.podProxy, failure: Self.proxyError())
        #expect(route.state == .portForward)
        #expect(route.firstPath == .portForward)
        let note = try #require(route.note)
        #expect(note.contains("the API server cannot reach pod IPs: firewall or NetworkPolicy?"), "\(note)")
        #expect(note.contains("(the pod proxy failed alike for the first 3 sidecars: 503 \(Self.unreachable))"), "\(note)")
        // A port-forward that worked once is not given up for a pod's own trouble.
        for _ in 0..<5 { route.record(.portForward, failure: KubeError(.timeout, "the port-forward got no complete answer")) }
        #expect(route.state == .portForward)
    }

    @Test func aWorkingPodProxyIsKeptWhateverSomePodsDo() {
        var route = StatsRoute(threshold: 3, portForwardPermitted: true)
        route.record(.podProxy, failure: nil)
        for _ in 0..<10 { route.record(.podProxy, failure: Self.proxyError("dial tcp 10.244.1.7:15090: connect: connection refused")) }
        #expect(route.state == .podProxy && route.note == nil)
        // Answers that say nothing about the network never decide.
        var other = StatsRoute(threshold: 3, portForwardPermitted: true)
        for _ in 0..<10 { other.record(.podProxy, failure: KubeError(.badResponse, "the stats of shop/web-1 hold no Envoy figures")) }
        for _ in 0..<10 { other.record(.podProxy, failure: KubeError(.forbidden, statusCode: 403, "pods/proxy is forbidden")) }
        #expect(other.state == .probing)
    }

    @Test(arguments: [
        "error trying to reach service: dial tcp 10.0.3.9:15090: i/o timeout",
        "error trying to reach service: dial tcp 10.0.3.9:15090: connect: connection refused",
        "error trying to reach service: dial tcp 10.0.3.9:15090: connect: no route to host",
        "error trying to reach service: proxy error from 127.0.0.1:9345 while dialing 10.42.1.78:15090, code 502: 502 Bad Gateway",
    ])
    func realAPIServerShapesAreNetworkFailures(_ message: String) {
        #expect(StatsRoute.signature(of: Self.proxyError(message)) != nil)
        #expect(StatsRoute.signature(of: KubeError(.server, statusCode: 500, "error dialing backend: dial tcp 10.0.0.4:10250: i/o timeout")) != nil)
        #expect(StatsRoute.signature(of: KubeError(.timeout, "the API server did not answer GET … in time")) == "timeout")
    }

    @Test func stopsWhenNeitherWayReachesTheSidecars() throws {
        var route = StatsRoute(threshold: 3, portForwardPermitted: true)
        for _ in 0..<3 {
            route.record(.podProxy, failure: Self.proxyError())
            route.record(.portForward, failure: KubeError(.server, statusCode: 500, "error dialing backend: dial tcp 10.0.0.4:10250: i/o timeout"))
        }
        #expect(route.state == .stopped)
        #expect(route.firstPath == nil)
        let stop = try #require(route.stopError)
        #expect(stop.message.contains("stopped asking") && stop.message.contains("kubelets"), "\(stop.message)")
        // A refusal from inside the pod (the kubelet's error channel): the kubelet was reached, Envoy was not.
        var closed = StatsRoute(threshold: 3, portForwardPermitted: true)
        for _ in 0..<3 {
            closed.record(.podProxy, failure: Self.proxyError("error trying to reach service: dial tcp 10.0.3.9:15090: connect: connection refused"))
            closed.record(
                .portForward,
                failure: KubeError(.portForward, "pod shop/web-1 refused the port-forward to port 15090: error forwarding port 15090 to pod web-1, uid : failed to connect to localhost:15090 inside namespace: dial tcp4 127.0.0.1:15090: connect: connection refused"))
        }
        #expect(closed.state == .stopped)
        #expect(closed.note?.contains("nothing listens on :15090") == true, "\(closed.note ?? "")")
        // Without pods/portforward there is no second way: the run stops after the pod proxy's failures alone.
        var denied = StatsRoute(threshold: 3, portForwardPermitted: false)
        for _ in 0..<3 { denied.record(.podProxy, failure: Self.proxyError()) }
        #expect(denied.state == .stopped)
        #expect(denied.note?.contains("pods/portforward is not permitted") == true, "\(denied.note ?? "")")
        denied.retry()
        #expect(denied.state == .probing)
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func everySidecarIsReadByPortForwardWhenThePodNetworkIsClosed() async throws {
        try await withLab(ObservationTests.mesh + ["--fault", "pod-network=unreachable"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let live = try await session.loadInventory()
            let keys = ObservationTests.sidecarKeys(live.inventory)
            #expect(keys.count >= 8)
            let before = session.client.requestCount
            let observer = session.makeObserver(concurrency: 4, portForwardConcurrency: 3)
            let (observations, failures) = await observer.observeAll(keys)
            #expect(failures.isEmpty, "\(failures)")
            #expect(observations.count == keys.count)
            #expect(observations.allSatisfy { $0.activeClusters != nil && $0.envoyAllocatedBytes != nil })
            #expect(observations.allSatisfy { $0.source == "port-forward :15090" }, "\(observations.map(\.source))")
            // The same figures as the pod proxy gives, Istio's request metrics included.
            #expect(observations.contains { !$0.destinations.isEmpty }, "no Istio request metrics by port-forward")
            let analysis = MeshAnalysis(inventory: live.inventory, observations: [], source: "live", istioVersion: nil)
            for observation in observations {
                let predicted = analysis.pods(in: observation.namespace).first { $0.pod.name == observation.pod }?.predictedClusters
                #expect(observation.activeClusters == predicted, "\(observation.pod)")
            }
            #expect(await observer.routeState == .portForward)
            // The pod proxy was asked only by the first reads (at most one batch), not once per sidecar.
            #expect(session.client.requestCount - before <= 4, "\(session.client.requestCount - before) pod-proxy requests")
            let notes = await observer.routeNotes
            #expect(notes.count == 1)
            #expect(notes.first?.contains("the API server cannot reach pod IPs: firewall or NetworkPolicy?") == true, "\(notes)")
            #expect(notes.first?.contains("dial tcp") == true && notes.first?.contains("i/o timeout") == true, "\(notes)")
            await session.shutdown()

            // `meshtrim report` says why once, and every sidecar has its figures.
            let result = try LiveCommandTests.meshtrim(["report", "-A", "-o", "json"], lab: lab)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stderr.components(separatedBy: "cannot reach pod IPs").count == 2, "\(result.stderr)")
            #expect(!result.stderr.contains("not observed"), "\(result.stderr)")
            let rows = try LiveCommandTests.rows(result)
            #expect(rows.filter { $0.activeClusters != nil }.count == keys.count)
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func withoutPodProxyPermissionStatsComeByPortForward() async throws {
        try await withLab(ObservationTests.mesh + ["--fault", "forbid=get:pods/proxy"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            #expect(session.permissions.podProxy == .denied && session.permissions.portForward == .allowed)
            #expect(session.permissions.lines.first == "memory and cluster counts: by port-forward :15090 — pods/proxy not permitted")
            let capture = try await session.capture()
            let keys = ObservationTests.sidecarKeys(capture.snapshot.inventory)
            #expect(capture.failures.isEmpty, "\(capture.failures)")
            #expect(capture.snapshot.observations.count == keys.count)
            #expect(capture.snapshot.observations.allSatisfy { $0.source == "port-forward :15090" && $0.activeClusters != nil })
            #expect(
                capture.notes.filter { $0.contains("pods/proxy not permitted") } == ["memory and cluster counts: by port-forward :15090 — pods/proxy not permitted"],
                "\(capture.notes)")
            await session.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func theRunStopsAskingWhenThePortForwardHangsToo() async throws {
        // Pod network closed and port-forward sessions that do not answer (the kubelets out of reach as well): the
        // first sidecars time out on both ways, the rest are not asked.
        try await withLab(ObservationTests.mesh + ["--fault", "pod-network=unreachable", "--fault", "slow-envoy=8s"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let keys = ObservationTests.sidecarKeys(try await session.loadInventory().inventory)
            try #require(keys.count >= 8)
            let observer = session.makeObserver(concurrency: 3, portForwardConcurrency: 3)
            let (observations, failures) = await observer.observeAll(keys)
            #expect(observations.isEmpty)
            #expect(failures.count == keys.count)
            #expect(await observer.routeState == .stopped)
            let note = await observer.routeNotes.first ?? ""
            #expect(note.contains("nor through a port-forward") && note.contains("kubelets"), "\(note)")
            // At most one batch was read; the rest fail with the one reason, without a request.
            #expect(failures.values.filter { $0.message.contains("stopped asking") }.count >= keys.count - 3, "\(failures.values.map(\.message))")
            await session.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func theRunStopsAskingWhenNoWayReachesTheSidecars() async throws {
        // Pod network closed, and pods/portforward not permitted: nothing can be read.
        try await withLab(ObservationTests.mesh + ["--fault", "pod-network=unreachable", "--fault", "forbid=*:pods/portforward"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            #expect(session.permissions.portForward == .denied)
            let keys = ObservationTests.sidecarKeys(try await session.loadInventory().inventory)
            let before = session.client.requestCount
            let observer = session.makeObserver(concurrency: 2)
            let (observations, failures) = await observer.observeAll(keys)
            #expect(observations.isEmpty)
            #expect(failures.count == keys.count)
            #expect(await observer.routeState == .stopped)
            #expect(session.client.requestCount - before <= 4, "\(session.client.requestCount - before) requests for \(keys.count) sidecars")
            let stopped = failures.values.filter { $0.message.contains("stopped asking") }
            #expect(stopped.count >= keys.count - 3, "\(failures.values.map(\.message))")
            #expect(await observer.routeNotes.first?.contains("pods/portforward is not permitted") == true)
            await session.shutdown()
        }
    }
}

/// The lab faults that model a closed pod network and lingering port-forward streams parse as documented.
struct PodNetworkFaultParsingTests {
    @Test func parsesTheFaults() throws {
        #expect(try LabFaults.parse(["pod-network=unreachable"]).podNetwork == .unreachable)
        #expect(try LabFaults.parse(["pod-network=refused"]).podNetwork == .refused)
        #expect(try LabFaults.parse(["port-forward=linger"]).portForwardLinger == .seconds(1))
        #expect(try LabFaults.parse(["port-forward=linger=2500ms"]).portForwardLinger == .milliseconds(2500))
        #expect(try !LabFaults.parse(["pod-network=refused"]).isEmpty)
        for bad in ["pod-network", "pod-network=down", "port-forward=close", "port-forward=linger=soon"] {
            #expect(throws: LabError.self, "\(bad)") { try LabFaults.parse([bad]) }
        }
    }
}
