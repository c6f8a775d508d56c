import Foundation
import MeshtrimCore

/// What an exec credential plugin printed: a bearer token and/or a client certificate, and until when it holds.
public struct ExecCredential: Sendable, Hashable {
    /// `status.token`.
    public var token: String?
    /// `status.clientCertificateData` (PEM text).
    public var clientCertificatePEM: String?
    /// `status.clientKeyData` (PEM text).
    public var clientKeyPEM: String?
    /// `status.expirationTimestamp`; `nil` means it holds for the whole process.
    public var expiration: Date?

    /// Whether it has expired at `now`.
    public func isExpired(at now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration <= now
    }
}

/// Runs `users[].user.exec` plugins the way client-go does (`client.authentication.k8s.io/v1` and `v1beta1`).
///
/// The plugin gets its `args`, the parent environment plus `env`, and `KUBERNETES_EXEC_INFO` (the cluster when
/// `provideClusterInfo` is set, and whether it may interact). Standard input is `/dev/null` unless the plugin needs
/// a terminal and one is available. A non-zero exit, a missing command (with its `installHint`) and malformed
/// output are ``KubeError``s of kind `credentials`.
public enum ExecCredentialPlugin {
    /// The API versions meshtrim speaks.
    public static let supportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    /// Runs the plugin of `access.user.exec` and parses its credential.
    ///
    /// - Parameters:
    ///   - interactiveTerminal: whether standard input is a terminal the plugin may use (CLI commands before the
    ///     TUI starts); the TUI passes `false`.
    ///   - environment: the parent environment.
    /// - Throws: ``KubeError`` (kind `credentials` or `configuration`).
    public static func run(
        for access: ClusterAccess, interactiveTerminal: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(120)
    ) async throws -> ExecCredential {
        guard let exec = access.user.exec else {
            throw KubeError(.configuration, "\(access.who) has no exec plugin")
        }
        let version = exec.apiVersion ?? ""
        guard supportedVersions.contains(version) else {
            throw KubeError(
                .configuration,
                "the exec plugin of \(access.who) uses apiVersion \"\(version)\"; meshtrim supports "
                    + "\(supportedVersions.joined(separator: " and ")) (v1alpha1 was removed from kubectl 1.24)")
        }
        let mode = exec.interactiveMode ?? (version.hasSuffix("/v1") ? "" : "IfAvailable")
        guard ["Never", "IfAvailable", "Always"].contains(mode) else {
            throw KubeError(
                .configuration,
                "the exec plugin of \(access.who) needs interactiveMode (Never, IfAvailable or Always) with \(version)")
        }
        let interactive = mode != "Never" && interactiveTerminal
        if mode == "Always" && !interactive {
            throw KubeError(
                .credentials,
                "the exec plugin \(exec.command) of \(access.who) needs a terminal (interactiveMode: Always); run a kubectl "
                    + "command once to log in, then start meshtrim again")
        }
        guard let executable = PluginProcess.locate(exec.command, path: environment["PATH"]) else {
            let hint = exec.installHint.map { "\n\($0.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? ""
            throw KubeError(
                .credentials,
                "the exec plugin \"\(exec.command)\" of \(access.who) was not found\(exec.command.contains("/") ? "" : " on PATH")\(hint)")
        }
        var variables = environment
        for variable in exec.env ?? [] { variables[variable.name] = variable.value }
        variables["KUBERNETES_EXEC_INFO"] = execInfo(access: access, version: version, provideCluster: exec.provideClusterInfo == true, interactive: interactive)
        let result: PluginProcess.Result
        do {
            result = try await PluginProcess.run(
                executable: executable, arguments: exec.args ?? [], environment: variables, inheritStandardInput: interactive,
                inheritStandardError: interactive, timeout: timeout)
        } catch {
            throw KubeError(.credentials, "cannot run the exec plugin \(executable) of \(access.who): \(error.localizedDescription)")
        }
        if result.timedOut {
            throw KubeError(.credentials, "the exec plugin \(exec.command) of \(access.who) did not finish within \(timeout)")
        }
        guard result.status == 0 else {
            let stderr = String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let tail = stderr.split(separator: "\n").suffix(5).joined(separator: "\n")
            throw KubeError(
                .credentials,
                "the exec plugin \(exec.command) of \(access.who) failed with exit status \(result.status)"
                    + (tail.isEmpty ? "" : ":\n\(tail)") + (interactive ? "" : noTerminalHint(mode: mode)))
        }
        return try parse(result.stdout, expectedVersion: version, plugin: exec.command, who: access.who)
    }

    /// What to do when a plugin that ran without a terminal failed: it may have wanted to ask something.
    static func noTerminalHint(mode: String) -> String {
        if mode == "Never" {
            return "\n(it ran without a terminal because the kubeconfig sets interactiveMode: Never; if it needs to ask for "
                + "input, set interactiveMode: IfAvailable, or log in once with kubectl first)"
        }
        return "\n(it ran without a terminal; if it needs to ask for input, start meshtrim from a terminal, or log in once "
            + "with kubectl first)"
    }

    /// Parses an `ExecCredential` printed by a plugin.
    ///
    /// - Throws: ``KubeError`` (kind `credentials`) naming what is wrong, never echoing the output (it holds secrets).
    public static func parse(_ data: Data, expectedVersion: String, plugin: String, who: String) throws -> ExecCredential {
        struct Wire: Decodable {
            struct Status: Decodable {
                var token: String?
                var clientCertificateData: String?
                var clientKeyData: String?
                var expirationTimestamp: String?
            }
            var apiVersion: String?
            var kind: String?
            var status: Status?
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: data)
        } catch {
            throw KubeError(.credentials, "the exec plugin \(plugin) of \(who) did not print an ExecCredential as JSON")
        }
        guard wire.kind == "ExecCredential" else {
            throw KubeError(.credentials, "the exec plugin \(plugin) of \(who) printed kind \"\(wire.kind ?? "")\", not ExecCredential")
        }
        guard wire.apiVersion == expectedVersion else {
            throw KubeError(
                .credentials,
                "the exec plugin \(plugin) of \(who) answered with apiVersion \"\(wire.apiVersion ?? "")\", but the kubeconfig "
                    + "asks for \(expectedVersion)")
        }
        guard let status = wire.status else {
            throw KubeError(.credentials, "the exec plugin \(plugin) of \(who) printed an ExecCredential without status")
        }
        let token = status.token.flatMap { $0.isEmpty ? nil : $0 }
        let certificate = status.clientCertificateData.flatMap { $0.isEmpty ? nil : $0 }
        let key = status.clientKeyData.flatMap { $0.isEmpty ? nil : $0 }
        guard token != nil || (certificate != nil && key != nil) else {
            throw KubeError(
                .credentials,
                "the exec plugin \(plugin) of \(who) printed neither status.token nor status.clientCertificateData with clientKeyData")
        }
        var expiration: Date?
        if let text = status.expirationTimestamp, !text.isEmpty {
            guard let date = RFC3339.date(from: text) else {
                throw KubeError(.credentials, "the exec plugin \(plugin) of \(who) printed expirationTimestamp \"\(text)\", not an RFC 3339 time")
            }
            expiration = date
        }
        return ExecCredential(token: token, clientCertificatePEM: certificate, clientKeyPEM: key, expiration: expiration)
    }

    /// `KUBERNETES_EXEC_INFO`.
    static func execInfo(access: ClusterAccess, version: String, provideCluster: Bool, interactive: Bool) -> String {
        var spec: [String: JSONValue] = ["interactive": .bool(interactive)]
        if provideCluster {
            var cluster: [String: JSONValue] = ["server": .string(access.server)]
            if let data = access.cluster.certificateAuthorityData {
                cluster["certificate-authority-data"] = .string(data)
            } else if let file = access.cluster.certificateAuthority, let data = FileManager.default.contents(atPath: file) {
                cluster["certificate-authority-data"] = .string(data.base64EncodedString())
            }
            if let name = access.cluster.tlsServerName { cluster["tls-server-name"] = .string(name) }
            if access.cluster.insecureSkipTLSVerify == true { cluster["insecure-skip-tls-verify"] = .bool(true) }
            if let proxy = access.cluster.proxyURL { cluster["proxy-url"] = .string(proxy) }
            if access.cluster.disableCompression == true { cluster["disable-compression"] = .bool(true) }
            if let config = access.execExtension { cluster["config"] = config }
            spec["cluster"] = .object(cluster)
        }
        let info: JSONValue = .object(["kind": .string("ExecCredential"), "apiVersion": .string(version), "spec": .object(spec)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(info)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
