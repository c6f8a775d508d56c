import Foundation
import MeshtrimProcess

/// The lab's PKI: a self-signed CA, the API server's certificate (SANs `IP:127.0.0.1`, `DNS:localhost`,
/// `DNS:kubernetes.default.svc` and the extra hosts) and a client certificate for the kubeconfig's certificate user,
/// all EC P-256, made in process by ``LabCertificateAuthority`` (swift-certificates), with no `openssl` command.
///
/// Keys are SEC1 `EC PRIVATE KEY` PEM, what k3s writes; kubectl, Go and NIOSSL read them.
public struct LabCertificates: Sendable {
    /// The CA certificate, PEM.
    public var caCertificate: String
    /// The server certificate, PEM.
    public var serverCertificate: String
    /// The server key, PEM.
    public var serverKey: String
    /// The client certificate (CN `lab-client-cert`, O `system:masters`), PEM.
    public var clientCertificate: String
    /// The client key, PEM.
    public var clientKey: String

    /// The server certificate's alternative names before `hosts`.
    public static let serverNames: [LabCertificateAuthority.AlternativeName] = [
        .ipAddress("127.0.0.1"), .dnsName("localhost"), .dnsName("kubernetes.default.svc"),
    ]

    /// Makes every certificate and key and writes them to `directory` (created if needed) as `ca.crt`, `ca.key`,
    /// `server.crt`, `server.key`, `client.crt` and `client.key` (keys readable by the owner only).
    ///
    /// - Parameter hosts: extra DNS names or IP addresses (v4 or v6) for the server certificate.
    /// - Throws: ``LabError`` naming the file that could not be written, or the certificate that could not be made.
    public static func generate(in directory: String, hosts: [String] = []) throws -> LabCertificates {
        let authority = try LabCertificateAuthority(commonName: "meshtrim-lab-ca")
        let server = try authority.issue(
            commonName: "kube-apiserver", alternativeNames: serverNames + hosts.map(LabCertificateAuthority.AlternativeName.init(host:)),
            usage: .server)
        let client = try authority.issue(commonName: "lab-client-cert", organization: "system:masters", usage: .client)
        let certificates = LabCertificates(
            caCertificate: authority.certificate, serverCertificate: server.certificate, serverKey: server.key,
            clientCertificate: client.certificate, clientKey: client.key)
        try certificates.write(to: directory, caKey: authority.key)
        return certificates
    }

    /// Writes the PEM files, replacing those of an earlier run.
    private func write(to directory: String, caKey: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LabError("cannot create the lab's certificate directory \(directory): \(error.localizedDescription)")
        }
        let files: [(name: String, text: String, permissions: mode_t)] = [
            ("ca.crt", caCertificate, 0o644), ("ca.key", caKey, 0o600), ("server.crt", serverCertificate, 0o644),
            ("server.key", serverKey, 0o600), ("client.crt", clientCertificate, 0o644), ("client.key", clientKey, 0o600),
        ]
        for file in files {
            do {
                try AtomicFileWriter.write(
                    Data(file.text.utf8), to: "\(directory)/\(file.name)", mode: .overwrite, permissions: file.permissions)
            } catch {
                throw LabError("cannot write the lab's \(file.name): \(error)")
            }
        }
    }
}
