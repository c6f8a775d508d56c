import Foundation

/// The lab's PKI: a self-signed CA, the API server's certificate (SAN `IP:127.0.0.1`, `DNS:localhost`) and a client
/// certificate for the kubeconfig's certificate user, all EC P-256, made with the `openssl` command.
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

    /// Makes every certificate and key in `directory` (created if needed).
    ///
    /// - Parameter hosts: extra DNS names or IP addresses for the server certificate.
    /// - Throws: ``LabError`` when `openssl` is missing or fails, with its output.
    public static func generate(in directory: String, hosts: [String] = []) throws -> LabCertificates {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile(atPath:))
        guard let openssl else {
            throw LabError("the lab makes its certificates with the openssl command, which is not installed (apt-get install openssl)")
        }
        func path(_ name: String) -> String { "\(directory)/\(name)" }
        func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            do { try process.run() } catch { throw LabError("cannot run openssl: \(error.localizedDescription)") }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw LabError("openssl \(arguments.first ?? "") failed (status \(process.terminationStatus)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        func key(_ name: String) throws { try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path(name)]) }
        func sign(_ name: String, subject: String, extensions: String) throws {
            try run(["req", "-new", "-key", path("\(name).key"), "-subj", subject, "-out", path("\(name).csr")])
            try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try run([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial",
                "-days", "3650", "-sha256", "-extfile", path("\(name).ext"), "-out", path("\(name).crt"),
            ])
        }

        try key("ca.key")
        try run([
            "req", "-x509", "-new", "-key", path("ca.key"), "-sha256", "-days", "3650", "-subj", "/CN=meshtrim-lab-ca",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", path("ca.crt"),
        ])
        let alternativeNames = (["IP:127.0.0.1", "DNS:localhost", "DNS:kubernetes.default.svc"] + hosts.map { host in
            host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? "IP:\(host)" : "DNS:\(host)"
        })
        try key("server.key")
        try sign(
            "server", subject: "/CN=kube-apiserver",
            extensions: """
                basicConstraints=CA:FALSE
                keyUsage=critical,digitalSignature,keyEncipherment
                extendedKeyUsage=serverAuth
                subjectAltName=\(Array(Set(alternativeNames)).sorted().joined(separator: ","))

                """)
        try key("client.key")
        try sign(
            "client", subject: "/O=system:masters/CN=lab-client-cert",
            extensions: """
                basicConstraints=CA:FALSE
                keyUsage=critical,digitalSignature,keyEncipherment
                extendedKeyUsage=clientAuth

                """)
        func read(_ name: String) throws -> String {
            do { return try String(contentsOfFile: path(name), encoding: .utf8) } catch {
                throw LabError("cannot read \(path(name)): \(error.localizedDescription)")
            }
        }
        return LabCertificates(
            caCertificate: try read("ca.crt"), serverCertificate: try read("server.crt"), serverKey: try read("server.key"),
            clientCertificate: try read("client.crt"), clientKey: try read("client.key"))
    }
}
