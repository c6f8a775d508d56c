import Foundation
import MeshtrimTestSupport
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `meshtrim recommend` against the lab: from the sidecars' own counters and through a real Prometheus that scrapes
/// the lab's sidecars via the API server's pod proxy. The expectation is computed from the lab's scenario (the
/// same generator, seed and sizes), never written down.
@Suite(.timeLimit(.minutes(4)))
struct RecommendTests {
    static let sizes = (namespaces: 4, services: 20, pods: 12, seed: UInt64(5))
    static let mesh = [
        "--namespaces", "\(sizes.namespaces)", "--services", "\(sizes.services)", "--pods", "\(sizes.pods)", "--seed", "\(sizes.seed)",
    ]

    /// The recommendation's JSON (the keys tests read).
    struct Output: Decodable {
        struct Host: Decodable {
            var host: String
            var reason: String
            var requests: Int
            var pods: [String]
            var kind: String
            var services: [String]
            var lastSeen: String?
        }
        struct Unknown: Decodable {
            var host: String
            var requests: Int
        }
        struct Inferred: Decodable {
            var host: String
        }
        var hosts: [Host]
        var unknownDestinations: [Unknown]
        var sidecar: String
        var inferred: [Inferred]
        var window: String?
        var source: String
    }

    /// The lab's scenario, built as `meshtrim lab` builds it.
    static func scenario() throws -> LabScenario {
        try LabScenario.generated(namespaces: sizes.namespaces, services: sizes.services, pods: sizes.pods, seed: sizes.seed)
    }

    /// The namespace whose pods send traffic to the most distinct services.
    static func busiestNamespace(_ scenario: LabScenario) throws -> String {
        var destinations: [String: Set<String>] = [:]
        for pod in scenario.inventory.pods where pod.hasSidecar {
            for destination in scenario.traffic(namespace: pod.namespace, pod: pod.name) {
                destinations[pod.namespace, default: []].insert(destination.host)
            }
        }
        return try #require(destinations.max { $0.value.count < $1.value.count }?.key)
    }

    /// Per destination host, the scenario's pods in `namespace` that call it.
    static func expectedTraffic(_ scenario: LabScenario, namespace: String) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for pod in scenario.inventory.pods where pod.namespace == namespace && pod.hasSidecar {
            for destination in scenario.traffic(namespace: namespace, pod: pod.name) { result[destination.host, default: []].insert(pod.name) }
        }
        return result
    }

    /// Checks a recommendation against the scenario: the services it covers are exactly the scenario's destinations,
    /// each with the pods that call it, and the Sidecar it prints imports (explicitly) nothing else but the istiod
    /// namespace.
    static func check(_ output: Output, scenario: LabScenario, namespace: String, minimumRequests: Bool) throws {
        let expected = expectedTraffic(scenario, namespace: namespace)
        #expect(!expected.isEmpty)
        let istiodNamespace = scenario.inventory.istiodNamespace
        #expect(output.hosts.last?.host == "\(istiodNamespace)/*")
        var covered: [String: Set<String>] = [:]
        for host in output.hosts {
            for service in host.services { covered[service, default: []].formUnion(host.pods) }
            #expect(host.reason.contains(host.kind == "istiodNamespace" ? "istiod namespace" : "request"), "\(host.reason)")
        }
        #expect(Set(covered.keys) == Set(expected.keys), "covered \(covered.keys.sorted()) expected \(expected.keys.sorted())")
        for (host, pods) in expected { #expect(covered[host] == pods, "\(host)") }
        #expect(output.unknownDestinations.isEmpty)
        if minimumRequests {
            for host in output.hosts where host.kind == "observed" {
                let scenarioRequests = scenario.inventory.pods.filter { $0.namespace == namespace }
                    .flatMap { scenario.traffic(namespace: namespace, pod: $0.name) }.filter { $0.host == host.services[0] }
                    .reduce(0) { $0 + $1.requests }
                #expect(host.requests >= scenarioRequests, "\(host.host): counters only grow from the scenario's numbers")
            }
        }
        // What the printed Sidecar imports, by the scope engine: exactly the traffic, plus the istiod namespace.
        let document = try #require(try SidecarDocumentReader.read(output.sidecar).sidecars.first)
        let engine = ScopeEngine(inventory: scenario.inventory)
        let scope = engine.outboundScope(namespace: namespace, labels: [:], sidecar: document.sidecar)
        var explicit = Set<String>()
        var inferred = Set<String>()
        for service in scope.services {
            switch service.reason {
            case .egressHost: if service.service.namespace != istiodNamespace { explicit.insert(service.service.hostname) }
            case .virtualService: inferred.insert(service.service.hostname)
            default: break
            }
        }
        #expect(explicit == Set(expected.keys), "the Sidecar imports something without traffic: \(explicit.subtracting(expected.keys).sorted())")
        #expect(Set(output.inferred.map { String($0.host.split(separator: "/").last ?? "") }) == inferred.subtracting(explicit))
    }

    static func meshtrim(_ arguments: [String], lab: LabRun) throws -> ProcessResult {
        try runProcess([try meshtrimBinaryPath()] + arguments, environment: ["KUBECONFIG": lab.kubeconfig], timeout: .seconds(90))
    }

    @Test("From the sidecars' counters: exactly the lab's traffic plus the istiod namespace", .enabled(if: shouldRunTests(needing: "kubectl")))
    func fromSidecarCounters() async throws {
        let scenario = try Self.scenario()
        let namespace = try Self.busiestNamespace(scenario)
        try await withLab(Self.mesh, envoy: true) { lab in
            let result = try Self.meshtrim(["recommend", "-n", namespace, "-o", "json"], lab: lab)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
            try Self.check(output, scenario: scenario, namespace: namespace, minimumRequests: true)
            #expect(output.window == nil)

            // The default output is the same Sidecar behind # reasons, and meshtrim validate accepts it as is.
            let yaml = try Self.meshtrim(["recommend", "-n", namespace], lab: lab)
            #expect(yaml.exitCode == 0, "\(yaml.stderr)")
            #expect(yaml.stdout.hasSuffix(output.sidecar))
            let comments = yaml.stdout.split(separator: "\n").prefix { $0.hasPrefix("#") }
            #expect(comments.count >= output.hosts.count + 3)
            let file = "\(lab.directory)/recommended.yaml"
            try yaml.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let validated = try runProcess([try meshtrimBinaryPath(), "validate", file])
            #expect(validated.exitCode == 0, "\(validated.stdout)\(validated.stderr)")
        }
    }

    @Test(
        "Through a real Prometheus scraping the lab: same answer, and increase() survives an Envoy restart",
        .enabled(if: shouldRunTests(needing: "prometheus") && shouldRunTests(needing: "kubectl")))
    func throughPrometheus() async throws {
        try requireTool("prometheus")
        let scenario = try Self.scenario()
        let namespace = try Self.busiestNamespace(scenario)
        try await withLab(Self.mesh, envoy: true) { lab in
            let prometheus = try PrometheusRun(lab: lab, pods: scenario.inventory.pods.filter { $0.hasSidecar })
            defer { prometheus.stop() }
            try await prometheus.waitUntilReady()
            let client = try PrometheusClient(url: prometheus.url, token: nil)
            let window = try PrometheusWindow("5m")
            let analysis = MeshAnalysis(inventory: scenario.inventory, observations: [], source: "scenario")
            let recommender = EgressRecommender(analysis: analysis)
            let expected = Set(Self.expectedTraffic(scenario, namespace: namespace).keys)

            // Wait until every destination has a counted increase (two scrapes of each target at least).
            var evidence = TrafficEvidence(records: [], source: "")
            let deadline = ContinuousClock.now + .seconds(45)
            while ContinuousClock.now < deadline {
                evidence = try await PrometheusTraffic(client: client, window: window).evidence(namespace: namespace, recommender: recommender)
                if Set(evidence.records.map(\.destination.host)) == expected, evidence.records.allSatisfy({ $0.destination.lastSeen != nil }) {
                    break
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(Set(evidence.records.map(\.destination.host)) == expected, "Prometheus never saw all of the lab's traffic:\n\(prometheus.log)")
            #expect(evidence.records.allSatisfy { !$0.sourcePods.isEmpty }, "every source workload maps to the lab's pods")
            for record in evidence.records {
                let lastSeen = try #require(record.destination.lastSeen, "\(record.destination.host): no last seen")
                #expect(abs(lastSeen.timeIntervalSinceNow) < 120, "\(record.destination.host) last seen \(lastSeen)")
            }

            // A counter reset: kill one Envoy of the namespace; the lab restarts it and its counters start from 0.
            let sourcePod = try #require(evidence.records.first?.sourcePods.first)
            let restartQuery = "sum({__name__=~\"istio_requests_total|istio_tcp_connections_opened_total\", pod=\"\(sourcePod)\"})"
            let increaseQuery = "sum(increase({__name__=~\"istio_requests_total|istio_tcp_connections_opened_total\", pod=\"\(sourcePod)\"}[5m]))"
            let rawBefore = try #require(try await client.query(restartQuery).first?.value)
            let increaseBefore = try #require(try await client.query(increaseQuery).first?.value)
            let kube = try await KubeClient.connect(try lab.access())
            let envoy = try #require(try await ObservationTests.status(kube).first { $0.namespace == namespace && $0.pods.contains(sourcePod) })
            let pid = try #require(envoy.pid)
            kill(pid, SIGKILL)
            var rawAfter = rawBefore
            var increaseAfter = 0.0
            let resetDeadline = ContinuousClock.now + .seconds(40)
            while ContinuousClock.now < resetDeadline {
                try await Task.sleep(for: .seconds(1))
                guard let raw = try await client.query(restartQuery).first?.value else { continue }
                rawAfter = raw
                increaseAfter = try await client.query(increaseQuery).first?.value ?? 0
                if rawAfter < rawBefore, increaseAfter > increaseBefore { break }
            }
            await kube.shutdown()
            #expect(rawAfter < rawBefore, "the raw counter restarted from zero (\(rawBefore) → \(rawAfter))")
            #expect(increaseAfter > increaseBefore, "increase() kept counting across the reset (\(increaseBefore) → \(increaseAfter))")

            // The real binary through Prometheus: the same decision as from the counters.
            let result = try Self.meshtrim(
                ["recommend", "-n", namespace, "--prometheus", prometheus.url, "--window", "5m", "-o", "json"], lab: lab)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
            try Self.check(output, scenario: scenario, namespace: namespace, minimumRequests: false)
            #expect(output.window == "5m")
            #expect(output.hosts.filter { $0.kind != "istiodNamespace" }.allSatisfy { $0.lastSeen != nil && $0.reason.contains("last seen") })
            #expect(output.source == "prometheus \(prometheus.url)")

            // Errors a person can act on: a bad query, a wrong path, nothing listening.
            await #expect(throws: PrometheusError.self) { _ = try await client.query("sum(") }
            do {
                _ = try await client.query("sum(")
            } catch let error as PrometheusError {
                #expect(error.kind == .query)
                #expect(error.message.contains("bad_data"))
            }
            let wrongPath = try PrometheusClient(url: prometheus.url + "/graph", token: nil)
            do {
                _ = try await wrongPath.query("up")
                Issue.record("a UI path answered like the query API")
            } catch let error as PrometheusError {
                #expect([.http, .badResponse].contains(error.kind), "\(error)")
            }
            await wrongPath.shutdown()
            let nothing = try PrometheusClient(url: "http://127.0.0.1:\(try PrometheusRun.freePort())", token: "secret-token-value")
            do {
                _ = try await nothing.query("up")
                Issue.record("a closed port answered")
            } catch let error as PrometheusError {
                #expect(error.kind == .unreachable)
                #expect(!error.message.contains("secret-token-value"))
            }
            await nothing.shutdown()
            // Behind a proxy that wants a bearer token: none, a wrong one, the right one from a file or the environment.
            let token = "prometheus-token-\(UUID().uuidString)"
            let guarded = try await BearerProxy.start(upstream: prometheus.url, token: token)
            for (candidate, kind, hint) in [(nil, 401, "needs a bearer token"), ("wrong-\(token)", 403, "was rejected")] as [(String?, Int, String)] {
                let unauthorized = try PrometheusClient(url: guarded.url, token: candidate)
                do {
                    _ = try await unauthorized.query("vector(1)")
                    Issue.record("the proxy let a request without the right token through")
                } catch let error as PrometheusError {
                    #expect(error.kind == .unauthorized && error.statusCode == kind && error.message.contains(hint), "\(error)")
                    #expect(!error.message.contains(token))
                }
                await unauthorized.shutdown()
            }
            let tokenFile = "\(lab.directory)/prometheus-token"
            try write(token + "\n", to: tokenFile)
            let withFile = try Self.meshtrim(
                ["recommend", "-n", namespace, "--prometheus", guarded.url, "--prometheus-token-file", tokenFile, "--window", "5m", "-o", "json"],
                lab: lab)
            #expect(withFile.exitCode == 0, "\(withFile.stderr)")
            try Self.check(
                try JSONDecoder().decode(Output.self, from: Data(withFile.stdout.utf8)), scenario: scenario, namespace: namespace,
                minimumRequests: false)
            let fromEnvironment = try runProcess(
                [try meshtrimBinaryPath(), "recommend", "-n", namespace, "--prometheus", guarded.url, "--window", "5m", "-o", "table"],
                environment: ["KUBECONFIG": lab.kubeconfig, "MESHTRIM_PROMETHEUS_TOKEN": token], timeout: .seconds(90))
            #expect(fromEnvironment.exitCode == 0, "\(fromEnvironment.stderr)")
            let withoutToken = try Self.meshtrim(["recommend", "-n", namespace, "--prometheus", guarded.url], lab: lab)
            #expect(withoutToken.exitCode == 1 && withoutToken.stderr.contains("--prometheus-token-file"), "\(withoutToken.stderr)")
            for output in [withFile, fromEnvironment, withoutToken] { #expect(!(output.stdout + output.stderr).contains(token)) }
            await guarded.stop()

            let refused = try Self.meshtrim(["recommend", "-n", namespace, "--prometheus", "http://127.0.0.1:\(try PrometheusRun.freePort())"], lab: lab)
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("cannot reach Prometheus"), "\(refused.stderr)")
            await client.shutdown()
        }
    }

    @Test("Prometheus answers: vectors, status:error, garbage; windows; tokens")
    func prometheusParsing() throws {
        let vector = Data(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"destination_service":"a.b.svc.cluster.local"},"value":[1700000000.5,"41.9"]},{"metric":{},"value":[1700000000.5,"NaN"]}]}}"#.utf8)
        let series = try PrometheusSeries.decodeVector(vector)
        #expect(series.count == 2)
        #expect(series[0].labels["destination_service"] == "a.b.svc.cluster.local")
        #expect(series[0].value == 41.9)
        #expect(series[0].timestamp == Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(series[1].value.isNaN)
        #expect(throws: PrometheusError(.query, statusCode: 400, "Prometheus refused the query (bad_data): parse error")) {
            try PrometheusSeries.decodeVector(Data(#"{"status":"error","errorType":"bad_data","error":"parse error"}"#.utf8), statusCode: 400)
        }
        for garbage in ["<html>Grafana</html>", "", #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#, "{\"status\":\"success\"}"] {
            #expect(throws: PrometheusError.self) { try PrometheusSeries.decodeVector(Data(garbage.utf8)) }
        }
        for element in [#"{"metric":{},"value":[1,2]}"#, #"{"metric":{},"value":[1]}"#, #"{"value":[1,"2"]}"#] {
            let answer = #"{"status":"success","data":{"resultType":"vector","result":["# + element + "]}}"
            #expect(throws: PrometheusError(.badResponse, statusCode: 200, #"a Prometheus result element is not {metric, value: [time, "number"]}"#)) {
                try PrometheusSeries.decodeVector(Data(answer.utf8))
            }
        }
        #expect(try PrometheusWindow("7d").seconds == 7 * 86_400)
        #expect(try PrometheusWindow("1h30m").seconds == 5_400)
        for bad in ["", "7", "d", "7days", "-1d", "0s"] { #expect(throws: PrometheusError.self) { try PrometheusWindow(bad) } }
        #expect(
            PrometheusTraffic.lastSeenQuery(metric: "istio_requests_total", namespace: "shop", window: try PrometheusWindow("7d"))
                == "max by (source_workload_namespace, source_workload, destination_service, destination_service_namespace, destination_service_name) "
                + "(max_over_time((timestamp(sum by (source_workload_namespace, source_workload, destination_service, destination_service_namespace, destination_service_name) "
                + "(increase(istio_requests_total{reporter=\"source\", source_workload_namespace=\"shop\"}[2420s])) > 0))[7d:1210s]))")
        #expect(
            PrometheusTraffic.query(metric: "istio_requests_total", namespace: "shop", window: try PrometheusWindow("7d"))
                == "sum by (source_workload_namespace, source_workload, destination_service, destination_service_namespace, destination_service_name) "
                + "(increase(istio_requests_total{reporter=\"source\", source_workload_namespace=\"shop\"}[7d]))")
        let directory = try makeTemporaryDirectory("meshtrim-prometheus-token")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write("  abc.def\n", to: "\(directory)/token")
        #expect(try PrometheusClient.token(file: "\(directory)/token", environment: ["MESHTRIM_PROMETHEUS_TOKEN": "env"]) == "abc.def")
        #expect(try PrometheusClient.token(file: nil, environment: ["MESHTRIM_PROMETHEUS_TOKEN": "env"]) == "env")
        #expect(try PrometheusClient.token(file: nil, environment: [:]) == nil)
        #expect(throws: PrometheusError.self) { try PrometheusClient.token(file: "\(directory)/missing", environment: [:]) }
        #expect(throws: PrometheusError.self) { try PrometheusClient(url: "prometheus:9090", token: nil) }
    }
}
