import Foundation
import MeshtrimTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `meshtrim check` as CI runs it: golden output for every `-o` format (the JUnit output parsed as XML), the exit
/// statuses 0, 1 and 2, and a plan directory written by `meshtrim plan --out` that passes, then fails at the right
/// file and line once a host is removed.
@Suite("CLI: check")
struct CheckCLITests {
    /// A messaging Sidecar with a host the webhook rejects (and one more than the demo's, so --drift reports it).
    static let messaging = #"""
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: messaging
        spec:
          egress:
          - hosts:
            - "./*"
            - reviews
            - "istio-system/*"
        """#

    /// The demo's reporting-api Sidecar without its notifications host, which its pods call.
    static let reporting = #"""
        # the reporting API's own Sidecar, without notifications
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: reporting-api
          namespace: reporting
        spec:
          workloadSelector:
            labels:
              app: reporting-api
          egress:
          - hosts:
            - "./export-router.reporting.svc.cluster.local"
            - "istio-system/*"
        """#

    /// A directory with `a.yaml` (messaging) and `b.yaml` (reporting), removed by the caller.
    static func goldenDirectory() throws -> URL {
        let directory = try makeTemporaryDirectory()
        try messaging.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try reporting.write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    static let goldens: [String: String] = [
        "text": #"""
        DIR/a.yaml:10: error [webhook] spec.egress[0].hosts[1] "reviews": host must be of form namespace/dnsName (write namespace/dnsName, e.g. ./* or istio-system/* or */api.example.com)
        DIR/a.yaml:10: warning [MT0202] differs from Sidecar messaging/default in demo: only here: reviews
        DIR/b.yaml:2: error [MT0001] pod reporting/reporting-api-s6949bxdbt-h5nw2 sent 1,451,534 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add "notifications/notifications-api.notifications.svc.cluster.local" to its egress hosts
        DIR/b.yaml:2: error [MT0001] pod reporting/reporting-api-s6949bxdbt-gkztp sent 1,209,184 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add "notifications/notifications-api.notifications.svc.cluster.local" to its egress hosts
        DIR/b.yaml:2: warning [MT0202] differs from Sidecar reporting/reporting-api in demo: only in demo: notifications/notifications-api.notifications.svc.cluster.local
        2 Sidecars checked against demo: 3 errors, 2 warnings
        """#,
        "json": #"""
        [
          {
            "file": "DIR/a.yaml",
            "line": 10,
            "severity": "error",
            "code": "webhook",
            "message": "spec.egress[0].hosts[1] \"reviews\": host must be of form namespace/dnsName (write namespace/dnsName, e.g. ./* or istio-system/* or */api.example.com)",
            "namespace": "messaging",
            "sidecar": "messaging/default",
            "pod": null,
            "destination": null
          },
          {
            "file": "DIR/a.yaml",
            "line": 10,
            "severity": "warning",
            "code": "MT0202",
            "message": "differs from Sidecar messaging/default in demo: only here: reviews",
            "namespace": "messaging",
            "sidecar": "messaging/default",
            "pod": null,
            "destination": null
          },
          {
            "file": "DIR/b.yaml",
            "line": 2,
            "severity": "error",
            "code": "MT0001",
            "message": "pod reporting/reporting-api-s6949bxdbt-h5nw2 sent 1,451,534 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add \"notifications/notifications-api.notifications.svc.cluster.local\" to its egress hosts",
            "namespace": "reporting",
            "sidecar": "reporting/reporting-api",
            "pod": "reporting/reporting-api-s6949bxdbt-h5nw2",
            "destination": "notifications/notifications-api.notifications.svc.cluster.local"
          },
          {
            "file": "DIR/b.yaml",
            "line": 2,
            "severity": "error",
            "code": "MT0001",
            "message": "pod reporting/reporting-api-s6949bxdbt-gkztp sent 1,209,184 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add \"notifications/notifications-api.notifications.svc.cluster.local\" to its egress hosts",
            "namespace": "reporting",
            "sidecar": "reporting/reporting-api",
            "pod": "reporting/reporting-api-s6949bxdbt-gkztp",
            "destination": "notifications/notifications-api.notifications.svc.cluster.local"
          },
          {
            "file": "DIR/b.yaml",
            "line": 2,
            "severity": "warning",
            "code": "MT0202",
            "message": "differs from Sidecar reporting/reporting-api in demo: only in demo: notifications/notifications-api.notifications.svc.cluster.local",
            "namespace": "reporting",
            "sidecar": "reporting/reporting-api",
            "pod": null,
            "destination": null
          }
        ]
        """#,
        "junit": #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="meshtrim check" tests="2" failures="3" errors="0">
          <testsuite name="meshtrim check against demo" tests="2" failures="3" errors="0" skipped="0">
            <testcase classname="DIR/a.yaml" name="Sidecar messaging/default">
              <failure type="webhook" message="[webhook] spec.egress[0].hosts[1] &quot;reviews&quot;: host must be of form namespace/dnsName (write namespace/dnsName, e.g. ./* or istio-system/* or */api.example.com)">DIR/a.yaml:10: error [webhook] spec.egress[0].hosts[1] &quot;reviews&quot;: host must be of form namespace/dnsName (write namespace/dnsName, e.g. ./* or istio-system/* or */api.example.com)</failure>
              <system-out>DIR/a.yaml:10: warning [MT0202] differs from Sidecar messaging/default in demo: only here: reviews</system-out>
            </testcase>
            <testcase classname="DIR/b.yaml" name="Sidecar reporting/reporting-api">
              <failure type="MT0001" message="[MT0001] pod reporting/reporting-api-s6949bxdbt-h5nw2 sent 1,451,534 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add &quot;notifications/notifications-api.notifications.svc.cluster.local&quot; to its egress hosts">DIR/b.yaml:2: error [MT0001] pod reporting/reporting-api-s6949bxdbt-h5nw2 sent 1,451,534 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add &quot;notifications/notifications-api.notifications.svc.cluster.local&quot; to its egress hosts</failure>
              <failure type="MT0001" message="[MT0001] pod reporting/reporting-api-s6949bxdbt-gkztp sent 1,209,184 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add &quot;notifications/notifications-api.notifications.svc.cluster.local&quot; to its egress hosts">DIR/b.yaml:2: error [MT0001] pod reporting/reporting-api-s6949bxdbt-gkztp sent 1,209,184 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add &quot;notifications/notifications-api.notifications.svc.cluster.local&quot; to its egress hosts</failure>
              <system-out>DIR/b.yaml:2: warning [MT0202] differs from Sidecar reporting/reporting-api in demo: only in demo: notifications/notifications-api.notifications.svc.cluster.local</system-out>
            </testcase>
          </testsuite>
        </testsuites>
        """#,
        "github": #"""
        ::error file=DIR/a.yaml,line=10,title=meshtrim webhook::spec.egress[0].hosts[1] "reviews": host must be of form namespace/dnsName (write namespace/dnsName, e.g. ./* or istio-system/* or */api.example.com)
        ::warning file=DIR/a.yaml,line=10,title=meshtrim MT0202::differs from Sidecar messaging/default in demo: only here: reviews
        ::error file=DIR/b.yaml,line=2,title=meshtrim MT0001::pod reporting/reporting-api-s6949bxdbt-h5nw2 sent 1,451,534 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add "notifications/notifications-api.notifications.svc.cluster.local" to its egress hosts
        ::error file=DIR/b.yaml,line=2,title=meshtrim MT0001::pod reporting/reporting-api-s6949bxdbt-gkztp sent 1,209,184 requests to notifications-api.notifications.svc.cluster.local, which Sidecar reporting/reporting-api would no longer import (they would leave through PassthroughCluster without mTLS or routing); add "notifications/notifications-api.notifications.svc.cluster.local" to its egress hosts
        ::warning file=DIR/b.yaml,line=2,title=meshtrim MT0202::differs from Sidecar reporting/reporting-api in demo: only in demo: notifications/notifications-api.notifications.svc.cluster.local
        """#,
    ]

    @Test("golden output of each -o format; exit 1 for the errors", arguments: ["text", "json", "junit", "github"])
    func golden(format: String) throws {
        let directory = try Self.goldenDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "check", "--demo", directory.path, "--drift", "-o", format])
        #expect(result.exitCode == 1, "\(result.stderr)")
        let output = result.stdout.replacingOccurrences(of: directory.path, with: "DIR")
        let golden = try #require(Self.goldens[format])
        #expect(output == golden + "\n", "\(output)")
    }

    @Test("-o junit is well-formed XML: one testcase per Sidecar, a failure per error, warnings in system-out")
    func junitIsXML() throws {
        let directory = try Self.goldenDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess([try meshtrimBinaryPath(), "check", "--demo", directory.path, "-o", "junit"])
        #expect(result.exitCode == 1)
        let document = try XMLDocument(data: Data(result.stdout.utf8))
        let cases = try document.nodes(forXPath: "//testsuite/testcase")
        #expect(cases.count == 2)
        #expect(try document.nodes(forXPath: "//testcase/failure").count == 3)
        let names = cases.compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(names == ["Sidecar messaging/default", "Sidecar reporting/reporting-api"])
        let suite = try #require(try document.nodes(forXPath: "/testsuites").first as? XMLElement)
        #expect(suite.attribute(forName: "failures")?.stringValue == "3")
        let failure = try #require(try document.nodes(forXPath: "//failure").first as? XMLElement)
        #expect(failure.stringValue?.contains("\"reviews\"") == true, "entities decode back to the message")
    }

    @Test("exit 2 for unusable input, naming the file and why; never the usage text")
    func unusableInput() throws {
        let binary = try meshtrimBinaryPath()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("nope").path
        let broken = directory.appendingPathComponent("broken.yaml")
        try "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: x\n".write(to: broken, atomically: true, encoding: .utf8)
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let other = empty.appendingPathComponent("service.yaml")
        try "apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: y}\n".write(to: other, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["check", "--demo", missing], "\(missing): no such file or directory"),
            (["check", "--demo", broken.path], "\(broken.path):"),
            (["check", "--demo", empty.path], "no Sidecar (networking.istio.io) to check"),
            (["check", "--snapshot", missing, empty.path], "no Sidecar"),
        ]
        for (arguments, expected) in cases {
            let result = try runProcess([binary] + arguments)
            #expect(result.exitCode == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("USAGE"))
            #expect(result.stdout.isEmpty)
        }
        try Self.messaging.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let snapshot = try runProcess([binary, "check", "--snapshot", missing, directory.appendingPathComponent("a.yaml").path])
        #expect(snapshot.exitCode == 2 && snapshot.stderr.contains(missing), "an unreadable mesh names its file: \(snapshot.stderr)")
        #expect(try runProcess([binary, "check", "--demo"]).exitCode == 64, "no path is a usage error")
    }

    @Test("a plan directory passes (exit 0, warnings only with --strict); with one host removed it fails at that file's Sidecar line")
    func planDirectory() throws {
        let binary = try meshtrimBinaryPath()
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let plan = base.appendingPathComponent("plan")
        let written = try runProcess([binary, "plan", "--demo", "--allow-partial", "--out", plan.path, "-o", "json"])
        try #require(written.exitCode == 0, "\(written.stderr)")

        let passed = try runProcess([binary, "check", "--demo", plan.path, "--require-scope"])
        #expect(passed.exitCode == 0, "\(passed.stdout)\(passed.stderr)")
        #expect(!passed.stdout.contains(": error "), "\(passed.stdout)")
        #expect(passed.stdout.hasSuffix("0 errors, 1 warning\n"), "the mesh default's duplicated host, Istio's own warning: \(passed.stdout)")
        // The demo has sidecars whose counters were not read: the check says so, as plan does, on standard error.
        #expect(
            passed.stderr.contains("sidecars could not be read (") && passed.stderr.contains("traffic only they send is not checked"),
            "\(passed.stderr)")
        let strict = try runProcess([binary, "check", "--demo", plan.path, "--strict"])
        #expect(strict.exitCode == 1, "--strict fails on the warning")

        // billing's planned Sidecar keeps identity-api, which billing's pods call.
        let file = plan.appendingPathComponent("wave-1/billing-default.yaml")
        let host = "identity/identity-api.identity.svc.cluster.local"
        let text = try String(contentsOf: file, encoding: .utf8)
        try #require(text.contains("- \(host)\n"), "\(text)")
        try text.replacingOccurrences(of: "    - \(host)\n", with: "").write(to: file, atomically: true, encoding: .utf8)
        let failed = try runProcess([binary, "check", "--demo", plan.path])
        #expect(failed.exitCode == 1, "\(failed.stdout)\(failed.stderr)")
        let errors = failed.stdout.split(separator: "\n").filter { $0.contains(": error ") }
        #expect(!errors.isEmpty)
        for error in errors {
            #expect(error.hasPrefix("\(file.path):2: error [MT0001] pod billing/"), "\(error)")
            #expect(error.contains("add \"\(host)\""), "\(error)")
        }
        let json = try runProcess([binary, "check", "--demo", plan.path, "-o", "json"])
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let cuts = findings.filter { $0["code"] as? String == "MT0001" }
        #expect(cuts.count == errors.count)
        #expect(cuts.allSatisfy { $0["destination"] as? String == host && $0["line"] as? Int == 2 && $0["sidecar"] as? String == "billing/default" })
    }

    @Test("-o github escapes properties and data as GitHub reads them")
    func githubEscaping() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("odd,name:1.yaml")
        try Self.messaging.replacingOccurrences(of: "- reviews", with: "- \"ns/50%\"").write(to: file, atomically: true, encoding: .utf8)
        let result = try runProcess([try meshtrimBinaryPath(), "check", "--demo", file.path, "-o", "github"])
        #expect(result.exitCode == 1)
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("::error ") }, "\(result.stdout)")
        #expect(line.contains("file=\(directory.path)/odd%2Cname%3A1.yaml,line=10,"), "\(line)")
        #expect(line.contains("50%25"), "\(line)")
        #expect(line.components(separatedBy: "::").count == 3, "properties, then the message: \(line)")
    }

    @Test("against manifests (Istio's analyzer fixture): a conflicting selector fails at the Sidecar's line; - reads standard input")
    func manifestsAndStandardInput() throws {
        let fixture = sharedFixture("pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml")
        let sidecar = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: reviews-trim, namespace: default}
            spec:
              workloadSelector:
                labels: {app: reviews}
              egress:
              - hosts: ["./*", "istio-system/*"]
            """
        let result = try runProcess(
            [try meshtrimBinaryPath(), "check", "-", "--require-scope", "-o", "json", "--manifests", fixture], stdin: sidecar)
        #expect(result.exitCode == 1, "\(result.stdout)\(result.stderr)")
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let conflicts = findings.filter { $0["code"] as? String == "IST0110" }
        #expect(conflicts.count == 2, "dupe-1 and dupe-2 select the same pods: \(result.stdout)")
        #expect(conflicts.allSatisfy { $0["file"] as? String == "-" && $0["line"] as? Int == 1 && $0["sidecar"] as? String == "default/reviews-trim" })
        #expect(!findings.contains { $0["code"] as? String == "MT0001" }, "manifests carry no observed traffic")
    }

    @Test("Prometheus: --window without --prometheus is a usage error (64); an unreachable server is unusable input (2)")
    func prometheus() throws {
        let directory = try Self.goldenDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try meshtrimBinaryPath()
        let usage = try runProcess([binary, "check", "--demo", directory.path, "--window", "7d"])
        #expect(usage.exitCode == 64, "\(usage.stderr)")
        #expect(usage.stderr.contains("--window needs --prometheus"))
        let unreachable = try runProcess([binary, "check", "--demo", directory.path, "--prometheus", "http://127.0.0.1:1"])
        #expect(unreachable.exitCode == 2, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("http://127.0.0.1:1"), "\(unreachable.stderr)")
        #expect(unreachable.stdout.isEmpty)
    }
}
