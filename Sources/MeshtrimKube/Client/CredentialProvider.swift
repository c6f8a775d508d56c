import Foundation

/// Supplies the `Authorization` (and impersonation) headers of one context, as client-go picks them.
///
/// Order: `tokenFile` when readable (re-read whenever the file changes), else `token`, else the exec plugin's
/// token (cached until `expirationTimestamp`, or for the whole process without one), else an oidc `id-token`,
/// else basic auth. ``invalidate()`` after a 401 drops the exec credential and forces the token file to be
/// re-read; concurrent refreshes share one plugin run. Credentials go over TLS only.
actor CredentialProvider {
    /// How the credential is obtained, for messages (never the secret itself).
    enum Method: Hashable, Sendable {
        case tokenFile(String)
        case token
        case exec(String)
        case oidc(hasRefreshToken: Bool)
        case basic
        case clientCertificate
        case anonymous
    }

    let access: ClusterAccess
    let interactiveTerminal: Bool
    let environment: [String: String]
    private var execCredential: ExecCredential?
    private var execTask: Task<ExecCredential, Error>?
    private var tokenFileState: (token: String, modified: Date?, size: Int)?
    /// How many times the exec plugin ran (diagnostics and tests).
    private(set) var execRuns = 0
    private let now: @Sendable () -> Date

    init(
        access: ClusterAccess, interactiveTerminal: Bool, environment: [String: String],
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.access = access
        self.interactiveTerminal = interactiveTerminal
        self.environment = environment
        self.now = now
    }

    /// The method the user stanza selects (before trying it).
    nonisolated var method: Method {
        let user = access.user
        if let file = user.tokenFile, FileManager.default.isReadableFile(atPath: file) { return .tokenFile(file) }
        if let token = user.token, !token.isEmpty { return .token }
        if let exec = user.exec { return .exec(exec.command) }
        if let provider = user.authProvider, provider.name == "oidc" {
            return .oidc(hasRefreshToken: !(provider.config?["refresh-token"] ?? "").isEmpty)
        }
        if user.username != nil, user.password != nil { return .basic }
        if user.tokenFile != nil { return .tokenFile(user.tokenFile ?? "") }
        if user.clientCertificate != nil || user.clientCertificateData != nil { return .clientCertificate }
        return .anonymous
    }

    /// Whether a 401 may be cured by fetching the credential again.
    nonisolated var canRefresh: Bool {
        switch method {
        case .exec, .tokenFile: return true
        default: return false
        }
    }

    /// The headers for one request.
    ///
    /// - Parameter secure: whether the connection is TLS; kubectl sends no credentials over plain HTTP.
    /// - Throws: ``KubeError`` (kind `credentials`) when the token file or the exec plugin fails.
    func headers(secure: Bool) async throws -> [(String, String)] {
        var headers: [(String, String)] = []
        if let user = access.user.impersonate, !user.isEmpty { headers.append(("Impersonate-User", user)) }
        if let uid = access.user.impersonateUID, !uid.isEmpty { headers.append(("Impersonate-Uid", uid)) }
        for group in access.user.impersonateGroups ?? [] { headers.append(("Impersonate-Group", group)) }
        guard secure else { return headers }
        if let value = try await authorization() { headers.append(("Authorization", value)) }
        return headers
    }

    /// The exec plugin's client certificate and key, when the plugin returns one (runs the plugin if needed).
    func execIdentity() async throws -> (certificate: String, key: String)? {
        guard case .exec = method, access.user.token == nil else { return nil }
        let credential = try await currentExecCredential()
        guard let certificate = credential.clientCertificatePEM, let key = credential.clientKeyPEM else { return nil }
        return (certificate, key)
    }

    /// Forgets what may have been rejected: the exec credential and the token file's cached contents.
    func invalidate() {
        execCredential = nil
        ExecCredentialCache.shared.remove(for: access)
        tokenFileState = nil
    }

    private func authorization() async throws -> String? {
        let user = access.user
        if let file = user.tokenFile, let token = try readTokenFile(file, fallbackAvailable: user.token != nil) {
            return "Bearer \(token)"
        }
        if let token = user.token, !token.isEmpty { return "Bearer \(token)" }
        if user.exec != nil {
            guard let token = try await currentExecCredential().token else { return nil }
            return "Bearer \(token)"
        }
        if let provider = user.authProvider, provider.name == "oidc", let token = provider.config?["id-token"], !token.isEmpty {
            return "Bearer \(token)"
        }
        if let name = user.username, let password = user.password {
            return "Basic \(Data("\(name):\(password)".utf8).base64EncodedString())"
        }
        return nil
    }

    /// The token file's contents, re-read when its modification time or size changed.
    private func readTokenFile(_ path: String, fallbackAvailable: Bool) throws -> String? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes?[.modificationDate] as? Date
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        if let state = tokenFileState, state.modified == modified, state.size == size { return state.token }
        guard let data = FileManager.default.contents(atPath: path) else {
            if fallbackAvailable { return nil }
            throw KubeError(
                .credentials,
                "cannot read the tokenFile \(path) of \(access.who); check that it exists and is readable")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            if fallbackAvailable { return nil }
            throw KubeError(.credentials, "the tokenFile \(path) of \(access.who) is empty")
        }
        tokenFileState = (token, modified, size)
        return token
    }

    private func currentExecCredential() async throws -> ExecCredential {
        if let credential = execCredential, !credential.isExpired(at: now()) { return credential }
        if let shared = ExecCredentialCache.shared.credential(for: access), !shared.isExpired(at: now()) {
            execCredential = shared  // obtained with the terminal before the UI started (InteractiveExecLogin)
            return shared
        }
        if let task = execTask { return try await task.value }
        let access = self.access
        let interactive = interactiveTerminal
        let environment = self.environment
        let task = Task { try await ExecCredentialPlugin.run(for: access, interactiveTerminal: interactive, environment: environment) }
        execTask = task
        execRuns += 1
        defer { execTask = nil }
        let credential = try await task.value
        execCredential = credential
        return credential
    }
}
