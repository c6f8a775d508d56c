import Foundation
import SwiftASN1
import Testing
import X509

@testable import MeshtrimLab

/// The lab's PKI, made in process: every certificate verifies against the CA as a TLS client verifies it
/// (swift-certificates' RFC 5280 and server identity policies), carries the names and usages it is for, and its key
/// is the SEC1 key of its public key. kubectl and NIOSSL using them end to end are KubectlAgainstLabTests and
/// AuthenticationTests.
@Suite struct LabCertificatesTests {
    /// Whether `leaf` chains to `ca` for a server at `host` (DNS name or IP), now.
    private func verifies(_ leaf: Certificate, ca: Certificate, hostname: String?, ip: String?) async -> Bool {
        var verifier = Verifier(rootCertificates: CertificateStore([ca])) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: hostname, serverIP: ip)
        }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) { return true }
        return false
    }

    /// The certificate's key, read back from its SEC1 PEM, matches its public key.
    private func keyMatches(_ issuedKey: String, _ certificate: Certificate) throws -> Bool {
        #expect(issuedKey.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let key = try Certificate.PrivateKey(pemEncoded: issuedKey)
        return key.publicKey == certificate.publicKey
    }

    @Test func theLabsServerAndClientCertificatesAreWhatKubectlExpects() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-pki-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pki = try LabCertificates.generate(in: directory, hosts: ["lab.example", "10.0.0.7", "::1"])
        let ca = try Certificate(pemEncoded: pki.caCertificate)
        let server = try Certificate(pemEncoded: pki.serverCertificate)
        let client = try Certificate(pemEncoded: pki.clientCertificate)

        #expect(ca.subject.description == "CN=meshtrim-lab-ca" && ca.issuer == ca.subject)
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(try ca.extensions.keyUsage?.keyCertSign == true)

        let names = try #require(try server.extensions.subjectAlternativeNames)
        #expect(Array(names) == [
            .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost"), .dnsName("kubernetes.default.svc"),
            .dnsName("lab.example"), .ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 7])),
            .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
        ])
        #expect(try server.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(try server.extensions.basicConstraints == .notCertificateAuthority)
        for (hostname, ip) in [("localhost", nil), ("kubernetes.default.svc", nil), (nil, "127.0.0.1"), ("lab.example", nil), (nil, "::1")] {
            #expect(await verifies(server, ca: ca, hostname: hostname, ip: ip), "\(hostname ?? ip ?? "")")
        }
        #expect(await !verifies(server, ca: ca, hostname: "api.example.com", ip: nil), "a name it does not carry")
        #expect(await !verifies(server, ca: ca, hostname: nil, ip: "127.0.0.2"), "an address it does not carry")
        #expect(try keyMatches(pki.serverKey, server))

        // O before CN in the DER, as `/O=system:masters/CN=lab-client-cert` (RFC 4514 text prints the last first).
        #expect(Array(client.subject).map(\.description) == ["O=system:masters", "CN=lab-client-cert"])
        #expect(try client.extensions.extendedKeyUsage?.contains(.clientAuth) == true)
        #expect(try client.extensions.subjectAlternativeNames == nil)
        #expect(try keyMatches(pki.clientKey, client))
        #expect(ca.publicKey.isValidSignature(client.signature, for: client))

        // The files beside the lab's state, keys for the owner only.
        for name in ["ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")
            let permissions = try #require(attributes[.posixPermissions] as? Int)
            #expect(permissions == (name.hasSuffix(".key") ? 0o600 : 0o644), "\(name)")
        }
        #expect(try String(contentsOfFile: "\(directory)/server.crt", encoding: .utf8) == pki.serverCertificate)
        // A second run (a lab restarted on the same state directory) replaces them.
        let again = try LabCertificates.generate(in: directory)
        #expect(again.caCertificate != pki.caCertificate)
        #expect(try String(contentsOfFile: "\(directory)/ca.crt", encoding: .utf8) == again.caCertificate)
    }

    @Test func aCertificateWithOnlyAnIPAddressVerifiesForThatAddressAlone() async throws {
        let authority = try LabCertificateAuthority(commonName: "ip-only-ca")
        let issued = try authority.issue(commonName: "ip-only", alternativeNames: [.ipAddress("127.0.0.1")], usage: .server)
        let ca = try Certificate(pemEncoded: authority.certificate)
        let leaf = try Certificate(pemEncoded: issued.certificate)
        #expect(Array(try #require(try leaf.extensions.subjectAlternativeNames)) == [.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
        #expect(await verifies(leaf, ca: ca, hostname: nil, ip: "127.0.0.1"))
        #expect(await !verifies(leaf, ca: ca, hostname: "localhost", ip: nil))
        #expect(try keyMatches(issued.key, leaf))
        // Signed by this CA only.
        let other = try Certificate(pemEncoded: try LabCertificateAuthority(commonName: "other-ca").certificate)
        #expect(await !verifies(leaf, ca: other, hostname: nil, ip: "127.0.0.1"))
    }

    @Test func anRSAAuthorityIssuesRSACertificatesWithPKCS1Keys() async throws {
        let authority = try LabCertificateAuthority(commonName: "rsa-ca", keyType: .rsa2048)
        #expect(authority.key.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let issued = try authority.issue(commonName: "rsa-server", alternativeNames: [.dnsName("meshtrim-test.local")], usage: .server)
        #expect(issued.key.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let ca = try Certificate(pemEncoded: authority.certificate)
        let leaf = try Certificate(pemEncoded: issued.certificate)
        #expect(leaf.signatureAlgorithm == .sha256WithRSAEncryption)
        #expect(await verifies(leaf, ca: ca, hostname: "meshtrim-test.local", ip: nil))
        #expect(await !verifies(leaf, ca: ca, hostname: nil, ip: "127.0.0.1"), "no IP SAN")
        #expect(try Certificate.PrivateKey(pemEncoded: issued.key).publicKey == leaf.publicKey)
    }

    @Test func hostsAreAddressesWhenTheyParseAsOne() throws {
        #expect(LabCertificateAuthority.AlternativeName(host: "127.0.0.1") == .ipAddress("127.0.0.1"))
        #expect(LabCertificateAuthority.AlternativeName(host: "fe80::1") == .ipAddress("fe80::1"))
        #expect(LabCertificateAuthority.AlternativeName(host: "1.2.3") == .dnsName("1.2.3"))
        #expect(LabCertificateAuthority.AlternativeName(host: "my-lab.local") == .dnsName("my-lab.local"))
        #expect(LabCertificateAuthority.AlternativeName.ipAddress("::1").description == "IP:::1")
        let authority = try LabCertificateAuthority(commonName: "ca")
        #expect {
            try authority.issue(commonName: "bad", alternativeNames: [.ipAddress("300.1.1.1")], usage: .server)
        } throws: { error in
            "\(error)".contains("cannot issue the certificate bad: 300.1.1.1 is not an IPv4 or IPv6 address")
        }
    }
}
