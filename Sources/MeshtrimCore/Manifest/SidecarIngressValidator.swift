/// Istio's `ValidateSidecar` rules for `spec.ingress`, on the listeners as written (the ``Sidecar`` model keeps only
/// their ports): port name, protocol and number, `bind`, `targetPort`, unique ports, `defaultEndpoint`, `tls` and the
/// per-port `connectionPool`. Messages are Istio's.
///
/// A listener that is null or has no port is reported by ``SidecarDocumentReader`` (Istio's "ingress may not be
/// null" and "port is required for ingress listeners"), so it is skipped here, as Istio skips it.
enum SidecarIngressValidator {
    /// Every problem of `spec.ingress` (`spec` is the Sidecar's `spec` object).
    static func problems(in spec: JSONValue) -> [SidecarProblem] {
        guard let listeners = spec["ingress"]?.arrayValue else { return [] }
        var problems: [SidecarProblem] = []
        var ports = Set<Int>()
        for (index, listener) in listeners.enumerated() {
            let location = SidecarProblem.Location.ingressListener(index)
            func add(_ severity: SidecarProblem.Severity, _ message: String) {
                problems.append(SidecarProblem(severity, message, at: location))
            }
            guard case .object = listener, let port = listener["port"], case .object = port else { continue }
            // A number that is not a whole number is the reader's error; Istio's decoder stops there too.
            let numberValue = port["number"] ?? .null
            guard numberValue == .null || numberValue.intValue != nil else { continue }
            let number = numberValue.intValue ?? 0
            let name = port["name"]?.stringValue ?? ""
            let `protocol` = port["protocol"]?.stringValue ?? ""
            if let targetPort = port["targetPort"]?.intValue, targetPort > 0 {
                add(.error, "targetPort has no impact on Sidecars")
            }
            // validateSidecarIngressPortAndBind
            if !name.isEmpty && !DNSLabel.isValid(name.utf8) { add(.error, "invalid port name: \(name)") }
            if let problem = SidecarValidator.protocolProblem(`protocol`) { add(.error, problem) }
            if let problem = SidecarValidator.portNumberProblem(number) { add(.error, problem) }
            let bind = listener["bind"]?.stringValue ?? ""
            if !bind.isEmpty && !SidecarValidator.isIPAddress(bind) { add(.error, "\(bind) is not a valid IP") }
            if !ports.insert(number).inserted { add(.error, "sidecar: ports on IP bound listeners must be unique") }
            if let endpoint = listener["defaultEndpoint"]?.stringValue, !endpoint.isEmpty {
                for message in defaultEndpointProblems(endpoint) { add(.error, message) }
            }
            if let tls = listener["tls"], tls != .null {
                for problem in tlsProblems(tls, protocol: `protocol`) {
                    problems.append(
                        SidecarProblem(problem.severity, problem.message, at: location, origin: problem.origin, code: problem.code))
                }
            }
            if let pool = listener["connectionPool"], pool != .null {
                for problem in ConnectionPoolValidator.problems(pool) {
                    problems.append(
                        SidecarProblem(problem.severity, problem.message, at: location, origin: problem.origin, code: problem.code))
                }
                if let http = pool["http"], http != .null, !isHTTP(`protocol`) {
                    add(
                        .warning,
                        "sidecar: HTTP connection pool settings are configured for port \(number) (\(goQuoted(name))) "
                            + "but its protocol is not HTTP (\(`protocol`)); only TCP settings will apply")
                }
            }
        }
        return problems
    }

    /// `127.0.0.1:PORT`, `0.0.0.0:PORT`, `[::1]:PORT`, `[::]:PORT`, `:PORT` or `unix://PATH`, with Go's
    /// `net.SplitHostPort` and `strconv.Atoi` errors word for word.
    static func defaultEndpointProblems(_ endpoint: String) -> [String] {
        let unixPrefix = "unix://"
        if endpoint.hasPrefix(unixPrefix) {
            return SidecarValidator.unixAddressProblem(String(endpoint.dropFirst(unixPrefix.count))).map { [$0] } ?? []
        }
        var messages: [String] = []
        var host = ""
        var port = ""
        switch GoAddress.splitHostPort(endpoint) {
        case .success(let parts): (host, port) = parts
        case .failure(let error): messages.append(error.message)
        }
        if !host.isEmpty && !["127.0.0.1", "0.0.0.0", "::1", "::"].contains(host) {
            messages.append(
                "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset")
        }
        switch GoAddress.atoi(port) {
        case .success(let number):
            if let problem = SidecarValidator.portNumberProblem(number) { messages.append(problem) }
        case .failure(let error):
            messages.append("sidecar: defaultEndpoint port (\(port)) is not a number: \(error.message)")
        }
        return messages
    }

    /// The ingress-only TLS rules, then ``ServerTLSValidator`` (Istio's `validateTLSOptions`).
    static func tlsProblems(_ tls: JSONValue, protocol: String) -> [SidecarProblem] {
        guard case .object = tls else {
            return [SidecarProblem(.error, "tls must be a mapping", code: SidecarValidator.Code.malformedField)]
        }
        var problems: [SidecarProblem] = []
        func error(_ message: String) { problems.append(SidecarProblem(.error, message)) }
        if !(tls["subjectAltNames"]?.arrayValue ?? []).isEmpty {
            error("sidecar: subjectAltNames is not supported in ingress tls")
        }
        if tls["httpsRedirect"]?.boolValue == true { error("sidecar: httpsRedirect is not supported") }
        if !(tls["credentialName"]?.stringValue ?? "").isEmpty {
            error("sidecar: credentialName is not currently supported")
        }
        if !(tls["credentialNames"]?.arrayValue ?? []).isEmpty {
            error("sidecar: credentialNames is not currently supported")
        }
        if !(tls["tlsCertificates"]?.arrayValue ?? []).isEmpty {
            error("sidecar: tls_certificates is not currently supported")
        }
        let settings = ServerTLSValidator.Settings(tls)
        if settings.mode == .istioMutual || settings.mode == .autoPassthrough {
            error("configuration is invalid: cannot set mode to \(settings.mode.rawValue) in sidecar ingress tls")
        }
        if !["https", "tls"].contains(`protocol`.lowercased()) {
            error("server cannot have TLS settings for non HTTPS/TLS ports")
        }
        return problems + ServerTLSValidator.problems(settings)
    }

    /// Istio's `protocol.Instance.IsHTTP`: HTTP, HTTP2, HTTP_PROXY, GRPC and GRPC-Web.
    static func isHTTP(_ name: String) -> Bool {
        ["http", "http2", "http_proxy", "grpc", "grpc-web"].contains(name.lowercased())
    }
}
