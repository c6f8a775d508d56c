import Testing

@testable import MeshtrimCore

/// Istio's `ValidateSidecar` rules and meshtrim's warnings.
@Suite("SidecarValidator")
struct SidecarValidatorTests {
    static let v131 = IstioVersion(major: 1, minor: 31)
    static let v130 = IstioVersion(major: 1, minor: 30)

    static func sidecar(
        _ egress: [SidecarEgressListener], namespace: String = "bookinfo", selector: [String: String]? = nil,
        ingress: [SidecarPort] = [], policy: OutboundTrafficPolicy? = nil
    ) -> Sidecar {
        Sidecar(
            meta: ObjectMeta(name: "default", namespace: namespace), workloadSelector: selector.map(LabelSelector.init),
            egress: egress, ingressPorts: ingress, outboundTrafficPolicy: policy)
    }

    static func listener(_ hosts: String..., port: Int? = nil, protocol: String = "HTTP", name: String = "")
        -> SidecarEgressListener
    {
        SidecarEgressListener(port: port.map { SidecarPort(number: $0, protocol: `protocol`, name: name) }, hosts: hosts)
    }

    /// `severity: location: message` lines, the shape `meshtrim validate` prints.
    static func lines(_ sidecar: Sidecar, version: IstioVersion = v131, details: SidecarValidator.Details = .init()) -> [String] {
        SidecarValidator(version: version).validate(sidecar, details: details).map { problem in
            let place = problem.location.description
            return "\(problem.severity.rawValue): \(place.isEmpty ? "" : place + ": ")\(problem.message)"
        }
    }

    @Test func typicalSidecarIsClean() {
        let sidecar = Self.sidecar(
            [
                Self.listener("istio-system/*", port: 9080, name: "http"),
                Self.listener("./*", "istio-system/*", "*/*.example.com"),
            ],
            selector: ["app": "reviews"], ingress: [SidecarPort(number: 9080, protocol: "HTTP", name: "http")],
            policy: .registryOnly)
        #expect(Self.lines(sidecar).isEmpty)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var sidecar: Sidecar
        var version: IstioVersion = v131
        var details = SidecarValidator.Details()
        var expected: [String]
        var testDescription: String { name }
    }

    static let noEgressWarning =
        "warning: no egress listeners: Istio gives the selected workloads egress */* (every service in the mesh); "
        + "it does not fall back to the root namespace's Sidecar (istio/istio#59376)"
    static let namespaceNoEgressWarning =
        "warning: no egress listeners: Istio gives the workloads of this namespace egress */* (every service in the mesh); "
        + "it does not fall back to the root namespace's Sidecar (istio/istio#59376)"

    static let cases: [Case] = [
        Case(
            name: "empty Sidecar", sidecar: sidecar([]),
            expected: ["error: sidecar: empty configuration provided", namespaceNoEgressWarning]),
        Case(
            name: "workload Sidecar with only ingress",
            sidecar: sidecar([], selector: ["app": "reviews"], ingress: [SidecarPort(number: 9080)]),
            expected: [noEgressWarning]),
        Case(
            name: "catch-all listener not last", sidecar: sidecar([listener("./*"), listener("istio-system/*", port: 80)]),
            expected: [
                "error: spec.egress[0]: sidecar: the egress listener with empty port should be the last listener in the list"
            ]),
        // Istio only counts the catch-all when it is last, so its "only one listener with empty port" error never fires.
        Case(
            name: "two catch-all listeners", sidecar: sidecar([listener("./*"), listener("istio-system/*")]),
            expected: [
                "error: spec.egress[0]: sidecar: the egress listener with empty port should be the last listener in the list"
            ]),
        Case(
            name: "duplicate ports", sidecar: sidecar([listener("./*", port: 80), listener("istio-system/*", port: 80)]),
            expected: ["error: spec.egress[1]: sidecar: ports on IP bound listeners must be unique"]),
        Case(
            name: "port out of range", sidecar: sidecar([listener("./*", port: 70000)]),
            expected: ["error: spec.egress[0]: port number 70000 must be in the range 1..65535"]),
        Case(
            name: "port 0 without a unix socket", sidecar: sidecar([listener("./*", port: 0)]),
            expected: ["error: spec.egress[0]: sidecar: ports with 0 value must have a unix domain socket bind address"]),
        Case(
            name: "port 0 with a unix socket", sidecar: sidecar([listener("./*", port: 0)]),
            details: .init(egressBinds: [0: "unix:///var/run/app.sock"], egressCaptureModes: [0: "NONE"]), expected: []),
        Case(
            name: "port 0 with a relative socket path and IPTABLES", sidecar: sidecar([listener("./*", port: 0)]),
            details: .init(egressBinds: [0: "unix://app.sock"], egressCaptureModes: [0: "IPTABLES"]),
            expected: [
                "error: spec.egress[0]: app.sock is not an absolute path to a file",
                "error: spec.egress[0]: sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners",
            ]),
        Case(
            name: "bind must be an IP", sidecar: sidecar([listener("./*", port: 80)]),
            details: .init(egressBinds: [0: "localhost"]), expected: ["error: spec.egress[0]: localhost is not a valid IP"]),
        Case(
            name: "IPv4 and IPv6 binds", sidecar: sidecar([listener("./*", port: 80), listener("./*", port: 81)]),
            details: .init(egressBinds: [0: "127.0.0.1", 1: "::1"]), expected: []),
        Case(
            name: "bad protocol and port name", sidecar: sidecar([listener("./*", port: 80, protocol: "FOO", name: "Http_1")]),
            expected: ["error: spec.egress[0]: invalid port name: Http_1", "error: spec.egress[0]: unsupported protocol: FOO"]),
        Case(
            name: "listener without hosts", sidecar: sidecar([SidecarEgressListener(hosts: [])]),
            expected: ["error: spec.egress[0]: sidecar: egress listener must contain at least one host"]),
        Case(
            name: "short name", sidecar: sidecar([listener("istio-system/*", "bookinfo/reviews")]),
            expected: ["error: spec.egress[0].hosts[1] \"bookinfo/reviews\": short names (non FQDN) are not allowed"]),
        Case(
            name: "host without slash", sidecar: sidecar([listener("reviews.bookinfo.svc.cluster.local")]),
            expected: [
                "error: spec.egress[0].hosts[0] \"reviews.bookinfo.svc.cluster.local\": host must be of form namespace/dnsName"
            ]),
        Case(
            name: "duplicate host", sidecar: sidecar([listener("./*", "./*")]),
            expected: ["warning: spec.egress[0].hosts[1] \"./*\": duplicated egress host: ./*"]),
        Case(
            name: "host covered by ns/*", sidecar: sidecar([listener("ns1/*", "ns1/a.ns1.svc.cluster.local")]),
            expected: [
                "warning: spec.egress[0].hosts[1] \"ns1/a.ns1.svc.cluster.local\": duplicated egress host: ns1/a.ns1.svc.cluster.local"
            ]),
        Case(
            name: "dot is the Sidecar's namespace", sidecar: sidecar([listener("./*", "bookinfo/*")]),
            expected: ["warning: spec.egress[0].hosts[1] \"bookinfo/*\": duplicated egress host: bookinfo/*"]),
        Case(
            name: "*/* with other hosts", sidecar: sidecar([listener("*/*", "istio-system/*")]),
            expected: ["warning: spec.egress[0]: `*/*` host select all resources, no other hosts can be added"]),
        Case(
            name: "same host in two listeners is fine", sidecar: sidecar([listener("./*", port: 80), listener("./*")]),
            expected: []),
        Case(
            name: "ALLOW_ANY_DYNAMIC_DNS", sidecar: sidecar([listener("./*")]),
            details: .init(outboundTrafficPolicyMode: "ALLOW_ANY_DYNAMIC_DNS"),
            expected: [
                "error: spec.outboundTrafficPolicy: sidecar: outboundTrafficPolicy mode ALLOW_ANY_DYNAMIC_DNS is not supported in a Sidecar"
            ]),
        Case(
            name: "egressProxy needs ALLOW_ANY", sidecar: sidecar([listener("./*")], policy: .registryOnly),
            details: .init(outboundTrafficPolicyMode: "", hasEgressProxy: true),
            expected: [
                "error: spec.outboundTrafficPolicy: sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode"
            ]),
        Case(
            name: "only an outboundTrafficPolicy is not empty", sidecar: sidecar([], policy: .registryOnly),
            expected: [namespaceNoEgressWarning]),
        Case(
            name: "selector without labels", sidecar: sidecar([listener("./*")], selector: [:]),
            expected: [
                "warning: spec.workloadSelector: sidecar: workload selector specified without labels, will be applied to all services in namespace"
            ]),
        Case(
            name: "selector with wildcard and empty key",
            sidecar: sidecar([listener("./*")], selector: ["app": "rev*", "": "x"]),
            expected: [
                "error: spec.workloadSelector: empty key is not supported in selector: \"=x\"",
                "error: spec.workloadSelector: wildcard is not supported in selector: \"app=rev*\"",
            ]),
        Case(
            name: "ingress ports",
            sidecar: sidecar(
                [listener("./*")], ingress: [SidecarPort(number: 9080), SidecarPort(number: 9080), SidecarPort(number: 0)]),
            expected: [
                "error: spec.ingress[1]: sidecar: ports on IP bound listeners must be unique",
                "error: spec.ingress[2]: port number 0 must be in the range 1..65535",
            ]),
        // Exclusions (Istio 1.31).
        Case(name: "import nothing", sidecar: sidecar([listener("~/*")]), expected: []),
        Case(name: "all but one namespace", sidecar: sidecar([listener("*/*", "~ns1/*")]), expected: []),
        Case(
            name: "exclusion of everything beside imports", sidecar: sidecar([listener("./*", "~/*")]),
            expected: [
                "warning: spec.egress[0].hosts[1] \"~/*\": excludes every host, so the other hosts of this listener import nothing"
            ]),
        Case(
            name: "only exclusions", sidecar: sidecar([listener("~ns1/*")]),
            expected: ["warning: spec.egress[0]: this listener has only exclusions (~…), so it imports nothing"]),
        // Before 1.31.
        Case(name: "import nothing before 1.31", sidecar: sidecar([listener("~/*")]), version: v130, expected: []),
        Case(
            name: "exclusion before 1.31", sidecar: sidecar([listener("*/*", "~ns1/*")]), version: v130,
            expected: [
                "error: spec.egress[0].hosts[1] \"~ns1/*\": invalid namespace value \"~ns1\" in sidecar",
                "warning: spec.egress[0]: `*/*` host select all resources, no other hosts can be added",
            ]),
        Case(
            name: "~/host before 1.31", sidecar: sidecar([listener("./*", "~/api.example.com")]), version: v130,
            expected: [
                "warning: spec.egress[0].hosts[1] \"~/api.example.com\": before Istio 1.31 \"~\" is an ordinary namespace name "
                    + "that matches no namespace, so this host imports nothing"
            ]),
    ]

    @Test("rules", arguments: cases)
    func validates(_ example: Case) {
        #expect(Self.lines(example.sidecar, version: example.version, details: example.details) == example.expected)
    }

    @Test func problemsCarryOriginAndHint() {
        let problems = SidecarValidator().validate(Self.sidecar([Self.listener("bookinfo/reviews")]))
        #expect(problems.count == 1)
        #expect(problems.first?.origin == .istio)
        #expect(problems.first?.location == .egressHost(listener: 0, index: 0, host: "bookinfo/reviews"))
        #expect(
            problems.first?.description
                == "error: spec.egress[0].hosts[0] \"bookinfo/reviews\": short names (non FQDN) are not allowed "
                + "(use the full hostname (e.g. reviews.NAMESPACE.svc.cluster.local) or NAMESPACE/*)")
        let warning = SidecarValidator().validate(Self.sidecar([])).last
        #expect(warning?.origin == .meshtrim)
        #expect(warning?.severity == .warning)
        #expect(warning?.code == "MT0003")
        #expect(warning?.description.hasPrefix("warning [MT0003]: no egress listeners") == true)
    }

    /// A written Sidecar (`spec` in YAML flow style, namespace `bar`) and the exact lines `meshtrim validate` prints for
    /// Istio's rules (meshtrim's coded warnings left out).
    struct Written: Sendable, CustomTestStringConvertible {
        var name: String
        var spec: String
        /// `metadata.annotations` in flow style; empty: none.
        var annotations = ""
        var expected: [String]
        var version: IstioVersion = v131
        var testDescription: String { name }
    }

    static let egress = "egress: [{hosts: [\"./*\"]}]"

    static func ingress(_ listener: String) -> String { "{\(egress), ingress: [\(listener)]}" }

    static let written: [Written] = [
        Written(name: "defaultEndpoint 127.0.0.1:PORT", spec: ingress("{port: {number: 80}, defaultEndpoint: \"127.0.0.1:8080\"}"), expected: []),
        Written(name: "defaultEndpoint 0.0.0.0:PORT", spec: ingress("{port: {number: 80}, defaultEndpoint: \"0.0.0.0:8080\"}"), expected: []),
        Written(name: "defaultEndpoint [::1]:PORT", spec: ingress("{port: {number: 80}, defaultEndpoint: \"[::1]:8080\"}"), expected: []),
        Written(name: "defaultEndpoint [::]:PORT", spec: ingress("{port: {number: 80}, defaultEndpoint: \"[::]:8080\"}"), expected: []),
        Written(name: "defaultEndpoint :PORT", spec: ingress("{port: {number: 80}, defaultEndpoint: \":8080\"}"), expected: []),
        Written(name: "defaultEndpoint unix socket", spec: ingress("{port: {number: 80}, defaultEndpoint: \"unix:///var/run/app.sock\"}"), expected: []),
        Written(name: "defaultEndpoint abstract socket", spec: ingress("{port: {number: 80}, defaultEndpoint: \"unix://@app\"}"), expected: []),
        Written(
            name: "defaultEndpoint relative socket", spec: ingress("{port: {number: 80}, defaultEndpoint: \"unix://app.sock\"}"),
            expected: ["error: spec.ingress[0]: app.sock is not an absolute path to a file"]),
        Written(
            name: "defaultEndpoint on another host", spec: ingress("{port: {number: 80}, defaultEndpoint: \"10.0.0.1:8080\"}"),
            expected: [
                "error: spec.ingress[0]: sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset"
            ]),
        Written(
            name: "defaultEndpoint port not a number", spec: ingress("{port: {number: 80}, defaultEndpoint: \"127.0.0.1:hi\"}"),
            expected: ["error: spec.ingress[0]: sidecar: defaultEndpoint port (hi) is not a number: strconv.Atoi: parsing \"hi\": invalid syntax"]),
        Written(
            name: "defaultEndpoint without port", spec: ingress("{port: {number: 80}, defaultEndpoint: localhost}"),
            expected: [
                "error: spec.ingress[0]: address localhost: missing port in address",
                "error: spec.ingress[0]: sidecar: defaultEndpoint port () is not a number: strconv.Atoi: parsing \"\": invalid syntax",
            ]),
        Written(
            name: "defaultEndpoint port 0", spec: ingress("{port: {number: 80}, defaultEndpoint: \"[::1]:0\"}"),
            expected: ["error: spec.ingress[0]: port number 0 must be in the range 1..65535"]),
        Written(
            name: "ingress without port", spec: ingress("{defaultEndpoint: \"127.0.0.1:8080\"}"),
            expected: ["error: spec.ingress[0]: sidecar: port is required for ingress listeners"]),
        Written(
            name: "ingress unix bind", spec: ingress("{port: {number: 0, name: uds}, bind: \"unix:///var/run/in.sock\"}"),
            expected: [
                "error: spec.ingress[0]: port number 0 must be in the range 1..65535",
                "error: spec.ingress[0]: unix:///var/run/in.sock is not a valid IP",
            ]),
        Written(name: "ingress IP bind", spec: ingress("{port: {number: 80}, bind: 0.0.0.0}"), expected: []),
        Written(
            name: "ingress targetPort", spec: ingress("{port: {number: 80, targetPort: 8080}}"),
            expected: ["error: spec.ingress[0]: targetPort has no impact on Sidecars"]),
        Written(
            name: "egress targetPort", spec: "{egress: [{port: {number: 80, targetPort: 8080}, hosts: [\"./*\"]}]}",
            expected: ["error: spec.egress[0]: targetPort has no impact on Sidecars"]),
        Written(
            name: "ingress tls ISTIO_MUTUAL on an HTTP port", spec: ingress("{port: {number: 80, protocol: HTTP}, tls: {mode: ISTIO_MUTUAL}}"),
            expected: [
                "error: spec.ingress[0]: configuration is invalid: cannot set mode to ISTIO_MUTUAL in sidecar ingress tls",
                "error: spec.ingress[0]: server cannot have TLS settings for non HTTPS/TLS ports",
            ]),
        Written(
            name: "ingress tls SIMPLE with certificates on HTTPS",
            spec: ingress("{port: {number: 443, protocol: HTTPS}, tls: {mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem}}"),
            expected: []),
        Written(
            name: "ingress tls SIMPLE without certificates", spec: ingress("{port: {number: 443, protocol: TLS}, tls: {mode: SIMPLE}}"),
            expected: [
                "error: spec.ingress[0]: SIMPLE TLS requires a server certificate", "error: spec.ingress[0]: SIMPLE TLS requires a private key",
            ]),
        Written(
            name: "ingress tls MUTUAL without CA",
            spec: ingress("{port: {number: 443, protocol: HTTPS}, tls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem}}"),
            expected: ["error: spec.ingress[0]: MUTUAL TLS requires a client CA bundle"]),
        Written(
            name: "ingress tls PASSTHROUGH with a certificate",
            spec: ingress("{port: {number: 443, protocol: TLS}, tls: {mode: PASSTHROUGH, serverCertificate: /c.pem}}"),
            expected: ["warning: spec.ingress[0]: PASSTHROUGH mode does not use certificates, they will be ignored"]),
        Written(
            name: "ingress tls invalid cipher",
            spec: ingress(
                "{port: {number: 443, protocol: HTTPS}, tls: {mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem, cipherSuites: [FOO, AES128-SHA, AES128-SHA]}}"),
            expected: [
                "warning: spec.ingress[0]: ignoring invalid cipher suites: [FOO]",
                "warning: spec.ingress[0]: ignoring duplicate cipher suites: [AES128-SHA]",
            ]),
        Written(
            name: "HTTP pool on a TCP port", spec: ingress("{port: {number: 90, protocol: TCP, name: foo}, connectionPool: {http: {maxRetries: 3}}}"),
            expected: [
                "warning: spec.ingress[0]: sidecar: HTTP connection pool settings are configured for port 90 (\"foo\") but its protocol is not HTTP (TCP); only TCP settings will apply"
            ]),
        Written(
            name: "empty inbound pool", spec: "{inboundConnectionPool: {}}",
            expected: ["error: spec.inboundConnectionPool: connection pool must have at least one field"]),
        Written(
            name: "pool counts and durations",
            spec: "{inboundConnectionPool: {tcp: {maxConnections: -1, connectTimeout: 0.5ms, idleTimeout: 0s, tcpKeepalive: {time: 1500us}}, http: {maxRetries: -2, h2UpgradePolicy: UPGRADE, useClientProtocol: true}}}",
            expected: [
                "error: spec.inboundConnectionPool: max retries must be non-negative",
                "error: spec.inboundConnectionPool: use client protocol must not be true when H2UpgradePolicy is UPGRADE",
                "error: spec.inboundConnectionPool: max connections must be non-negative",
                "error: spec.inboundConnectionPool: duration must be greater than 1ms",
                "error: spec.inboundConnectionPool: only durations to ms precision are supported",
            ]),
        Written(
            name: "egress proxy with an invalid host",
            spec: "{\(egress), outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: \"foobar*123\", port: {number: 5000}}}}",
            expected: [
                "error: spec.outboundTrafficPolicy: domain name \"foobar*123\" invalid (label \"foobar*123\" invalid)",
                "error: spec.outboundTrafficPolicy: domain name \"foobar*123\" invalid (label \"foobar*123\" invalid)",
            ]),
        Written(
            name: "egress proxy without port",
            spec: "{\(egress), outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: egress.example.com}}}",
            expected: ["error: spec.outboundTrafficPolicy: sidecar: egress_proxy port must be non-nil"]),
        Written(
            name: "egress proxy under REGISTRY_ONLY",
            spec: "{\(egress), outboundTrafficPolicy: {egressProxy: {host: egress.example.com, port: {number: 3128}}}}",
            expected: ["error: spec.outboundTrafficPolicy: sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode"]),
        Written(
            name: "egress proxy subset and port",
            spec: "{\(egress), outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: egress.example.com, subset: \"v_1\", port: {number: 70000}}}}",
            expected: [
                "error: spec.outboundTrafficPolicy: subset name is invalid: v_1",
                "error: spec.outboundTrafficPolicy: port number 70000 must be in the range 1..65535",
            ]),
        Written(
            name: "/foo.com is one error in 1.31", spec: "{egress: [{hosts: [\"/foo.com\"]}]}",
            expected: ["error: spec.egress[0].hosts[0] \"/foo.com\": config namespace and dnsName in host entry cannot be empty"]),
        Written(
            name: "egress unix bind with IPTABLES", spec: "{egress: [{port: {number: 0}, bind: \"unix:///s.sock\", captureMode: IPTABLES, hosts: [\"./*\"]}]}",
            expected: ["error: spec.egress[0]: sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners"]),
        Written(
            name: "dry-run annotation rejects the Sidecar before any other rule",
            spec: "{egress: [{hosts: [\"bad\"]}]}", annotations: "{istio.io/dry-run: \"true\"}",
            expected: ["error: bar/foo has unsupported annotation istio.io/dry-run, please remove the annotation"]),
        Written(
            name: "a bad workload selector is the only error",
            spec: "{workloadSelector: {labels: {app: \"*\"}}, egress: [{hosts: [\"bad\"]}]}",
            expected: ["error: spec.workloadSelector: wildcard is not supported in selector: \"app=*\""]),
        Written(
            name: "egress bind not an IP", spec: "{egress: [{port: {number: 80}, bind: localhost, hosts: [\"./*\"]}]}",
            expected: ["error: spec.egress[0]: localhost is not a valid IP"]),
    ]

    @Test("values Istio's decoder rejects are meshtrim's MT0105 errors, not crashes")
    func malformedValues() throws {
        let spec =
            "{\(Self.egress), ingress: [{port: {number: 443, protocol: HTTPS}, tls: {mode: STRICT}}], "
            + "inboundConnectionPool: {tcp: {connectTimeout: soon}}}"
        let problems = try SidecarWebhookTests.problems(SidecarWebhookTests.manifest(spec))
        let coded = problems.filter { $0.code == SidecarValidator.Code.malformedField }.map(\.description)
        let wrongShape = try SidecarWebhookTests.problems(SidecarWebhookTests.manifest("{egress: {hosts: [\"./*\"]}}"))
        #expect(wrongShape.first?.description == "error [MT0105]: spec.egress must be a list")
        #expect(
            coded == [
                "error [MT0105]: spec.ingress[0]: tls.mode \"STRICT\" is not one of PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, "
                    + "ISTIO_MUTUAL, OPTIONAL_MUTUAL",
                "error [MT0105]: spec.inboundConnectionPool: connectTimeout: \"soon\" is not a duration such as \"1s\" or \"100ms\"",
            ])
    }

    @Test("Istio's words for written Sidecars", arguments: written)
    func writtenSidecar(_ example: Written) throws {
        var text = SidecarWebhookTests.manifest(example.spec)
        if !example.annotations.isEmpty {
            text = text.replacingOccurrences(of: "  namespace: bar\n", with: "  namespace: bar\n  annotations: \(example.annotations)\n")
        }
        let problems = try SidecarWebhookTests.problems(text, version: example.version)
        let lines = problems.filter { $0.code == nil }.map { problem in
            let place = problem.location.description
            return "\(problem.severity.rawValue): \(place.isEmpty ? "" : place + ": ")\(problem.message)"
        }
        #expect(lines == example.expected)
    }
}
