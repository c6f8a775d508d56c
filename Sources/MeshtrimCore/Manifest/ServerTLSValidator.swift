/// Istio's `validateTLSOptions` for a `ServerTLSSettings` (a Sidecar ingress listener's `tls`), messages word for word.
enum ServerTLSValidator {
    /// `ServerTLSSettings.TLSmode`, by its proto name; an absent mode is `PASSTHROUGH` (the enum's zero value).
    enum Mode: String, CaseIterable {
        case passthrough = "PASSTHROUGH"
        case simple = "SIMPLE"
        case mutual = "MUTUAL"
        case autoPassthrough = "AUTO_PASSTHROUGH"
        case istioMutual = "ISTIO_MUTUAL"
        case optionalMutual = "OPTIONAL_MUTUAL"
    }

    /// One `tlsCertificates` entry (or the top-level certificate pair).
    struct Certificate {
        var serverCertificate = ""
        var privateKey = ""
    }

    /// The fields of a `tls` object that the rules read.
    struct Settings {
        var mode = Mode.passthrough
        var minProtocolVersion = ""
        var cipherSuites: [String] = []
        var serverCertificate = ""
        var privateKey = ""
        var caCertificates = ""
        var caCrl = ""
        var credentialName = ""
        var credentialNames: [String] = []
        var tlsCertificates: [Certificate] = []
        /// Values Istio's decoder would reject (an unknown enum name), as meshtrim's messages.
        var malformed: [String] = []

        /// Reads `tls` as written; enum values may be names or numbers, as protobuf's JSON form allows.
        init(_ tls: JSONValue) {
            if let value = tls["mode"], value != .null {
                if let name = value.stringValue, let mode = Mode(rawValue: name) {
                    self.mode = mode
                } else if let number = value.intValue, Mode.allCases.indices.contains(number) {
                    self.mode = Mode.allCases[number]
                } else {
                    malformed.append(
                        "tls.mode \(value.stringValue.map(goQuoted) ?? value.jsonText) is not one of "
                            + Mode.allCases.map(\.rawValue).joined(separator: ", "))
                }
            }
            if let version = tls["minProtocolVersion"] {
                let versions = ["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"]
                minProtocolVersion = version.stringValue ?? version.intValue.flatMap { versions.indices.contains($0) ? versions[$0] : nil } ?? ""
            }
            cipherSuites = (tls["cipherSuites"]?.arrayValue ?? []).compactMap(\.stringValue)
            serverCertificate = tls["serverCertificate"]?.stringValue ?? ""
            privateKey = tls["privateKey"]?.stringValue ?? ""
            caCertificates = tls["caCertificates"]?.stringValue ?? ""
            caCrl = tls["caCrl"]?.stringValue ?? ""
            credentialName = tls["credentialName"]?.stringValue ?? ""
            credentialNames = (tls["credentialNames"]?.arrayValue ?? []).compactMap(\.stringValue)
            tlsCertificates = (tls["tlsCertificates"]?.arrayValue ?? []).map { entry in
                Certificate(
                    serverCertificate: entry["serverCertificate"]?.stringValue ?? "", privateKey: entry["privateKey"]?.stringValue ?? "")
            }
        }
    }

    /// Cipher suites Istio accepts (`security.ValidCipherSuites`, BoringSSL's names without PSK).
    static let validCipherSuites: Set<String> = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA",
    ]

    /// Istio's `security.IsValidCipherSuite`: empty, `ALL`, an expression starting with an operator, or a known name.
    static func isValidCipherSuite(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name != "ALL" else { return true }
        if !first.properties.isAlphabetic && first.properties.numericType == nil { return true }
        return validCipherSuites.contains(name)
    }

    /// Every problem, Istio's order: cipher warnings, the ISTIO_MUTUAL rules, PASSTHROUGH's warning, one certificate
    /// source, the certificates SIMPLE and MUTUAL need, CRL.
    /// Locations are left to the caller.
    static func problems(_ tls: Settings) -> [SidecarProblem] {
        var problems = tls.malformed.map { SidecarProblem(.error, $0, code: SidecarValidator.Code.malformedField) }
        func error(_ message: String) { problems.append(SidecarProblem(.error, message)) }
        func warning(_ message: String) { problems.append(SidecarProblem(.warning, message)) }
        if (tls.minProtocolVersion == "TLSV1_0" || tls.minProtocolVersion == "TLSV1_1") && tls.cipherSuites.isEmpty {
            warning("TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.")
        }
        var invalid = Set<String>()
        var valid = Set<String>()
        var duplicates = Set<String>()
        for suite in tls.cipherSuites {
            if !isValidCipherSuite(suite) {
                invalid.insert(suite)
            } else if !valid.insert(suite).inserted {
                duplicates.insert(suite)
            }
        }
        if !invalid.isEmpty { warning("ignoring invalid cipher suites: [\(invalid.sorted().joined(separator: " "))]") }
        if !duplicates.isEmpty { warning("ignoring duplicate cipher suites: [\(duplicates.sorted().joined(separator: " "))]") }
        if tls.mode == .istioMutual {
            if !tls.serverCertificate.isEmpty { error("ISTIO_MUTUAL TLS cannot have associated server certificate") }
            if !tls.privateKey.isEmpty { error("ISTIO_MUTUAL TLS cannot have associated private key") }
            if !tls.caCertificates.isEmpty { error("ISTIO_MUTUAL TLS cannot have associated CA bundle") }
            if !tls.tlsCertificates.isEmpty { error("ISTIO_MUTUAL TLS cannot have associated tlsCertificates") }
            if !tls.credentialName.isEmpty { error("ISTIO_MUTUAL TLS cannot have associated credentialName") }
            if !tls.credentialNames.isEmpty { error("ISTIO_MUTUAL TLS cannot have associated credentialNames") }
            return problems
        }
        if tls.mode == .passthrough || tls.mode == .autoPassthrough {
            let certificates = [tls.caCrl, tls.serverCertificate, tls.privateKey, tls.caCertificates, tls.credentialName]
            if certificates.contains(where: { !$0.isEmpty }) || !tls.tlsCertificates.isEmpty || !tls.credentialNames.isEmpty {
                warning("\(tls.mode.rawValue) mode does not use certificates, they will be ignored")
            }
        }
        let sources = [
            !tls.serverCertificate.isEmpty && !tls.privateKey.isEmpty, !tls.credentialName.isEmpty, !tls.credentialNames.isEmpty,
            !tls.tlsCertificates.isEmpty,
        ]
        if sources.filter({ $0 }).count > 1 {
            error("only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified")
        }
        let needsCertificates = tls.mode == .simple || tls.mode == .mutual || tls.mode == .optionalMutual
        if needsCertificates && (!tls.credentialName.isEmpty || !tls.credentialNames.isEmpty) { return problems }
        if needsCertificates {
            let prefix = tls.mode == .simple ? "SIMPLE TLS" : "MUTUAL TLS"
            if tls.mode != .simple && tls.caCertificates.isEmpty { error("\(prefix) requires a client CA bundle") }
            if tls.tlsCertificates.count > 2 { warning("\(prefix) can support up to 2 server certificates") }
            let certificates =
                tls.tlsCertificates.isEmpty
                ? [Certificate(serverCertificate: tls.serverCertificate, privateKey: tls.privateKey)] : tls.tlsCertificates
            for certificate in certificates {
                if certificate.serverCertificate.isEmpty { error("\(prefix) requires a server certificate") }
                if certificate.privateKey.isEmpty { error("\(prefix) requires a private key") }
            }
        }
        if !tls.caCrl.isEmpty {
            if !tls.credentialName.isEmpty {
                error("CRL is not supported with credentialName. CRL has to be specified in the credential")
            }
            if tls.mode == .simple { error("CRL is not supported with SIMPLE TLS") }
        }
        return problems
    }
}
