import NIOSSL

/// Loads certificates from PEM text.
enum NIOSSLCertificateLoader {
    /// The first certificate of a PEM bundle.
    ///
    /// - Throws: ``LabError`` when the text holds no certificate.
    static func first(pem: String) throws -> NIOSSLCertificate {
        guard let certificate = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)).first else {
            throw LabError("the PEM text holds no certificate")
        }
        return certificate
    }
}
