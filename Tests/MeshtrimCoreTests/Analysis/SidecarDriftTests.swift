import Foundation
import Testing

@testable import MeshtrimCore

/// Drift on Istio's Bookinfo sample (real fixture, traffic as in ``EgressRecommenderTests``): productpage calls
/// details, reviews and httpbin.org (through PassthroughCluster); every reviews pod calls ratings.
@Suite("SidecarDrift")
struct SidecarDriftTests {
    static let details = EgressRecommenderTests.details
    static let reviews = EgressRecommenderTests.reviews
    static let ratings = EgressRecommenderTests.ratings
    static let productpage = EgressRecommenderTests.productpage

    static func sidecar(_ name: String, _ namespace: String, hosts: [String], app: String? = nil) -> String {
        let selector = app.map { "\n  workloadSelector:\n    labels:\n      app: \($0)" } ?? ""
        return """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:\(selector)
              egress:
              - hosts: [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]
            ---

            """
    }

    /// Bookinfo with these Sidecars added.
    static func analysis(_ sidecars: String) throws -> MeshAnalysis {
        let base = try EgressRecommenderTests.bookinfo()
        var inventory = base.inventory
        inventory.sidecars += try MeshtrimCoreTests.inventory(sidecars).sidecars
        return MeshAnalysis(
            inventory: inventory, observations: base.pods.compactMap(\.observation), source: "test")
    }

    /// A namespace Sidecar that imports productpage (never called) but not ratings (called by every reviews pod).
    static let stale = sidecar(
        "default", "default", hosts: ["default/\(details)", "default/\(reviews)", "default/\(productpage)", "istio-system/*"])

    @Test("New dependencies: a service outside the hosts and traffic through PassthroughCluster; trim candidates with their cost")
    func newDependenciesAndTrimCandidates() throws {
        let analysis = try Self.analysis(Self.stale)
        let drifts = SidecarDriftAnalyzer(analysis: analysis).drift(namespaces: nil)
        #expect(drifts.count == 1)
        let drift = try #require(drifts.first)
        #expect(drift.sidecar.meta.qualifiedName == "default/default")
        #expect(drift.namespace == "default")
        #expect(drift.pods.count == analysis.pods(in: "default").filter(\.pod.hasSidecarProxy).count)
        #expect(drift.newDependencies.map(\.host) == ["default/\(Self.ratings)", "httpbin.org"])
        let ratings = try #require(drift.newDependencies.first)
        #expect(ratings.kind == .notImported)
        #expect(ratings.requests == 100 * analysis.inventory.pods.filter { $0.labels["app"] == "reviews" }.count)
        #expect(ratings.pods.allSatisfy { $0.hasPrefix("reviews") })
        #expect(ratings.reason.contains("no egress host of the Sidecar imports default/\(Self.ratings)"))
        let httpbin = try #require(drift.newDependencies.last)
        #expect(httpbin.kind == .unknown)
        #expect(httpbin.reason.contains("PassthroughCluster"))

        #expect(drift.trimCandidates.map(\.host) == ["default/\(Self.productpage)"])
        let candidate = try #require(drift.trimCandidates.first)
        #expect(candidate.clusters == 1)  // productpage has one port and no DestinationRule
        #expect(candidate.importedBecause == "egress host default/\(Self.productpage)")
        #expect(candidate.bytesPerProxy == Int(analysis.memoryModel.bytesPerCluster.rounded()))
        #expect(candidate.totalBytes == candidate.bytesPerProxy * drift.pods.count)
        #expect(drift.shortSummary == "+2 −1")
    }

    @Test("The suggestion is recommend's decision applied to the Sidecar as it is; applied, nothing registered is missing")
    func suggestionIsRecommendsDecisionAsADiff() throws {
        let analysis = try Self.analysis(Self.stale)
        let drift = try #require(SidecarDriftAnalyzer(analysis: analysis).drift(namespaces: ["default"]).first)
        let recommender = EgressRecommender(analysis: analysis)
        let recommended = recommender.recommend(
            namespace: "default", workloadSelector: nil,
            evidence: recommender.counterEvidence(namespace: "default", workloadSelector: nil), options: .init(name: "default"))
        let suggestion = try #require(drift.suggestion)
        #expect(suggestion.hostNames == recommended.hostNames)
        #expect(suggestion.manifest.replacing == drift.sidecar)
        #expect(drift.diff.first == "--- default/default (in the mesh)")
        #expect(drift.diff.contains { $0.hasPrefix("+") && $0.contains(Self.ratings) })
        #expect(drift.diff.contains { $0.hasPrefix("-") && $0.contains(Self.productpage) })

        // With the suggestion in place, the only drift left is what no Sidecar can import.
        var inventory = analysis.inventory
        inventory.sidecars = [suggestion.manifest.sidecar]
        let after = MeshAnalysis(inventory: inventory, observations: analysis.pods.compactMap(\.observation), source: "test")
        let again = try #require(SidecarDriftAnalyzer(analysis: after).drift(namespaces: nil).first)
        #expect(again.newDependencies.map(\.kind) == [.unknown])
        #expect(again.trimCandidates.isEmpty)
        #expect(again.diff.isEmpty)
    }

    @Test("A workload Sidecar governs its pods: their traffic is its drift, not the namespace Sidecar's")
    func workloadSidecarTakesItsPods() throws {
        let workload = Self.sidecar("reviews", "default", hosts: ["default/\(Self.ratings)", "istio-system/*"], app: "reviews")
        let analysis = try Self.analysis(Self.stale + workload)
        let drifts = SidecarDriftAnalyzer(analysis: analysis).drift(namespaces: nil)
        #expect(drifts.map(\.sidecar.meta.qualifiedName) == ["default/default", "default/reviews"])
        let namespaceWide = try #require(drifts.first)
        #expect(!namespaceWide.pods.contains { $0.hasPrefix("reviews") })
        #expect(namespaceWide.newDependencies.map(\.host) == ["httpbin.org"])
        let reviews = try #require(drifts.last)
        #expect(reviews.pods.allSatisfy { $0.hasPrefix("reviews") } && !reviews.pods.isEmpty)
        #expect(reviews.newDependencies.isEmpty)
        #expect(reviews.trimCandidates.isEmpty)
        #expect(reviews.suggestion?.manifest.workloadSelector == ["app": "reviews"])
    }

    @Test("The mesh-wide default gets drift per namespace but no suggestion; traffic through a catch-all naming a service is that service")
    func meshDefaultHasNoSuggestion() throws {
        let analysis = try Self.analysis(Self.sidecar("default", "istio-system", hosts: ["./*"]))
        let drift = try #require(SidecarDriftAnalyzer(analysis: analysis).drift(namespaces: nil).first)
        #expect(drift.sidecar.meta.qualifiedName == "istio-system/default")
        #expect(drift.namespace == "default")
        #expect(drift.suggestion == nil && drift.diff.isEmpty)
        #expect(drift.notes.contains { $0.contains("mesh-wide default") && $0.contains("meshtrim recommend -n default") })

        let through = ObservedDestination(host: Self.ratings, namespace: "default", requests: 3, serviceName: "BlackHoleCluster")
        let analyzer = SidecarDriftAnalyzer(analysis: analysis)
        guard case .service(let service, let via) = analyzer.classify(
            through, proxyNamespace: "default", recommender: EgressRecommender(analysis: analysis))
        else {
            Issue.record("a catch-all naming a registry host is that service")
            return
        }
        #expect(service.hostname == Self.ratings)
        #expect(via == "BlackHoleCluster")
    }

    @Test("Without any observed pod (manifests) every import is a candidate but no update is suggested")
    func noTrafficNoSuggestion() throws {
        let observed = try Self.analysis(Self.stale)
        let analysis = MeshAnalysis(inventory: observed.inventory, observations: [], source: "manifests")
        let drift = try #require(SidecarDriftAnalyzer(analysis: analysis).drift(namespaces: nil).first)
        #expect(drift.newDependencies.isEmpty)
        #expect(Set(drift.trimCandidates.map(\.host)) == Set([Self.details, Self.reviews, Self.productpage].map { "default/\($0)" }))
        #expect(drift.unobservedPods == drift.pods)
        #expect(drift.suggestion == nil && drift.diff.isEmpty)
        #expect(drift.notes.contains("no pod of default/default was observed, so there is no traffic to base an update on"))
    }
}
