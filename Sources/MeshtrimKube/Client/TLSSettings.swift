import Foundation
import NIOSSL

/// Builds the TLS configuration of a context: the cluster's CA (data, file, or the system store), insecure mode,
/// and the client certificate (data or file; RSA, EC and PKCS#8 keys).
enum TLSSettings {
    /// The client configuration for `access`, with `execIdentity` (PEM certificate and key from an exec plugin)
    /// replacing the kubeconfig's client certificate when given.
    ///
    /// - Throws: ``KubeError`` (kind `configuration`) naming the unreadable or invalid file or field.
    static func make(for access: ClusterAccess, execIdentity: (certificate: String, key: String)? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        let cluster = access.cluster
        if cluster.insecureSkipTLSVerify == true {
            configuration.certificateVerification = .none
        } else if let pem = try certificateAuthorityPEM(access) {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            } catch {
                throw KubeError(.configuration, "the certificate authority of cluster \"\(access.clusterName)\" is not PEM certificates")
            }
            guard !certificates.isEmpty else {
                throw KubeError(.configuration, "the certificate authority of cluster \"\(access.clusterName)\" holds no certificate")
            }
            // kubectl trusts only the kubeconfig's CA when one is given.
            configuration.trustRoots = .certificates(certificates)
        }
        let identity: (certificate: String, key: String)?
        if let execIdentity {
            identity = execIdentity
        } else {
            identity = try clientIdentityPEM(access)
        }
        if let identity {
            do {
                let chain = try NIOSSLCertificate.fromPEMBytes(Array(identity.certificate.utf8))
                guard !chain.isEmpty else { throw KubeError(.configuration, "no certificate") }
                configuration.certificateChain = chain.map { .certificate($0) }
            } catch {
                throw KubeError(.configuration, "the client certificate of \(access.who) is not a PEM certificate")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.key.utf8), format: .pem))
            } catch {
                throw KubeError(
                    .configuration,
                    "the client key of \(access.who) is not a PEM private key (RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)")
            }
        }
        return configuration
    }

    /// The CA bundle: `certificate-authority-data` wins over `certificate-authority`; `nil` means the system store.
    static func certificateAuthorityPEM(_ access: ClusterAccess) throws -> String? {
        let cluster = access.cluster
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            return try decodeBase64(data, field: "certificate-authority-data of cluster \"\(access.clusterName)\"")
        }
        if let file = cluster.certificateAuthority, !file.isEmpty {
            return try readFile(file, field: "certificate-authority of cluster \"\(access.clusterName)\"")
        }
        return nil
    }

    /// The client certificate and key from the user stanza (`-data` wins over the file form).
    static func clientIdentityPEM(_ access: ClusterAccess) throws -> (certificate: String, key: String)? {
        let user = access.user
        var certificate: String?
        if let data = user.clientCertificateData, !data.isEmpty {
            certificate = try decodeBase64(data, field: "client-certificate-data of \(access.who)")
        } else if let file = user.clientCertificate, !file.isEmpty {
            certificate = try readFile(file, field: "client-certificate of \(access.who)")
        }
        var key: String?
        if let data = user.clientKeyData, !data.isEmpty {
            key = try decodeBase64(data, field: "client-key-data of \(access.who)")
        } else if let file = user.clientKey, !file.isEmpty {
            key = try readFile(file, field: "client-key of \(access.who)")
        }
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?): return (certificate, key)
        case (.some, nil): throw KubeError(.configuration, "\(access.who) has a client certificate but no client key")
        case (nil, .some): throw KubeError(.configuration, "\(access.who) has a client key but no client certificate")
        }
    }

    private static func decodeBase64(_ text: String, field: String) throws -> String {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else { throw KubeError(.configuration, "\(field) is not base64") }
        return String(decoding: data, as: UTF8.self)
    }

    private static func readFile(_ path: String, field: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeError(.configuration, "cannot read \(field): \(path): \(FileReadFailure.reason(error))")
        }
    }
}
