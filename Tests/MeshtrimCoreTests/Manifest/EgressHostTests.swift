import Testing

@testable import MeshtrimCore

/// Host syntax from Istio's `ValidateNamespaceSlashWildcardHostname` and istiod's runtime reading.
@Suite("EgressHost")
struct EgressHostTests {
    static let v131 = IstioVersion(major: 1, minor: 31)
    static let v130 = IstioVersion(major: 1, minor: 30)

    struct Valid: Sendable, CustomTestStringConvertible {
        var text: String
        var version: IstioVersion
        var expected: EgressHost
        var testDescription: String { "\(text) @\(version)" }
    }

    static let valid: [Valid] = [
        Valid(text: "*/*", version: v131, expected: EgressHost(namespace: .any, dnsName: .all)),
        Valid(text: "./*", version: v131, expected: EgressHost(namespace: .current, dnsName: .all)),
        Valid(text: "istio-system/*", version: v131, expected: EgressHost(namespace: .named("istio-system"), dnsName: .all)),
        Valid(
            text: "*/*.example.com", version: v131,
            expected: EgressHost(namespace: .any, dnsName: .wildcard(suffix: ".example.com"))),
        Valid(
            text: "bookinfo/reviews.bookinfo.svc.cluster.local", version: v131,
            expected: EgressHost(namespace: .named("bookinfo"), dnsName: .exact("reviews.bookinfo.svc.cluster.local"))),
        Valid(text: "ns/istio.io.", version: v131, expected: EgressHost(namespace: .named("ns"), dnsName: .exact("istio.io."))),
        // Istio's DNS-1123 label check accepts upper case.
        Valid(
            text: "Prod/API.example.com", version: v131,
            expected: EgressHost(namespace: .named("Prod"), dnsName: .exact("API.example.com"))),
        Valid(text: "~/*", version: v131, expected: EgressHost(namespace: .any, dnsName: .all, isExclusion: true)),
        Valid(text: "~*/*", version: v131, expected: EgressHost(namespace: .any, dnsName: .all, isExclusion: true)),
        Valid(text: "~ns1/*", version: v131, expected: EgressHost(namespace: .named("ns1"), dnsName: .all, isExclusion: true)),
        Valid(
            text: "~/api.example.com", version: v131,
            expected: EgressHost(namespace: .any, dnsName: .exact("api.example.com"), isExclusion: true)),
        // Before 1.31 "~" is just a namespace name (that never exists): accepted, imports nothing.
        Valid(text: "~/*", version: v130, expected: EgressHost(namespace: .named("~"), dnsName: .all)),
    ]

    @Test("valid hosts parse", arguments: valid)
    func parsesValidHost(_ example: Valid) throws {
        let host = try EgressHost.parse(example.text, version: example.version).get()
        #expect(host == example.expected)
        #expect(EgressHost.problems(in: example.text, version: example.version).isEmpty)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var text: String
        var version: IstioVersion = v131
        var messages: [String]
        var testDescription: String { "\(text) @\(version)" }
    }

    static let invalid: [Invalid] = [
        Invalid(text: "reviews.bookinfo.svc.cluster.local", messages: ["host must be of form namespace/dnsName"]),
        Invalid(text: "bookinfo/reviews", messages: ["short names (non FQDN) are not allowed"]),
        // Istio 1.31 stops at the empty part; 1.30 also checked it (a second and third error).
        Invalid(text: "/foo.com", messages: ["config namespace and dnsName in host entry cannot be empty"]),
        Invalid(text: "ns/", messages: ["config namespace and dnsName in host entry cannot be empty"]),
        Invalid(
            text: "/foo.com", version: v130,
            messages: ["config namespace and dnsName in host entry cannot be empty", "invalid namespace value \"\" in sidecar"]),
        Invalid(
            text: "ns/", version: v130,
            messages: [
                "config namespace and dnsName in host entry cannot be empty", "short names (non FQDN) are not allowed",
                "empty domain name not allowed",
            ]),
        Invalid(text: "ns/*foo.com", messages: ["partial wildcard \"*foo.com\" not allowed"]),
        Invalid(text: "ns/*-foo.com", messages: ["partial wildcard \"*-foo.com\" not allowed"]),
        Invalid(
            text: "ns/foo.*.com",
            messages: ["domain name \"*.com\" invalid (label \"*\" invalid)", "partial wildcard \"foo.*.com\" not allowed"]),
        Invalid(text: "ns_1/*", messages: ["invalid namespace value \"ns_1\" in sidecar"]),
        Invalid(text: "ns/foo.123", messages: ["domain name \"123\" invalid (top level domain \"123\" cannot be all-numeric)"]),
        Invalid(text: "ns/foo_bar.com", messages: ["domain name \"foo_bar.com\" invalid (label \"foo_bar\" invalid)"]),
        Invalid(text: "ns/-foo.com", messages: ["domain name \"-foo.com\" invalid (label \"-foo\" invalid)"]),
        Invalid(text: "ns/a/b.com", messages: ["domain name \"a/b.com\" invalid (label \"a/b\" invalid)"]),
        Invalid(
            text: "ns/" + String(repeating: "a", count: 64) + ".com",
            messages: [
                "domain name \"\(String(repeating: "a", count: 64)).com\" invalid (label \"\(String(repeating: "a", count: 64))\" invalid)"
            ]),
        Invalid(text: "~./*", messages: ["invalid namespace value \"~.\" in sidecar"]),
        Invalid(text: "~ns1/*", version: v130, messages: ["invalid namespace value \"~ns1\" in sidecar"]),
        Invalid(text: "~*/*", version: v130, messages: ["invalid namespace value \"~*\" in sidecar"]),
    ]

    @Test("invalid hosts give Istio's messages", arguments: invalid)
    func rejectsInvalidHost(_ example: Invalid) {
        let problems = EgressHost.problems(in: example.text, version: example.version)
        #expect(problems.map(\.message) == example.messages)
        if case .failure(let first) = EgressHost.parse(example.text, version: example.version) {
            #expect(first.message == example.messages.first)
        } else {
            Issue.record("\(example.text) should not parse")
        }
    }

    @Test func domainLongerThan255BytesIsRejected() {
        let long = (0..<5).map { _ in String(repeating: "a", count: 60) }.joined(separator: ".")
        #expect(EgressHost.problems(in: "ns/" + long).map(\.message) == ["domain name \"\(long)\" too long (max 255)"])
    }

    @Test func hintsSayWhatToWrite() {
        let short = EgressHost.problems(in: "bookinfo/reviews").first
        #expect(short?.hint == "use the full hostname (e.g. reviews.NAMESPACE.svc.cluster.local) or NAMESPACE/*")
        let exclusion = EgressHost.problems(in: "~ns1/*", version: Self.v130).first
        #expect(exclusion?.hint?.contains("1.31") == true)
        #expect(EgressHost.problems(in: "~./*").first?.hint == nil)
    }

    @Test(
        "description writes the host back",
        arguments: ["*/*", "./*", "istio-system/*", "*/*.example.com", "~/*", "~ns1/*", "ns/a.b.c"])
    func descriptionRoundTrips(_ text: String) throws {
        #expect(try EgressHost.parse(text).get().description == text)
    }

    @Test func runtimeReadingFollowsIstiod() {
        #expect(EgressHost(runtime: "ns/reviews") == EgressHost(namespace: .named("ns"), dnsName: .exact("reviews")))
        #expect(EgressHost(runtime: "ns/*foo.com") == EgressHost(namespace: .named("ns"), dnsName: .wildcard(suffix: "foo.com")))
        #expect(EgressHost(runtime: "a/b/c") == nil)
        #expect(EgressHost(runtime: "reviews") == nil)
        #expect(EgressHost(runtime: "~ns1/*")?.isExclusion == true)
        #expect(EgressHost(runtime: "~/*") == EgressHost(namespace: .any, dnsName: .all, isExclusion: true))
        #expect(EgressHost(runtime: "~ns1/*", version: Self.v130) == EgressHost(namespace: .named("~ns1"), dnsName: .all))
    }

    struct Selection: Sendable, CustomTestStringConvertible {
        var host: String
        var service: String
        var selected: Bool
        var testDescription: String { "\(host) \(selected ? "selects" : "does not select") \(service)" }
    }

    static let selections: [Selection] = [
        Selection(host: "*/*", service: "reviews.bookinfo.svc.cluster.local", selected: true),
        Selection(host: "*/*", service: "*.wikipedia.org", selected: true),
        Selection(host: "*/*.a.com", service: "b.a.com", selected: true),
        Selection(host: "*/*.a.com", service: "a.com", selected: false),
        Selection(host: "*/*.a.com", service: "*.b.a.com", selected: true),
        Selection(host: "*/*.a.com", service: "*.a.com", selected: true),
        Selection(host: "*/*.a.com", service: "*.com", selected: false),
        Selection(host: "*/en.wikipedia.org", service: "*.wikipedia.org", selected: false),
        Selection(host: "*/en.wikipedia.org", service: "en.wikipedia.org", selected: true),
        Selection(host: "*/en.wikipedia.org", service: "de.wikipedia.org", selected: false),
    ]

    @Test("dnsName selection is Istio's SubsetOf", arguments: selections)
    func selectsLikeIstio(_ example: Selection) throws {
        let host = try EgressHost.parse(example.host).get()
        #expect(host.selects(hostname: example.service) == example.selected)
    }

    @Test func namespaceKeyResolvesDot() throws {
        #expect(try EgressHost.parse("./*").get().namespaceKey(proxyNamespace: "bookinfo") == "bookinfo")
        #expect(try EgressHost.parse("*/*").get().namespaceKey(proxyNamespace: "bookinfo") == "*")
        #expect(try EgressHost.parse("ns1/*").get().namespaceKey(proxyNamespace: "bookinfo") == "ns1")
    }
}
