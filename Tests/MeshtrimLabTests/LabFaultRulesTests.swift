import Foundation
import Testing

@testable import MeshtrimLab

/// The lab's deterministic faults (`fail-first`, `truncate-first`, `garble-first`): which requests they take and
/// that each takes exactly its count.
struct LabFaultRulesTests {
    @Test func takesTheFirstNMatchingRequestsOnly() throws {
        let faults = try LabFaults.parse(["fail-first=2:GET:pods", "truncate-first=1:write:sidecars", "garble-first=1:dry-run:*"])
        #expect(!faults.isEmpty)
        let pods = "/api/v1/namespaces/shop/pods"
        let sidecar = "/apis/networking.istio.io/v1/namespaces/shop/sidecars/default"
        #expect(faults.injection(method: "GET", path: "/api/v1/namespaces", isDryRun: false) == nil)
        #expect(faults.injection(method: "GET", path: pods, isDryRun: false) == .fail)
        #expect(faults.injection(method: "GET", path: "/api/v1/namespaces/shop/pods/web-1/proxy/stats", isDryRun: false) == .fail)
        #expect(faults.injection(method: "GET", path: pods, isDryRun: false) == nil, "only the first two")
        #expect(faults.injection(method: "PATCH", path: sidecar, isDryRun: true) == .garble)
        #expect(faults.injection(method: "PATCH", path: sidecar, isDryRun: true) == nil)
        #expect(faults.injection(method: "PATCH", path: sidecar, isDryRun: false) == .truncate)
        #expect(faults.injection(method: "PATCH", path: sidecar, isDryRun: false) == nil)
        // Copies share the counts (the server hands the faults to several handlers).
        let copy = try LabFaults.parse(["fail-first=1:*:version"])
        let other = copy
        #expect(copy.injection(method: "GET", path: "/version", isDryRun: false) == .fail)
        #expect(other.injection(method: "GET", path: "/version", isDryRun: false) == nil)
    }

    @Test(arguments: ["fail-first=2:GET", "fail-first=x:GET:pods", "garble-first=1:FETCH:pods", "truncate-first=-1:GET:pods"])
    func refusesMalformedRules(_ specification: String) {
        #expect(throws: LabError.self) { try LabFaults.parse([specification]) }
    }

    @Test func resourceOfAPath() {
        #expect(LabFaults.resource(of: "/api/v1/namespaces") == "namespaces")
        #expect(LabFaults.resource(of: "/api/v1/namespaces/shop") == "namespaces")
        #expect(LabFaults.resource(of: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") == "selfsubjectaccessreviews")
        #expect(LabFaults.resource(of: "/apis/networking.istio.io/v1/sidecars") == "sidecars")
    }
}
