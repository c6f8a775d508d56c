import Foundation
import MeshtrimTestSupport
import Testing

/// `meshtrim validate` on files and directories with the real binary: Istio's ingress rules in Istio's words,
/// meshtrim's own warnings with their code, directories read recursively.
@Suite("CLI: validate")
struct ValidateCLITests {
    /// `Tests/MeshtrimCoreTests/Fixtures/validation` (see its SOURCES.md).
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MeshtrimCoreTests/Fixtures/validation").path

    @Test("a directory is read recursively, its .yaml files only, with Istio's ingress messages and meshtrim's codes")
    func directory() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "validate", fixtures])
        #expect(result.exitCode == 1, "\(result.stderr)")
        let broken = "\(fixtures)/broken/ingress-mistakes.yaml: Sidecar test/ingress-sidecar: "
        let published = "\(fixtures)/istio-io-ingress-sidecar-tls-termination.yaml: Sidecar test/ingress-sidecar: "
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                broken + "error: spec.ingress[0]: sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,"
                    + "[::1]:port,[::]:port,unix://filepath or unset",
                broken + "error: spec.ingress[0]: configuration is invalid: cannot set mode to ISTIO_MUTUAL in sidecar ingress tls",
                broken + "error: spec.ingress[0]: server cannot have TLS settings for non HTTPS/TLS ports",
                broken + "warning: spec.ingress[1]: sidecar: HTTP connection pool settings are configured for port 9081 "
                    + "(\"internal\") but its protocol is not HTTP (TCP); only TCP settings will apply",
                published + "warning [MT0003]: no egress listeners: Istio gives the selected workloads egress */* (every "
                    + "service in the mesh); it does not fall back to the root namespace's Sidecar (istio/istio#59376) "
                    + "(add spec.egress with the hosts they need, e.g. ./* and istio-system/*)",
                "2 Sidecars checked, 3 errors, 2 warnings",
            ], "\(result.stdout)")
    }

    @Test("the Sidecar Istio's docs publish for ingress TLS termination has no Istio error")
    func publishedIngressTLS() throws {
        let result = try runProcess([
            try meshtrimBinaryPath(), "validate", "\(fixtures)/istio-io-ingress-sidecar-tls-termination.yaml",
        ])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasSuffix("1 Sidecar checked, 0 errors, 1 warning\n"), "\(result.stdout)")
    }

    @Test("a missing file is named and counted, exit 1")
    func missingFile() throws {
        let result = try runProcess([try meshtrimBinaryPath(), "validate", "/nonexistent/sidecar.yaml"])
        #expect(result.exitCode == 1)
        #expect(result.stderr == "/nonexistent/sidecar.yaml: error: no such file\n")
        #expect(result.stdout.contains("1 unreadable file"), "\(result.stdout)")
    }
}
