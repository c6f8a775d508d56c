import NIOSSL

/// Maps credentials to lab users: the two bearer tokens of the kubeconfig and the client certificate the lab issued.
struct LabAuthenticator: Sendable {
    /// The admin's token.
    var adminToken: String
    /// The read-only user's name and token.
    var viewerName: String
    var viewerToken: String
    /// The client certificate the lab issued (anything else signed by the CA is rejected too).
    var clientCertificate: NIOSSLCertificate?
    /// Whether the admin and certificate users are read-only as well (`--read-only`).
    var everyoneReadOnly: Bool

    /// The user for an `Authorization` header value and a verified peer certificate, or `nil` (401).
    func user(authorization: String?, peerCertificate: NIOSSLCertificate?) -> LabUser? {
        if let authorization, authorization.hasPrefix("Bearer ") {
            let token = authorization.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
            if token == adminToken {
                return LabUser(name: "lab-admin", groups: ["system:masters", "system:authenticated"], isReadOnly: everyoneReadOnly)
            }
            if token == viewerToken {
                return LabUser(name: viewerName, groups: ["system:authenticated"], isReadOnly: true)
            }
            // A wrong token is rejected even when a valid certificate is presented, as the API server does.
            return nil
        }
        if let peerCertificate, let clientCertificate, peerCertificate == clientCertificate {
            return LabUser(name: "lab-client-cert", groups: ["system:masters", "system:authenticated"], isReadOnly: everyoneReadOnly)
        }
        return nil
    }
}
