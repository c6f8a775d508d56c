import Testing

@testable import MeshtrimCore

/// Istio's `TestValidateSidecar` (pkg/config/validation/validation_test.go), row for row: each Sidecar of that table
/// written as the YAML a user would apply, read by ``SidecarDocumentReader`` and checked by ``SidecarValidator``
/// with its `spec` as written, exactly as `meshtrim validate` does. Istio's verdict (valid, valid with a warning,
/// rejected) must be meshtrim's; meshtrim's own warnings (with a code) are left out of the comparison.
@Suite("SidecarValidator: Istio's TestValidateSidecar")
struct SidecarWebhookTests {
    /// What Istio's webhook says about a row.
    enum Verdict: String, Sendable {
        /// Accepted without warnings.
        case valid
        /// Accepted with at least one warning.
        case warning
        /// Rejected.
        case error
    }

    /// One row of Istio's table: its name, the Sidecar's `spec` (YAML flow style) and Istio's verdict.
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: String
        let verdict: Verdict
        init(_ name: String, _ spec: String, _ verdict: Verdict) {
            self.name = name
            self.spec = spec
            self.verdict = verdict
        }
        var testDescription: String { name }
    }

    /// Istio's table (its test config is `foo` in namespace `bar`).
    static let rows: [Row] = [
        Row("empty ingress and egress", "{}", .error),
        Row("default", "{egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("workload selector without labels", "{egress: [{hosts: [\"*/*\"]}], workloadSelector: {}}", .warning),
        Row("import local namespace with wildcard", "{egress: [{hosts: [\"./*\"]}]}", .valid),
        Row("import local namespace with fqdn", "{egress: [{hosts: [\"./foo.com\"]}]}", .valid),
        Row("import nothing", "{egress: [{hosts: [\"~/*\"]}]}", .valid),
        Row("bad egress host 1", "{egress: [{hosts: [\"*\"]}]}", .error),
        Row("bad egress host 2", "{egress: [{hosts: [\"/\"]}]}", .error),
        Row("empty egress host", "{egress: [{hosts: []}]}", .error),
        Row("multiple wildcard egress", "{egress: [{hosts: [\"*/foo.com\"]}, {hosts: [\"ns1/bar.com\"]}]}", .error),
        Row("wildcard egress not in end", "{egress: [{hosts: [\"*/foo.com\"]}, {port: {protocol: http, number: 8080, name: h8080}, hosts: [\"ns1/bar.com\"]}]}", .error),
        Row("invalid Port", "{egress: [{port: {protocol: http1, number: 1000000, name: \"\"}, hosts: [\"ns1/bar.com\"]}]}", .error),
        Row("Port without name", "{egress: [{port: {protocol: http, number: 8080}, hosts: [\"ns1/bar.com\"]}]}", .valid),
        Row("UDS bind in outbound", "{egress: [{port: {protocol: http, number: 0, name: uds}, hosts: [\"ns1/bar.com\"], bind: \"unix:///@foo/bar/com\"}]}", .valid),
        Row("UDS bind in inbound", "{ingress: [{port: {protocol: http, number: 0, name: uds}, bind: \"unix:///@foo/bar/com\", defaultEndpoint: \"127.0.0.1:9999\"}]}", .error),
        Row("UDS bind in outbound 2", "{egress: [{port: {protocol: http, number: 0, name: uds}, hosts: [\"ns1/bar.com\"], bind: \"unix:///foo/bar/com\"}]}", .valid),
        Row("invalid bind", "{egress: [{port: {protocol: http, number: 0, name: uds}, hosts: [\"ns1/bar.com\"], bind: \"foobar:///@foo/bar/com\"}]}", .error),
        Row("invalid capture mode with uds bind", "{egress: [{port: {protocol: http, number: 0, name: uds}, hosts: [\"ns1/bar.com\"], bind: \"unix:///@foo/bar/com\", captureMode: IPTABLES}]}", .error),
        Row("duplicate UDS bind", "{egress: [{port: {protocol: http, number: 0, name: uds}, hosts: [\"ns1/bar.com\"], bind: \"unix:///@foo/bar/com\"}, {port: {protocol: http, number: 0, name: uds}, hosts: [\"ns1/bar.com\"], bind: \"unix:///@foo/bar/com\"}]}", .error),
        Row("duplicate ports", "{egress: [{port: {protocol: http, number: 90, name: foo}, hosts: [\"ns1/bar.com\"]}, {port: {protocol: tcp, number: 90, name: tcp}, hosts: [\"ns2/bar.com\"]}]}", .error),
        Row("ingress without port", "{ingress: [{defaultEndpoint: \"127.0.0.1:110\"}], egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("ingress without port and with IPv6 endpoint", "{ingress: [{defaultEndpoint: \"[::1]:110\"}], egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("ingress with duplicate ports", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:110\"}, {port: {protocol: tcp, number: 90, name: bar}, defaultEndpoint: \"127.0.0.1:110\"}], egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("ingress with duplicate ports and IPv6 endpoint", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"[::1]:110\"}, {port: {protocol: tcp, number: 90, name: bar}, defaultEndpoint: \"[::1]:110\"}], egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("ingress without default endpoint", "{ingress: [{port: {protocol: http, number: 90, name: foo}}], egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("ingress with invalid default endpoint in IPv4", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"1.1.1.1:90\"}]}", .error),
        Row("ingress with invalid default endpoint in IPv6", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"[1:1:1:1:1:1:1:1]:90\"}]}", .error),
        Row("ingress with invalid default endpoint uds", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"unix:///\"}], egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("ingress with invalid default endpoint port in IPv4", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:hi\"}], egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("ingress with invalid default endpoint port in IPv6", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"[::1]:hi\"}], egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("valid ingress and egress in IPv4", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\"}], egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("valid ingress and egress in IPv6", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\"}], egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("valid ingress and empty egress in IPv4", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\"}]}", .valid),
        Row("valid ingress and empty egress in IPv6", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\"}]}", .valid),
        Row("empty", "{}", .error),
        Row("just outbound traffic policy", "{outboundTrafficPolicy: {mode: ALLOW_ANY}}", .valid),
        Row("empty protocol in IPv4", "{ingress: [{port: {number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\"}], egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("empty protocol in IPv6", "{ingress: [{port: {number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\"}], egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("ALLOW_ANY sidecar egress policy with no egress proxy", "{outboundTrafficPolicy: {mode: ALLOW_ANY}, egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("sidecar egress proxy with RESGISTRY_ONLY(default)", "{outboundTrafficPolicy: {egressProxy: {host: foo.bar, subset: shiny, port: {number: 5000}}}, egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("sidecar egress proxy with ALLOW_ANY", "{outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: foo.bar, subset: shiny, port: {number: 5000}}}, egress: [{hosts: [\"*/*\"]}]}", .valid),
        Row("sidecar egress proxy with ALLOW_ANY, service hostname invalid fqdn", "{outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: \"foobar*123\", subset: shiny, port: {number: 5000}}}, egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("sidecar egress proxy(without Port) with ALLOW_ANY", "{outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: foo.bar, subset: shiny}}, egress: [{hosts: [\"*/*\"]}]}", .error),
        Row("sidecar egress only one wildcarded", "{egress: [{hosts: [\"*/*\", \"test/a.com\"]}]}", .warning),
        Row("sidecar egress wildcarded ns", "{egress: [{hosts: [\"*/b.com\", \"test/a.com\"]}]}", .valid),
        Row("sidecar egress duplicated with wildcarded same namespace", "{egress: [{hosts: [\"test/*\", \"test/a.com\"]}]}", .warning),
        Row("invalid partial wildcard", "{egress: [{hosts: [\"test/*a.com\"]}]}", .error),
        Row("sidecar egress duplicated with wildcarded same namespace .", "{egress: [{hosts: [\"./*\", \"bar/a.com\"]}]}", .warning),
        Row("ingress tls mode set to ISTIO_MUTUAL in IPv4", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: ISTIO_MUTUAL}}]}", .error),
        Row("ingress tls mode set to ISTIO_MUTUAL in IPv6", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: ISTIO_MUTUAL}}]}", .error),
        Row("ingress tls mode set to ISTIO_AUTO_PASSTHROUGH in IPv4", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: AUTO_PASSTHROUGH}}]}", .error),
        Row("ingress tls mode set to ISTIO_AUTO_PASSTHROUGH in IPv6", "{ingress: [{port: {protocol: http, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: AUTO_PASSTHROUGH}}]}", .error),
        Row("ingress tls invalid protocol in IPv4", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: SIMPLE}}]}", .error),
        Row("ingress tls invalid protocol in IPv6", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: SIMPLE}}]}", .error),
        Row("ingress tls httpRedirect is not supported in IPv4", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: SIMPLE, httpsRedirect: true}}]}", .error),
        Row("ingress tls httpRedirect is not supported in IPv6", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: SIMPLE, httpsRedirect: true}}]}", .error),
        Row("ingress tls SAN entries are not supported in IPv4", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: SIMPLE, subjectAltNames: [httpbin.com]}}]}", .error),
        Row("ingress tls SAN entries are not supported in IPv6", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: SIMPLE, subjectAltNames: [httpbin.com]}}]}", .error),
        Row("ingress tls credentialName is not supported in IPv4", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: SIMPLE, credentialName: secret-name}}]}", .error),
        Row("ingress tls credentialName is not supported in IPv6", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: SIMPLE, credentialName: secret-name}}]}", .error),
        Row("ingress tls credentialNames is not supported in IPv4", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: SIMPLE, credentialNames: [secret-name]}}]}", .error),
        Row("ingress tls credentialNames is not supported in IPv6", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: SIMPLE, credentialNames: [secret-name]}}]}", .error),
        Row("ingress tls tlsCertificates is not supported in IPv4", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"127.0.0.1:9999\", tls: {mode: SIMPLE, tlsCertificates: [{serverCertificate: /etc/istio/ingress-certs/tls.crt, privateKey: /etc/istio/ingress-certs/tls.key}, {serverCertificate: /etc/istio/ingress-certs/tls2.crt, privateKey: /etc/istio/ingress-certs/tls2.key}]}}]}", .error),
        Row("ingress tls tlsCertificates is not supported in IPv6", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, defaultEndpoint: \"[::1]:9999\", tls: {mode: SIMPLE, tlsCertificates: [{serverCertificate: /etc/istio/ingress-certs/tls.crt, privateKey: /etc/istio/ingress-certs/tls.key}, {serverCertificate: /etc/istio/ingress-certs/tls2.crt, privateKey: /etc/istio/ingress-certs/tls2.key}]}}]}", .error),
        Row("valid inbound connection pool", "{inboundConnectionPool: {http: {http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 1024}}}", .valid),
        Row("valid port-level connection pool with top level default", "{ingress: [{port: {protocol: http, number: 90, name: foo}, connectionPool: {http: {http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 1024}}}], inboundConnectionPool: {http: {http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 1024}}}", .valid),
        Row("valid port-level connection pool without a top level default", "{ingress: [{port: {protocol: http, number: 90, name: foo}, connectionPool: {http: {http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 1024}}}]}", .valid),
        Row("warn http connection settings on tcp port", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, connectionPool: {http: {http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 1024}}}]}", .warning),
        Row("invalid top level connection pool", "{inboundConnectionPool: {}}", .error),
        Row("invalid port-level connection pool", "{ingress: [{port: {protocol: tcp, number: 90, name: foo}, connectionPool: {}}]}", .error),
    ]

    /// A Sidecar `foo` in namespace `bar` with `spec`, as a manifest.
    static func manifest(_ spec: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: foo
          namespace: bar
        spec: \(spec)
        """
    }

    /// Every problem `meshtrim validate` prints for the manifest (reader's problems, then the validator's).
    static func problems(_ text: String, version: IstioVersion = .defaultVersion) throws -> [SidecarProblem] {
        let set = try SidecarDocumentReader.read(text)
        let document = try #require(set.sidecars.first)
        return SidecarValidator(version: version).validate(document, spec: document.spec)
    }

    @Test("Istio's verdict", arguments: rows)
    func verdict(_ row: Row) throws {
        let istio = try Self.problems(Self.manifest(row.spec)).filter { $0.code == nil }
        let verdict: Verdict =
            istio.contains { $0.severity == .error } ? .error : istio.contains { $0.severity == .warning } ? .warning : .valid
        #expect(verdict == row.verdict, "\(istio.map(\.description))")
    }

    @Test("every row of Istio's table is here")
    func tableIsComplete() {
        #expect(Self.rows.count == 70)
        #expect(Set(Self.rows.map(\.name)).count == Self.rows.count)
    }
}
