import Foundation
import MeshtrimTestSupport
import Testing

/// A `meshtrim lab` running in the background for one test: the shared ``TestLab`` of MeshtrimTestSupport.
///
/// Use ``withLab(_:needsEnvoy:body:)``: it starts the lab, waits for its kubeconfig, runs the test, then stops the
/// lab with SIGTERM and checks that none of its Envoys survived (`pgrep -f STATE/envoy` finds nothing).
typealias LabProcess = TestLab

extension TestLab {
    /// The kubeconfig's text.
    var kubeconfigText: String { (try? String(contentsOfFile: kubeconfig, encoding: .utf8)) ?? "" }

    /// The server URL from the kubeconfig.
    var server: String { field("server") ?? "" }

    /// The admin token from the kubeconfig.
    var adminToken: String { field("token") ?? "" }

    /// The CA certificate (PEM) from the kubeconfig.
    var caCertificate: String {
        guard let data = field("certificate-authority-data").flatMap({ Data(base64Encoded: $0) }) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A `name: value` field of the kubeconfig, read as text (these tests check the file kubectl reads, not
    /// meshtrim's own loader).
    private func field(_ name: String) -> String? {
        for line in kubeconfigText.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("\(name): ") { return String(trimmed.dropFirst(name.count + 2)) }
        }
        return nil
    }
}

/// Runs `body` against a lab started with `arguments`; always stops the lab and checks its Envoys are gone.
func withLab(_ arguments: [String], needsEnvoy: Bool, body: (LabProcess) async throws -> Void) async throws {
    try requireTool("kubectl")
    let envoy = needsEnvoy ? try requireEnvoy() : nil
    let lab = try LabProcess()
    do {
        try await lab.start(arguments, envoy: envoy)
        try await body(lab)
    } catch {
        try await lab.stop()
        throw error
    }
    try await lab.stop()
}

/// A test failure with a message.
struct LabTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
