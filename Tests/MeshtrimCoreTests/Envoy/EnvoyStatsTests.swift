import Foundation
import Testing

@testable import MeshtrimCore

/// Envoy memory, cluster counts and observed destinations from a sidecar's Prometheus stats.
@Suite("EnvoyStats")
struct EnvoyStatsTests {
    @Test("figures from a realistic scrape")
    func sidecarScrape() {
        let stats = EnvoyStats(prometheusText: PrometheusTextTests.sidecarScrape)
        #expect(stats.memoryAllocatedBytes == 8_788_032)
        #expect(stats.memoryHeapSizeBytes == 12_582_912)
        #expect(stats.memoryPhysicalSizeBytes == 15_657_790)
        #expect(stats.activeClusters == 101)
        #expect(stats.warmingClusters == 0)
        // reporter="source" only, HTTP and TCP summed per service and namespace, histograms ignored.
        #expect(stats.destinations == [
            ObservedDestination(host: "details.bookinfo.svc.cluster.local", namespace: "bookinfo", requests: 60),
            ObservedDestination(host: "httpbin.org", namespace: "unknown", requests: 5, serviceName: "PassthroughCluster"),
            ObservedDestination(host: "mysqldb.bookinfo.svc.cluster.local", namespace: "bookinfo", requests: 3),
            ObservedDestination(host: "reviews.bookinfo.svc.cluster.local", namespace: "bookinfo", requests: 60),
        ])
        #expect(EnvoyStats(PrometheusText(parsing: PrometheusTextTests.sidecarScrape)) == stats)
    }

    @Test("the filtered 15090 answer from the docs (§4.4)")
    func filteredAnswer() {
        let stats = EnvoyStats(prometheusText: """
            # TYPE envoy_cluster_manager_active_clusters gauge
            envoy_cluster_manager_active_clusters{} 101
            # TYPE envoy_server_memory_allocated gauge
            envoy_server_memory_allocated{} 8788032
            """)
        #expect(stats.activeClusters == 101)
        #expect(stats.memoryAllocatedBytes == 8_788_032)
        #expect(stats.memoryHeapSizeBytes == nil)
        #expect(stats.destinations.isEmpty)
    }

    @Test("duplicates, labels, missing namespaces, odd values")
    func edgeCases() {
        let stats = EnvoyStats(samples: [
            PrometheusSample(name: "envoy_server_memory_allocated", labels: ["pod": "a"], value: 1),
            PrometheusSample(name: "envoy_server_memory_allocated", value: 2),
            PrometheusSample(name: "envoy_server_memory_allocated", value: 3),
            PrometheusSample(name: "envoy_server_memory_heap_size", labels: ["pod": "a"], value: 4),
            PrometheusSample(name: "envoy_cluster_manager_active_clusters", value: .nan),
            PrometheusSample(name: "istio_requests_total", labels: ["reporter": "source", "destination_service": "a"], value: 1.4),
            PrometheusSample(name: "istio_requests_total", labels: ["reporter": "source", "destination_service": "a",
                                                                     "destination_service_namespace": ""], value: 1.4),
            PrometheusSample(name: "istio_requests_total", labels: ["reporter": "source", "destination_service": ""], value: 9),
            PrometheusSample(name: "istio_requests_total", labels: ["reporter": "source"], value: 9),
            PrometheusSample(name: "istio_requests_total", labels: ["destination_service": "b"], value: 9),
            PrometheusSample(name: "istio_requests_total", labels: ["reporter": "source", "destination_service": "c"], value: .infinity),
        ])
        #expect(stats.memoryAllocatedBytes == 2)  // the first unlabelled sample wins
        #expect(stats.memoryHeapSizeBytes == 4)  // a labelled one when there is nothing else
        #expect(stats.activeClusters == nil)
        #expect(stats.destinations == [ObservedDestination(host: "a", namespace: nil, requests: 3)])
    }

    @Test("copies into a ProxyObservation without erasing what it lacks")
    func apply() {
        var observation = ProxyObservation(namespace: "bookinfo", pod: "productpage-v1-abc", envoyHeapBytes: 99,
                                           workingSetBytes: 123, source: "pod proxy :15090")
        EnvoyStats(prometheusText: "envoy_server_memory_allocated 10\nenvoy_cluster_manager_active_clusters 7\n")
            .apply(to: &observation)
        #expect(observation.envoyAllocatedBytes == 10)
        #expect(observation.envoyHeapBytes == 99)
        #expect(observation.activeClusters == 7)
        #expect(observation.workingSetBytes == 123)
        #expect(observation.destinations.isEmpty)
    }
}
