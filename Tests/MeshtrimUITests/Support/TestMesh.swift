import Foundation
import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// A small, fixed mesh for reducer tests and screen goldens: readable, and every screen has something to show.
///
/// bookinfo (5 pods, default scope, traffic between its services), payments (2 pods, one talks to an external
/// ServiceEntry), shipping (1 pod calling payments), scoped (a namespace Sidecar already in place), legacy (no
/// sidecars) and istio-system (istiod without a sidecar).
enum TestMesh {
    static let mebibyte = 1_048_576

    static func service(_ name: String, _ namespace: String, ports: [ServicePort], selector: [String: String]? = nil) -> MeshService {
        MeshService(
            hostname: "\(name).\(namespace).svc.cluster.local", namespace: namespace, name: name, ports: ports,
            selector: selector ?? ["app": name])
    }

    static func pod(_ name: String, _ namespace: String, labels: [String: String], sidecar: Bool = true, ready: Int = 2) -> Pod {
        Pod(
            meta: ObjectMeta(name: name, namespace: namespace, labels: labels), readyContainers: ready,
            totalContainers: sidecar ? 2 : 1, hasSidecar: sidecar, proxyVersion: sidecar ? "1.31.1" : nil)
    }

    static let http = [ServicePort(number: 9080, name: "http", protocol: "HTTP")]

    static var inventory: MeshInventory {
        let namespaces = ["bookinfo", "payments", "shipping", "scoped", "legacy", "istio-system"].map { name in
            MeshNamespace(meta: ObjectMeta(name: name, labels: name == "legacy" || name == "istio-system" ? [:] : ["istio-injection": "enabled"]))
        }
        var services = [
            service("productpage", "bookinfo", ports: http),
            service("reviews", "bookinfo", ports: http),
            service("ratings", "bookinfo", ports: http),
            service("details", "bookinfo", ports: http),
            service("api", "payments", ports: [ServicePort(number: 8080, name: "http", protocol: "HTTP")]),
            service("ledger", "payments", ports: [ServicePort(number: 5432, name: "tcp-postgres", protocol: "TCP")]),
            service("tracker", "shipping", ports: [ServicePort(number: 8080, name: "http", protocol: "HTTP")]),
            service("web", "scoped", ports: [ServicePort(number: 80, name: "http", protocol: "HTTP")]),
            service("old-app", "legacy", ports: [ServicePort(number: 80, name: "http", protocol: "HTTP")]),
            service(
                "istiod", "istio-system",
                ports: [
                    ServicePort(number: 15010, name: "grpc-xds", protocol: "GRPC"),
                    ServicePort(number: 15012, name: "https-dns", protocol: "HTTPS"),
                    ServicePort(number: 443, name: "https-webhook", protocol: "HTTPS"),
                ]),
        ]
        services.append(
            MeshService(
                hostname: "api.stripe.com", namespace: "payments", name: "stripe",
                ports: [ServicePort(number: 443, name: "tls", protocol: "TLS")], registry: .serviceEntry, resolution: .dnsLB))
        let pods = [
            pod("details-v1-79f774bdb9-6l8qz", "bookinfo", labels: ["app": "details", "version": "v1", "pod-template-hash": "79f774bdb9"]),
            pod("productpage-v1-6b746f74dc-9stvs", "bookinfo", labels: ["app": "productpage", "version": "v1", "pod-template-hash": "6b746f74dc"]),
            pod("ratings-v1-b6994bb9-gl7xh", "bookinfo", labels: ["app": "ratings", "version": "v1"]),
            pod("reviews-v1-545db77b95-kfqzl", "bookinfo", labels: ["app": "reviews", "version": "v1"]),
            pod("reviews-v2-7bf8c9648f-2wcxm", "bookinfo", labels: ["app": "reviews", "version": "v2"], ready: 1),
            pod("istiod-5d4f8c7b9-x2k8p", "istio-system", labels: ["app": "istiod"], sidecar: false, ready: 1),
            pod("old-app-0", "legacy", labels: ["app": "old-app"], sidecar: false, ready: 1),
            pod("api-7d9f6c5b4-h2j3k", "payments", labels: ["app": "api", "tier": "backend"]),
            pod("ledger-0", "payments", labels: ["app": "ledger"]),
            pod("web-6c8d7f-p9q8r", "scoped", labels: ["app": "web"]),
            pod("tracker-5c6d7e-qrs12", "shipping", labels: ["app": "tracker"]),
        ]
        let rules = [
            DestinationRule(meta: ObjectMeta(name: "reviews", namespace: "bookinfo"), host: "reviews", subsets: ["v1", "v2"]),
        ]
        let sidecars = [
            Sidecar(
                meta: ObjectMeta(name: "default", namespace: "scoped"),
                egress: [SidecarEgressListener(hosts: ["./*", "istio-system/*"])]),
        ]
        return MeshInventory(
            namespaces: namespaces, pods: pods, services: services, destinationRules: rules, sidecars: sidecars,
            istioVersion: IstioVersion(major: 1, minor: 31))
    }

    static var observations: [ProxyObservation] {
        func observation(
            _ pod: String, _ namespace: String, allocated: Int, workingSet: Int, clusters: Int? = nil,
            destinations: [ObservedDestination] = []
        ) -> ProxyObservation {
            ProxyObservation(
                namespace: namespace, pod: pod, envoyAllocatedBytes: allocated * mebibyte, envoyHeapBytes: (allocated + 8) * mebibyte,
                envoyPhysicalBytes: (allocated + 12) * mebibyte, workingSetBytes: workingSet * mebibyte, activeClusters: clusters,
                destinations: destinations)
        }
        return [
            observation(
                "productpage-v1-6b746f74dc-9stvs", "bookinfo", allocated: 48, workingSet: 61, clusters: 40,
                destinations: [
                    ObservedDestination(host: "reviews.bookinfo.svc.cluster.local", namespace: "bookinfo", port: 9080, requests: 5_000),
                    ObservedDestination(host: "details.bookinfo.svc.cluster.local", namespace: "bookinfo", port: 9080, requests: 1_200),
                ]),
            observation(
                "reviews-v1-545db77b95-kfqzl", "bookinfo", allocated: 46, workingSet: 58, clusters: 40,
                destinations: [ObservedDestination(host: "ratings.bookinfo.svc.cluster.local", namespace: "bookinfo", port: 9080, requests: 3_000)]),
            observation("details-v1-79f774bdb9-6l8qz", "bookinfo", allocated: 44, workingSet: 55),
            observation(
                "api-7d9f6c5b4-h2j3k", "payments", allocated: 52, workingSet: 70, clusters: 40,
                destinations: [
                    ObservedDestination(host: "ledger.payments.svc.cluster.local", namespace: "payments", port: 5432, requests: 800),
                    ObservedDestination(host: "api.stripe.com", namespace: "payments", port: 443, requests: 300),
                ]),
            observation(
                "tracker-5c6d7e-qrs12", "shipping", allocated: 45, workingSet: 57,
                destinations: [ObservedDestination(host: "api.payments.svc.cluster.local", namespace: "payments", port: 8080, requests: 150)]),
            observation("web-6c8d7f-p9q8r", "scoped", allocated: 12, workingSet: 30, clusters: 14),
        ]
    }

    static let data: MeshData = MeshData(
        analysis: MeshAnalysis(inventory: inventory, observations: observations, source: "test-mesh.json"))

    /// A loaded state at a size.
    static func state(width: Int = 80, height: Int = 24, colorEnabled: Bool = true, readOnly: Bool = false) -> AppState {
        AppState(data: data, width: width, height: height, colorEnabled: colorEnabled, readOnly: readOnly)
    }
}

extension AppState {
    /// Applies keys in order, returning every effect; after each key the state's invariants are checked and every
    /// broken one is recorded as a failure at the line that pressed it (issue #13, item 9).
    @discardableResult
    mutating func press(_ keys: Key..., sourceLocation: SourceLocation = #_sourceLocation) -> [Effect] {
        var effects: [Effect] = []
        for key in keys {
            effects += reduce(&self, .key(key))
            expectInvariants(after: "\(key)", sourceLocation: sourceLocation)
        }
        return effects
    }

    /// Types text into an open prompt, checking the invariants after each character.
    mutating func type(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for character in text {
            _ = reduce(&self, .key(.character(character)))
            expectInvariants(after: "typing \(character)", sourceLocation: sourceLocation)
        }
    }

    /// Records every broken invariant of the state after `action`.
    func expectInvariants(after action: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for problem in checkInvariants() {
            Issue.record("after \(action): \(problem)", sourceLocation: sourceLocation)
        }
    }
}

extension Route {
    /// The detail screen, if this is one (for `#require`).
    var detailScreen: DetailScreen? {
        if case .detail(let detail) = self { return detail }
        return nil
    }

    /// The YAML preview, if this is one (for `#require`).
    var previewScreen: PreviewState? {
        if case .preview(let preview) = self { return preview }
        return nil
    }

    /// The egress editor, if this is one (for `#require`).
    var editorScreen: EditorState? {
        if case .editor(let editor) = self { return editor }
        return nil
    }
}
