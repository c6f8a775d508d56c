import Foundation
import Synchronization

/// Exec credentials obtained before the terminal UI took the screen, shared by every client of the process.
///
/// A plugin that needs a terminal (`interactiveMode: Always`, or `IfAvailable` when standard input is one) cannot
/// prompt once ncurses owns the screen, so meshtrim runs it first (``InteractiveExecLogin``) and keeps the
/// credential here; the live session's clients use it until it expires or the server rejects it (a 401 removes
/// it). Keyed by server, user and plugin invocation, never by the secret.
public final class ExecCredentialCache: Sendable {
    /// The process's cache.
    public static let shared = ExecCredentialCache()

    private let entries = Mutex<[String: ExecCredential]>([:])

    /// Makes an empty cache (tests; meshtrim uses ``shared``).
    public init() {}

    /// The cached credential of a context's exec plugin, expired or not.
    public func credential(for access: ClusterAccess) -> ExecCredential? {
        guard let key = Self.key(access) else { return nil }
        return entries.withLock { $0[key] }
    }

    /// Keeps a credential for a context's exec plugin.
    public func store(_ credential: ExecCredential, for access: ClusterAccess) {
        guard let key = Self.key(access) else { return }
        entries.withLock { $0[key] = credential }
    }

    /// Forgets the credential of a context's exec plugin (it was rejected).
    public func remove(for access: ClusterAccess) {
        guard let key = Self.key(access) else { return }
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Server, user and the plugin's invocation: two contexts that run the same plugin for the same server and
    /// user share a credential, as kubectl's exec cache does.
    static func key(_ access: ClusterAccess) -> String? {
        guard let exec = access.user.exec else { return nil }
        let env = (exec.env ?? []).map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1}")
        return [access.server, access.userName, exec.apiVersion ?? "", exec.command, (exec.args ?? []).joined(separator: "\u{1}"), env]
            .joined(separator: "\u{0}")
    }
}
