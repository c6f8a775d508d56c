import Foundation
import MeshtrimProcess

/// The kubeconfig a lab writes: one cluster (HTTPS, the lab's CA) and three users in three contexts.
///
/// | context | user | credential | may |
/// |---|---|---|---|
/// | `meshtrim-lab` | `lab-admin` | bearer token | everything |
/// | `meshtrim-lab-cert` | `lab-client-cert` | client certificate | everything |
/// | `meshtrim-lab-viewer` | the read-only user | bearer token | get, list, watch, pods/proxy |
public struct LabKubeconfig: Sendable {
    /// The server URL (`https://127.0.0.1:PORT`).
    public var server: String
    /// The certificates.
    public var certificates: LabCertificates
    /// The admin's bearer token.
    public var adminToken: String
    /// The read-only user's name.
    public var viewerName: String
    /// The read-only user's bearer token.
    public var viewerToken: String
    /// Whether the current context is the read-only one.
    public var readOnlyByDefault: Bool

    /// The name of the admin context.
    public static let adminContext = "meshtrim-lab"
    /// The name of the client-certificate context.
    public static let certificateContext = "meshtrim-lab-cert"
    /// The name of the read-only context.
    public static let viewerContext = "meshtrim-lab-viewer"

    /// The kubeconfig YAML.
    public var yaml: String {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        return """
            apiVersion: v1
            kind: Config
            preferences: {}
            current-context: \(readOnlyByDefault ? Self.viewerContext : Self.adminContext)
            clusters:
            - name: meshtrim-lab
              cluster:
                server: \(server)
                certificate-authority-data: \(base64(certificates.caCertificate))
            contexts:
            - name: \(Self.adminContext)
              context:
                cluster: meshtrim-lab
                user: lab-admin
                namespace: default
            - name: \(Self.certificateContext)
              context:
                cluster: meshtrim-lab
                user: lab-client-cert
                namespace: default
            - name: \(Self.viewerContext)
              context:
                cluster: meshtrim-lab
                user: \(viewerName)
                namespace: default
            users:
            - name: lab-admin
              user:
                token: \(adminToken)
            - name: lab-client-cert
              user:
                client-certificate-data: \(base64(certificates.clientCertificate))
                client-key-data: \(base64(certificates.clientKey))
            - name: \(viewerName)
              user:
                token: \(viewerToken)

            """
    }

    /// Writes the kubeconfig atomically (``AtomicFileWriter``), a new file with mode 0600 (it holds credentials);
    /// an existing one is replaced in place, keeping its mode and owner.
    ///
    /// - Throws: ``LabError`` naming the file.
    public func write(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        do {
            try AtomicFileWriter.write(Data(yaml.utf8), to: path, mode: .overwrite, permissions: 0o600)
        } catch {
            throw LabError("cannot write the kubeconfig \(error.path): \(error.message)")
        }
    }

    /// A random 32-byte token, hex.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }
}
