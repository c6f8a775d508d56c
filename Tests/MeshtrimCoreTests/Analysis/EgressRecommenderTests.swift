import Foundation
import Testing

@testable import MeshtrimCore
import MeshtrimFiles

/// The recommender on Istio's Bookinfo sample (real fixture) plus small inline meshes for the edge cases.
@Suite("EgressRecommender")
struct EgressRecommenderTests {
    static let details = "details.default.svc.cluster.local"
    static let reviews = "reviews.default.svc.cluster.local"
    static let ratings = "ratings.default.svc.cluster.local"
    static let productpage = "productpage.default.svc.cluster.local"
    static let seen = Date(timeIntervalSince1970: 1_767_225_600)

    /// Bookinfo's manifests, one running sidecar pod per Deployment, and observations of who calls whom.
    static func bookinfo(extra: [ProxyObservation] = [], extraYAML: String = "") throws -> MeshAnalysis {
        let set = try ManifestLoader.load(paths: [Fixtures.istio("samples/bookinfo/platform/kube/bookinfo.yaml").path])
        var inventory = set.inventory
        if !extraYAML.isEmpty {
            let more = try MeshtrimCoreTests.inventory(extraYAML)
            inventory.services += more.services
            inventory.virtualServices += more.virtualServices
            inventory.pods += more.pods
        }
        for index in inventory.pods.indices {
            inventory.pods[index].hasSidecar = true
            inventory.pods[index].phase = "Running"
        }
        func pod(_ app: String) -> String { inventory.pods.first { $0.labels["app"] == app }?.name ?? app }
        let observations = [
            ProxyObservation(
                namespace: "default", pod: pod("productpage"),
                destinations: [
                    ObservedDestination(host: details, namespace: "default", requests: 60),
                    ObservedDestination(host: reviews, namespace: "default", requests: 1_240),
                    ObservedDestination(host: "httpbin.org", namespace: "unknown", requests: 5, serviceName: "PassthroughCluster"),
                ],
                capturedAt: seen, source: "test"),
        ] + inventory.pods.filter { $0.labels["app"] == "reviews" }.map { reviewsPod in
            ProxyObservation(
                namespace: "default", pod: reviewsPod.name,
                destinations: [ObservedDestination(host: ratings, namespace: "default", requests: 100)], capturedAt: seen, source: "test")
        } + extra
        return MeshAnalysis(inventory: inventory, observations: observations, source: "test")
    }

    @Test("Threshold 0.5: 3 of Bookinfo's 4 services used, so default/* plus the istiod namespace")
    func groupsAboveThreshold() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        let evidence = recommender.counterEvidence(namespace: "default", workloadSelector: nil)
        let result = recommender.recommend(namespace: "default", workloadSelector: nil, evidence: evidence, options: .init(groupThreshold: 0.5))
        #expect(result.hostNames == ["default/*", "istio-system/*"])
        let grouped = try #require(result.hosts.first)
        #expect(grouped.kind == .grouped)
        #expect(grouped.services == [Self.details, Self.ratings, Self.reviews])
        #expect(grouped.requests == 60 + 1_240 + 100 * analysis.inventory.pods.filter { $0.labels["app"] == "reviews" }.count)
        #expect(grouped.reason.contains("3 of the 4 services"))
        #expect(grouped.reason.contains("75% ≥ threshold 50%"))
        #expect(grouped.lastSeen == Self.seen)
        #expect(result.manifest.hosts == result.hostNames)
        #expect(result.manifest.name == "default")
        #expect(result.manifest.validate().filter { $0.severity == .error }.isEmpty)
    }

    @Test("The default threshold (1.0) and 0.8 keep one host per service with traffic, with pods, requests and last seen")
    func individualHostsBelowThreshold() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        let evidence = recommender.counterEvidence(namespace: "default", workloadSelector: nil)
        #expect(EgressRecommender.Options().groupThreshold == 1.0)
        let byDefault = recommender.recommend(namespace: "default", workloadSelector: nil, evidence: evidence)
        let result = recommender.recommend(
            namespace: "default", workloadSelector: nil, evidence: evidence, options: .init(groupThreshold: 0.8))
        #expect(byDefault.hostNames == result.hostNames)
        #expect(result.hostNames == ["default/\(Self.details)", "default/\(Self.ratings)", "default/\(Self.reviews)", "istio-system/*"])
        let reviews = try #require(result.hosts.first { $0.host.hasSuffix(Self.reviews) })
        #expect(reviews.kind == .observed)
        #expect(reviews.requests == 1_240)
        #expect(reviews.pods.count == 1 && reviews.pods[0].hasPrefix("productpage"))
        #expect(reviews.reason.hasPrefix("observed: 1,240 requests from 1 pod (productpage"))
        #expect(reviews.reason.contains("last seen 2026-01-01T00:00:00Z"))
        // What the Sidecar imports explicitly is exactly what had traffic plus the istiod namespace.
        let imported = analysis.engine.importedServices(namespace: "default", sidecar: result.manifest.sidecar).services
        let explicit = Set(imported.filter { if case .egressHost = $0.reason { return true } else { return false } }.map(\.service.hostname))
        #expect(explicit == [Self.details, Self.ratings, Self.reviews])
    }

    @Test("--include-own-namespace writes ./* first and folds the namespace's own hosts into it")
    func ownNamespace() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        let evidence = recommender.counterEvidence(namespace: "default", workloadSelector: nil)
        let result = recommender.recommend(
            namespace: "default", workloadSelector: nil, evidence: evidence, options: .init(groupThreshold: 2, includeOwnNamespace: true))
        #expect(result.hostNames == ["./*", "istio-system/*"])
        #expect(result.hosts[0].kind == .ownNamespace)
        #expect(result.hosts[0].services == [Self.details, Self.ratings, Self.reviews])
        #expect(result.hosts[1].kind == .istiodNamespace)
    }

    @Test("PassthroughCluster and hosts outside the registry are reported as unknown, never as egress hosts")
    func unknownDestinations() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        var evidence = recommender.counterEvidence(namespace: "default", workloadSelector: nil)
        let productpage = try #require(analysis.pods(in: "default").first { $0.pod.labels["app"] == "productpage" }).pod.name
        evidence.records.append(
            TrafficRecord(
                sourceNamespace: "default", sourcePods: [productpage],
                destination: ObservedDestination(host: "legacy.corp.example", requests: 7)))
        let result = recommender.recommend(namespace: "default", workloadSelector: nil, evidence: evidence, options: .init(groupThreshold: 2))
        #expect(result.unknownDestinations.map(\.host) == ["legacy.corp.example", "httpbin.org"])
        #expect(result.unknownDestinations.map(\.requests) == [7, 5])
        #expect(result.unknownDestinations[1].reason.contains("PassthroughCluster"))
        #expect(result.unknownDestinations[0].reason.contains("no Service or ServiceEntry"))
        #expect(result.unknownDestinations.allSatisfy { $0.pods == [productpage] })
        #expect(!result.hostNames.contains { $0.contains("httpbin") || $0.contains("legacy") })
        #expect(result.notes.contains { $0.contains("2 unknown destination(s)") && $0.contains("ALLOW_ANY") })
    }

    @Test("A workload selector takes only the selected pods' traffic; the Sidecar is named after the workload")
    func workloadSelector() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        let selector = ["app": "reviews"]
        let evidence = recommender.counterEvidence(namespace: "default", workloadSelector: selector)
        let result = recommender.recommend(namespace: "default", workloadSelector: selector, evidence: evidence)
        // ratings is 1 of 4 services: below the threshold, so a single host.
        #expect(result.groupThreshold == 1.0)
        #expect(result.hostNames == ["default/\(Self.ratings)", "istio-system/*"])
        #expect(result.pods.count == analysis.inventory.pods.filter { $0.labels["app"] == "reviews" }.count)
        #expect(result.hosts[0].pods == result.pods)
        #expect(result.manifest.name == "reviews")
        #expect(result.manifest.workloadSelector == selector)
        #expect(result.unknownDestinations.isEmpty)
    }

    @Test("The editor's observed preset is the recommendation with default options")
    func presetAgreesWithRecommendation() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        for selector in [nil, ["app": "reviews"], ["app": "productpage"]] as [[String: String]?] {
            let evidence = recommender.counterEvidence(namespace: "default", workloadSelector: selector)
            let expected = recommender.recommend(namespace: "default", workloadSelector: selector, evidence: evidence).hostNames
            #expect(analysis.hosts(for: .observedTraffic, namespace: "default", workloadSelector: selector) == expected)
        }
    }

    @Test("Pods without observations are named: their destinations may be missing")
    func unobservedPods() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        let evidence = recommender.counterEvidence(namespace: "default", workloadSelector: nil)
        let observed = Set(analysis.pods(in: "default").filter { $0.observation != nil }.map(\.pod.name))
        let expected = analysis.pods(in: "default").map(\.pod.name).filter { !observed.contains($0) }
        #expect(!expected.isEmpty)
        let result = recommender.recommend(namespace: "default", workloadSelector: nil, evidence: evidence)
        #expect(result.unobservedPods == expected)
        #expect(result.notes.contains { $0.contains("not observed") })
    }

    @Test("Services a used VirtualService routes to are explained, not added as hosts")
    func virtualServiceInferred() throws {
        let yaml = """
            \(service("front", "web", ports: [8080]))\
            \(service("back", "api", ports: [8080]))\
            \(service("other", "api", ports: [8080]))\
            \(service("third", "api", ports: [8080]))\
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: front-routes
              namespace: web
            spec:
              hosts: ["front.web.svc.cluster.local"]
              http:
              - route:
                - destination:
                    host: back.api.svc.cluster.local
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: client-1
              namespace: shop
              labels: {app: client}
            spec:
              containers: [{name: app, image: x}, {name: istio-proxy, image: proxyv2}]
            """
        var inventory = try inventory(yaml)
        for index in inventory.pods.indices { inventory.pods[index].hasSidecar = true }
        let observation = ProxyObservation(
            namespace: "shop", pod: "client-1",
            destinations: [ObservedDestination(host: "front.web.svc.cluster.local", namespace: "web", requests: 9)])
        let analysis = MeshAnalysis(inventory: inventory, observations: [observation], source: "test")
        let recommender = EgressRecommender(analysis: analysis)
        let result = recommender.recommend(
            namespace: "shop", workloadSelector: nil,
            evidence: recommender.counterEvidence(namespace: "shop", workloadSelector: nil), options: .init(groupThreshold: 2))
        #expect(result.hostNames == ["web/front.web.svc.cluster.local", "istio-system/*"])
        #expect(result.inferred.map(\.host) == ["back.api.svc.cluster.local"])
        #expect(result.inferred[0].virtualService == "web/front-routes")
        #expect(result.inferred[0].hasTraffic == false)
        #expect(result.inferred[0].explanation.contains("VirtualService web/front-routes"))
    }

    @Test("A concrete host under a wildcard ServiceEntry recommends the ServiceEntry's host")
    func wildcardServiceEntry() throws {
        let yaml = """
            \(serviceEntry("google", "egress", host: "*.googleapis.com", ports: [443]))\
            apiVersion: v1
            kind: Pod
            metadata:
              name: uploader-1
              namespace: jobs
              labels: {app: uploader}
            spec:
              containers: [{name: app, image: x}]
            """
        var inventory = try inventory(yaml)
        for index in inventory.pods.indices { inventory.pods[index].hasSidecar = true }
        let destination = ObservedDestination(host: "storage.googleapis.com", namespace: "egress", requests: 3)
        let analysis = MeshAnalysis(
            inventory: inventory, observations: [ProxyObservation(namespace: "jobs", pod: "uploader-1", destinations: [destination])],
            source: "test")
        #expect(analysis.egressHost(for: destination, proxyNamespace: "jobs") == "egress/*.googleapis.com")
        let recommender = EgressRecommender(analysis: analysis)
        let result = recommender.recommend(
            namespace: "jobs", workloadSelector: nil,
            evidence: recommender.counterEvidence(namespace: "jobs", workloadSelector: nil), options: .init(groupThreshold: 2))
        #expect(result.hostNames == ["egress/*.googleapis.com", "istio-system/*"])
        #expect(result.unknownDestinations.isEmpty)
    }

    @Test("Prometheus-style records by workload map to pods and count since the window's start")
    func workloadRecords() throws {
        let analysis = try Self.bookinfo()
        let recommender = EgressRecommender(analysis: analysis)
        let reviewsPods = recommender.pods(namespace: "default", workload: "reviews-v2")
        #expect(reviewsPods.count == 1)
        // "reviews" is no Deployment but the app label of all three versions.
        #expect(recommender.pods(namespace: "default", workload: "reviews").count == 3)
        #expect(recommender.pods(namespace: "default", workload: "nothing").isEmpty)
        let start = Self.seen.addingTimeInterval(-7 * 86_400)
        let evidence = TrafficEvidence(
            records: [
                TrafficRecord(
                    sourceNamespace: "default", sourcePods: reviewsPods, sourceWorkload: "reviews-v2",
                    destination: ObservedDestination(host: Self.ratings, namespace: "default", requests: 42), countedSince: start),
                TrafficRecord(
                    sourceNamespace: "default", sourcePods: [], sourceWorkload: "gone-v1",
                    destination: ObservedDestination(host: Self.details, namespace: "default", requests: 1), countedSince: start),
                TrafficRecord(
                    sourceNamespace: "default", sourcePods: reviewsPods, sourceWorkload: "reviews-v2",
                    destination: ObservedDestination(host: Self.productpage, namespace: "default", requests: 0), countedSince: start),
            ],
            source: "prometheus", window: "7d")
        let result = recommender.recommend(namespace: "default", workloadSelector: nil, evidence: evidence, options: .init(groupThreshold: 2))
        #expect(result.hostNames == ["default/\(Self.details)", "default/\(Self.ratings)", "istio-system/*"])
        #expect(result.countedSince == start)
        #expect(result.window == "7d")
        #expect(result.notes.contains { $0.contains("gone-v1") })
        // A workload Sidecar ignores traffic it cannot attribute to its pods.
        let scoped = recommender.recommend(namespace: "default", workloadSelector: ["app": "reviews"], evidence: evidence)
        #expect(scoped.hostNames == ["default/\(Self.ratings)", "istio-system/*"])
    }

    @Test("Envoy stats: uptime gives the proxy's start, PassthroughCluster is kept as the service name")
    func envoyStatsUptimeAndPassthrough() throws {
        let text = """
            # TYPE envoy_server_uptime gauge
            envoy_server_uptime{} 3600
            istio_requests_total{reporter="source",destination_service="httpbin.org",destination_service_name="PassthroughCluster",destination_service_namespace="unknown"} 5
            istio_requests_total{reporter="source",destination_service="reviews.default.svc.cluster.local",destination_service_name="reviews",destination_service_namespace="default"} 9
            """
        let stats = EnvoyStats(prometheusText: text)
        #expect(stats.uptimeSeconds == 3600)
        #expect(stats.destinations.map(\.serviceName) == ["PassthroughCluster", nil])
        #expect(stats.destinations[0].isReportedUnknown)
        #expect(!stats.destinations[1].isReportedUnknown)
        var observation = ProxyObservation(namespace: "default", pod: "p", capturedAt: Self.seen)
        stats.apply(to: &observation)
        #expect(observation.proxyStartedAt == Self.seen.addingTimeInterval(-3600))
    }
}
