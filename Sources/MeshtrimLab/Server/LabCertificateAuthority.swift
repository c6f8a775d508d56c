import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

#if canImport(Glibc)
    import Glibc
#endif

/// A self-signed certificate authority that issues server and client certificates, in process (swift-certificates
/// and swift-crypto), for the lab (EC P-256) and its tests (RSA too).
///
/// Certificates are X.509 v3, signed with SHA-256 (ECDSA or RSA, as the CA's key), valid from an hour ago for ten years; the CA carries a
/// critical `CA:TRUE` and `keyCertSign, cRLSign`, a leaf `CA:FALSE`, `digitalSignature, keyEncipherment`, the
/// extended usage of its kind, its subject key identifier and the CA's as authority key identifier. Every key is of
/// the CA's ``KeyType``.
public struct LabCertificateAuthority: Sendable {
    /// The kind of every key the CA makes, its own included.
    public enum KeyType: Sendable, Hashable {
        /// EC P-256, written as SEC1 `EC PRIVATE KEY` PEM (what k3s writes).
        case ecP256
        /// RSA 2048, written as PKCS#1 `RSA PRIVATE KEY` PEM (`openssl genrsa -traditional`).
        case rsa2048
    }

    /// One subject alternative name of a server certificate.
    public enum AlternativeName: Sendable, Hashable, CustomStringConvertible {
        /// A DNS name (`localhost`).
        case dnsName(String)
        /// An IPv4 or IPv6 address in text form (`127.0.0.1`, `::1`).
        case ipAddress(String)

        /// An IP address when `host` parses as one, else a DNS name.
        public init(host: String) {
            self = LabCertificateAuthority.addressBytes(host) == nil ? .dnsName(host) : .ipAddress(host)
        }

        /// As openssl and Go print it: `DNS:localhost`, `IP:127.0.0.1`.
        public var description: String {
            switch self {
            case .dnsName(let name): return "DNS:\(name)"
            case .ipAddress(let address): return "IP:\(address)"
            }
        }
    }

    /// What a leaf certificate is for (its extended key usage).
    public enum Usage: Sendable, Hashable {
        /// TLS server authentication.
        case server
        /// TLS client authentication.
        case client
    }

    /// An issued certificate and its key, both PEM.
    public struct Issued: Sendable, Hashable {
        /// The certificate, PEM.
        public var certificate: String
        /// The key, PEM (SEC1 or PKCS#1, as ``KeyType`` says).
        public var key: String
    }

    /// The CA certificate, PEM.
    public let certificate: String
    /// The CA key, PEM.
    public let key: String
    /// The kind of its keys.
    public let keyType: KeyType

    private let name: DistinguishedName
    private let signingKey: Certificate.PrivateKey
    private let keyIdentifier: ArraySlice<UInt8>
    private let notValidBefore: Date
    private let notValidAfter: Date

    /// Makes a new CA with a fresh key.
    ///
    /// - Throws: ``LabError`` when the key or certificate cannot be made or encoded.
    public init(commonName: String, keyType: KeyType = .ecP256) throws {
        let (signingKey, keyPEM) = try Self.makeKey(keyType, for: commonName)
        let now = Date()
        self.keyType = keyType
        self.signingKey = signingKey
        self.key = keyPEM
        self.notValidBefore = now - 3_600
        self.notValidAfter = now + 3_650 * 86_400
        let publicKey = signingKey.publicKey
        let identifier = SubjectKeyIdentifier(hash: publicKey)
        self.keyIdentifier = identifier.keyIdentifier
        do {
            let name = try DistinguishedName { CommonName(commonName) }
            self.name = name
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey, notValidBefore: notValidBefore,
                notValidAfter: notValidAfter, issuer: name, subject: name,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    identifier
                },
                issuerPrivateKey: signingKey)
            self.certificate = try certificate.serializeAsPEM().pemString
        } catch {
            throw LabError("cannot make the lab's CA certificate \(commonName): \(error)")
        }
    }

    /// Issues a certificate for a fresh key, signed by this CA.
    ///
    /// - Parameters:
    ///   - commonName: the subject's CN.
    ///   - organization: the subject's O (before the CN, as `/O=…/CN=…`), for a client's Kubernetes group.
    ///   - alternativeNames: the subject alternative names, in this order; none leaves the extension out.
    ///   - usage: server or client authentication.
    /// - Throws: ``LabError`` naming the certificate, for an IP address that does not parse or an encoding failure.
    public func issue(
        commonName: String, organization: String? = nil, alternativeNames: [AlternativeName] = [], usage: Usage
    ) throws -> Issued {
        let (leafKey, leafPEM) = try Self.makeKey(keyType, for: commonName)
        let publicKey = leafKey.publicKey
        var names: [GeneralName] = []
        var seen = Set<AlternativeName>()
        for alternative in alternativeNames where seen.insert(alternative).inserted {
            switch alternative {
            case .dnsName(let name):
                names.append(.dnsName(name))
            case .ipAddress(let address):
                guard let bytes = Self.addressBytes(address) else {
                    throw LabError("cannot issue the certificate \(commonName): \(address) is not an IPv4 or IPv6 address")
                }
                names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
            }
        }
        do {
            let subject = try DistinguishedName {
                if let organization { OrganizationName(organization) }
                CommonName(commonName)
            }
            let extensions = try Certificate.Extensions {
                BasicConstraints.notCertificateAuthority
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([usage == .server ? .serverAuth : .clientAuth])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: keyIdentifier)
                if !names.isEmpty { SubjectAlternativeNames(names) }
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey, notValidBefore: notValidBefore,
                notValidAfter: notValidAfter, issuer: name, subject: subject, extensions: extensions,
                issuerPrivateKey: signingKey)
            return Issued(certificate: try certificate.serializeAsPEM().pemString, key: leafPEM)
        } catch {
            throw LabError("cannot issue the certificate \(commonName): \(error)")
        }
    }

    /// A fresh key of `type` and its PEM.
    static func makeKey(_ type: KeyType, for commonName: String) throws -> (Certificate.PrivateKey, String) {
        do {
            switch type {
            case .ecP256:
                let key = P256.Signing.PrivateKey()
                return (Certificate.PrivateKey(key), try sec1PEM(key))
            case .rsa2048:
                let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                return (Certificate.PrivateKey(key), key.pemRepresentation)
            }
        } catch {
            throw LabError("cannot make a key for the certificate \(commonName): \(error)")
        }
    }

    /// The SEC1 `ECPrivateKey` of RFC 5915 (version 1, the key, the named curve, the public key) as PEM: what
    /// `openssl ecparam -genkey` and k3s write (swift-crypto itself writes PKCS#8).
    static func sec1PEM(_ key: P256.Signing.PrivateKey) throws -> String {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(key.rawRepresentation)))
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.serialize(ASN1ObjectIdentifier.NamedCurves.secp256r1)
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                try coder.serialize(ASN1BitString(bytes: ArraySlice(key.publicKey.x963Representation)))
            }
        }
        return PEMDocument(type: "EC PRIVATE KEY", derBytes: serializer.serializedBytes).pemString
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address in text form, else `nil`.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
