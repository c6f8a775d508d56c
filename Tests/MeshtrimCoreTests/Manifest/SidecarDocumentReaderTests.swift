import Testing

@testable import MeshtrimCore

/// Reading Sidecars out of manifests, and validating the real Sidecars in Istio's own test data.
@Suite("SidecarDocumentReader")
struct SidecarDocumentReaderTests {
    @Test func readsDocumentsAndListsAndCountsOthers() throws {
        let yaml = """
            # leading comment
            apiVersion: v1
            kind: Namespace
            metadata:
              name: bookinfo
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: default
              namespace: bookinfo
              creationTimestamp: "2024-01-02T03:04:05Z"
            spec:
              egress:
              - hosts: ["./*", "istio-system/*"]
            ---
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: networking.istio.io/v1beta1
              kind: Sidecar
              metadata: {name: reviews, namespace: bookinfo}
              spec:
                workloadSelector: {labels: {app: reviews}}
                egress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  bind: 127.0.0.1
                  captureMode: NONE
                  hosts: [bookinfo/ratings.bookinfo.svc.cluster.local]
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http}
            - apiVersion: v1
              kind: Service
              metadata: {name: reviews}
            - apiVersion: security.istio.io/v1
              kind: Sidecar
              metadata: {name: not-networking}
            """
        let set = try SidecarDocumentReader.read(yaml)
        #expect(set.sidecars.map(\.sidecar.meta.qualifiedName) == ["bookinfo/default", "bookinfo/reviews"])
        #expect(set.otherObjectCount == 3)
        #expect(set.sidecars.map(\.line) == [7, 21])
        let first = try #require(set.sidecars.first)
        #expect(first.sidecar.egress == [SidecarEgressListener(hosts: ["./*", "istio-system/*"])])
        #expect(first.sidecar.meta.creationTimestamp?.timeIntervalSince1970 == 1_704_164_645)
        let second = try #require(set.sidecars.last)
        #expect(second.sidecar.workloadSelector == LabelSelector(["app": "reviews"]))
        #expect(second.sidecar.egress.first?.port == SidecarPort(number: 9080, protocol: "HTTP", name: "http"))
        #expect(second.sidecar.ingressPorts == [SidecarPort(number: 9080, protocol: "HTTP", name: "http")])
        #expect(second.details.egressBinds == [0: "127.0.0.1"])
        #expect(second.details.egressCaptureModes == [0: "NONE"])
        #expect(SidecarValidator().validate(second.sidecar, details: second.details).isEmpty)
    }

    @Test func keepsWhatTheModelCannotHold() throws {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: odd, namespace: ns}
            spec:
              egress:
              - null
              - hosts: ["./*", ~, "~/*"]
              ingress:
              - defaultEndpoint: 127.0.0.1:8080
              - port: {number: 8080}
              outboundTrafficPolicy:
                egressProxy: {host: proxy.example.com, port: {number: 3128}}
              inboundConnectionPool: {}
            """
        let document = try #require(try SidecarDocumentReader.read(yaml).sidecars.first)
        #expect(document.sidecar.egress == [SidecarEgressListener(hosts: ["./*", "~/*"])])
        #expect(document.sidecar.ingressPorts == [SidecarPort(number: 8080)])
        #expect(document.sidecar.outboundTrafficPolicy == .registryOnly)
        #expect(document.details.outboundTrafficPolicyMode == "")
        #expect(document.details.hasEgressProxy)
        #expect(document.details.hasInboundConnectionPool)
        #expect(document.details.egressListenerIndices == [1])
        #expect(document.details.ingressListenerIndices == [1])
        #expect(document.details.ingressListenerCount == 2)
        #expect(
            document.problems.map(\.description) == [
                "error: spec.egress[0]: egress listener may not be null",
                "error: spec.egress[1].hosts[1] \"\": a host must be a string (quote hosts that start with * or ~, e.g. \"*/*\")",
                "error: spec.ingress[0]: sidecar: port is required for ingress listeners",
            ])
        let validation = SidecarValidator().validate(document.sidecar, details: document.details).map(\.description)
        #expect(
            validation == [
                "warning [MT0102]: spec.egress[1].hosts[1] \"~/*\": excludes every host, so the other hosts of this listener import nothing "
                    + "(remove it, or exclude only what is not needed (e.g. ~ns1/*))",
                "error: spec.outboundTrafficPolicy: sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode",
            ])
    }

    @Test func rawModeIsKept() throws {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: dns, namespace: ns}
            spec:
              egress: [{hosts: ["./*"]}]
              outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}
            """
        let document = try #require(try SidecarDocumentReader.read(yaml).sidecars.first)
        #expect(document.sidecar.outboundTrafficPolicy == nil)
        #expect(document.details.outboundTrafficPolicyMode == "ALLOW_ANY_DYNAMIC_DNS")
        let problems = SidecarValidator().validate(document.sidecar, details: document.details)
        #expect(problems.map(\.severity) == [.error])
    }

    @Test func wrongShapesAreProblemsNotCrashes() throws {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: shapes}
            spec:
              egress: {hosts: ["./*"]}
              workloadSelector: [app]
              ingress:
              - port: {number: eighty}
            """
        let document = try #require(try SidecarDocumentReader.read(yaml).sidecars.first)
        #expect(
            document.problems.map(\.description) == [
                "error: spec.workloadSelector must be a mapping",
                "error: spec.egress must be a list",
                "error: spec.ingress[0]: port number \"eighty\" is not a whole number",
            ])
    }

    @Test func malformedYAMLGivesLineAndColumn() {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            spec:
              egress:
              - hosts:
                - */*
            """
        #expect {
            try SidecarDocumentReader.read(yaml)
        } throws: { error in
            guard let error = error as? SidecarDocumentError else { return false }
            return error.line == 6 && error.column != nil && error.message.hasSuffix("must be quoted, e.g. \"*/*\"")
        }
    }

    // MARK: Istio's own test data

    struct Fixture: Sendable, CustomTestStringConvertible {
        var path: String
        var sidecars: Int
        var others: Int
        var problems: [String]
        var testDescription: String { path }
    }

    static let emptyConfiguration = [
        "error: sidecar: empty configuration provided",
        "warning [MT0003]: no egress listeners: Istio gives the workloads of this namespace egress */* (every service in the mesh); "
            + "it does not fall back to the root namespace's Sidecar (istio/istio#59376) "
            + "(add spec.egress with the hosts they need, e.g. ./* and istio-system/*)",
    ]

    static let fixtures: [Fixture] = [
        Fixture(path: "tests/testdata/networking/sidecar-ns-scope/configs.yaml", sidecars: 1, others: 10, problems: []),
        Fixture(path: "tests/testdata/networking/sidecar-without-service/configs.yaml", sidecars: 2, others: 4, problems: []),
        Fixture(path: "pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml", sidecars: 7, others: 4, problems: []),
        Fixture(
            path: "pkg/config/analysis/analyzers/testdata/sidecar-default-selector.yaml", sidecars: 8, others: 7,
            problems: [
                "ns-ambient/namespace-scoped: " + emptyConfiguration[0], "ns-ambient/namespace-scoped: " + emptyConfiguration[1],
            ]
                + [
                    "ns-ambient/pod-scoped: error: sidecar: empty configuration provided",
                    "ns-ambient/pod-scoped: warning [MT0003]: no egress listeners: Istio gives the selected workloads egress */* "
                        + "(every service in the mesh); it does not fall back to the root namespace's Sidecar (istio/istio#59376) "
                        + "(add spec.egress with the hosts they need, e.g. ./* and istio-system/*)",
                ]
                + emptyConfiguration.map { "ns-not-ambient/namespace-not-ambient: " + $0 }
                + emptyConfiguration.map { "ns-not-ambient-rev/namespace-not-ambient: " + $0 }),
    ]

    @Test("Istio's Sidecars validate as Istio would", arguments: fixtures)
    func validatesIstioFixtures(_ fixture: Fixture) throws {
        let set = try SidecarDocumentReader.read(try Fixtures.istioText(fixture.path))
        #expect(set.sidecars.count == fixture.sidecars)
        #expect(set.otherObjectCount == fixture.others)
        let validator = SidecarValidator()
        let problems = set.sidecars.flatMap { document in
            (document.problems + validator.validate(document.sidecar, details: document.details)).map {
                "\(document.sidecar.meta.qualifiedName): \($0)"
            }
        }
        #expect(problems == fixture.problems)
    }

    @Test func workloadSidecarFixtureDecodesFully() throws {
        let set = try SidecarDocumentReader.read(
            try Fixtures.istioText("tests/testdata/networking/sidecar-without-service/configs.yaml"))
        let consumer = try #require(set.sidecars.last?.sidecar)
        #expect(consumer.meta.qualifiedName == "consumerns/consumerapp")
        #expect(consumer.workloadSelector == LabelSelector(["app": "consumeronly"]))
        #expect(consumer.egress == [SidecarEgressListener(hosts: ["ns1/*"])])
        #expect(consumer.ingressPorts == [SidecarPort(number: 9080, protocol: "HTTP", name: "http-admin")])
    }
}
